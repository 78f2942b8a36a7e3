"""Column types that behave the same on SQLite, PostgreSQL and MySQL/MariaDB.

- text compares and sorts by code point, case-sensitively, without pad-space equality;
- datetimes are stored as naive UTC with microseconds and read back timezone-aware;
- floats are double precision; JSON is kept as text and round-trips exactly.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Double, Integer, LargeBinary, String, Text
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


def _mysql_collation(dialect: Dialect) -> str:
    # MariaDB's utf8mb4_bin pads with spaces ('a' = 'a '); its nopad twin does not.
    return "utf8mb4_nopad_bin" if getattr(dialect, "is_mariadb", False) else "utf8mb4_0900_bin"


class BinaryString(TypeDecorator[str]):
    """VARCHAR(n) with code-point collation on every dialect."""

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return String(self.length, collation="C")
        if dialect.name in ("mysql", "mariadb"):
            return mysql.VARCHAR(self.length, charset="utf8mb4", collation=_mysql_collation(dialect))
        return String(self.length)


class BinaryText(TypeDecorator[str]):
    """Unbounded text (LONGTEXT on MySQL) with code-point collation."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return Text(collation="C")
        if dialect.name in ("mysql", "mariadb"):
            return mysql.LONGTEXT(charset="utf8mb4", collation=_mysql_collation(dialect))
        return Text()


class _SqliteText(sqlite.DATETIME):
    """DATETIME in the DDL, but values pass as text both ways: UtcDateTime formats and parses them
    (datetime.fromisoformat is much cheaper than SQLAlchemy's regular expression)."""

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


def _direct(decorator: TypeDecorator[Any], dialect: Dialect, process: Callable[[Any], Any]) -> Any:
    """A bind processor without TypeDecorator's generic wrapper: bulk writes call it per value."""
    inner = decorator.load_dialect_impl(dialect).bind_processor(dialect)
    if inner is None:
        return process
    return lambda value: inner(process(value))


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
    # combine(date, time) drops the tzinfo several times faster than replace(tzinfo=None).
    return _combine(value.date(), value.time())


_combine = datetime.combine


def _utc_text(value: datetime | None) -> str | None:
    """SQLite: the text SQLAlchemy's DATETIME writes, always with microseconds, so it sorts."""
    naive = _naive_utc(value)
    return None if naive is None else naive.isoformat(" ", "microseconds")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, naive UTC with microseconds stored, aware UTC out.

    Naive values already in the table (written by the store memcore replaces) are read as UTC.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return mysql.DATETIME(fsp=6)
        if dialect.name == "sqlite":
            return _SqliteText()
        return DateTime()

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | str | None:
        return _utc_text(value) if dialect.name == "sqlite" else _naive_utc(value)

    def bind_processor(self, dialect: Dialect) -> Any:
        return _direct(self, dialect, _utc_text if dialect.name == "sqlite" else _naive_utc)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a legacy SQLite table may hold ISO text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_ENCODER = json.JSONEncoder(allow_nan=False)  # json.dumps(v, allow_nan=False), built once
_DECODER = json.JSONDecoder()
# JSONEncoder.encode builds a C encoder on every call; building it once halves the cost of a
# bulk load's JSON columns. It has no circular-reference markers (a shared dict would make two
# threads encoding one value see a cycle), so a cycle ends in RecursionError and takes the
# standard encoder for its usual ValueError. The output is identical to json.dumps.
_C_ENCODER = (
    json.encoder.c_make_encoder(
        None, _ENCODER.default, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, False
    )
    if json.encoder.c_make_encoder is not None
    else None
)


def _encode_json(value: Any) -> str | None:
    return None if value is None else _json_text(value)


def _json_text(value: Any) -> str:
    if _C_ENCODER is not None:
        try:
            return "".join(_C_ENCODER(value, 0))
        except RecursionError:
            pass
    return _ENCODER.encode(value)


def _decode_json(text: str | None) -> Any:
    """NULL and '' are None; text without surrounding whitespace goes straight to the scanner."""
    if not text:
        return None
    if text == "{}":
        return {}
    if text == "[]":
        return []
    try:
        value, end = _DECODER.raw_decode(text)
    except ValueError:
        end = -1
    return value if end == len(text) else _DECODER.decode(text)


class JsonText(TypeDecorator[Any]):
    """A JSON value serialised to text (LONGTEXT on MySQL); NULL and '' read as None."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return mysql.LONGTEXT(charset="utf8mb4", collation=_mysql_collation(dialect))
        return Text()

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return _encode_json(value)

    def bind_processor(self, dialect: Dialect) -> Any:
        return _direct(self, dialect, _encode_json)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return _decode_json(value)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # Every driver returns text as str: nothing to chain, so one call per value.
        return _decode_json


def _encode_json_value(value: Any) -> str:
    return "null" if value is None else _json_text(value)


class JsonValue(JsonText):
    """A JSON value in a NOT NULL column: Python None is stored as the JSON text `null`."""

    cache_ok = True
    should_evaluate_none = True  # the ORM passes None to the bind processor instead of writing NULL

    def process_bind_param(self, value: Any, dialect: Dialect) -> str:
        return _encode_json_value(value)

    def bind_processor(self, dialect: Dialect) -> Any:
        return _direct(self, dialect, _encode_json_value)


class Blob(TypeDecorator[bytes]):
    """Unbounded bytes: BLOB on SQLite, BYTEA on PostgreSQL, LONGBLOB on MySQL (BLOB stops at 64 KiB)."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return mysql.LONGBLOB()
        if dialect.name == "postgresql":
            return postgresql.BYTEA()
        return LargeBinary()


__all__ = ["BinaryString", "BinaryText", "Blob", "Double", "Integer", "JsonText", "JsonValue", "UtcDateTime"]


def compare_type(context: Any, inspected_column: Any, metadata_column: Any, inspected: Any, expected: Any) -> Any:
    """Alembic hook: also report a changed collation or fractional-seconds precision.

    Alembic's default comparison ignores both, and either one silently breaks parity
    (a locale collation reorders strings; DATETIME without fsp drops microseconds).
    Returns None to let Alembic's own comparison decide the rest.
    """
    dialect = context.dialect
    if isinstance(expected, TypeDecorator):
        expected = expected.load_dialect_impl(dialect)
    for attribute in ("collation", "fsp"):
        wanted = getattr(expected, attribute, None)
        if wanted is not None and wanted != getattr(inspected, attribute, None):
            return True
    return None
