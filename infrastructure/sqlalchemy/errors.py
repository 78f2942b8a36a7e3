"""Translation of driver exceptions into domain errors; parameter values never reach a message."""

import re
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import exc as orm_exc

from memcore.domain.shared import errors

# SQLSTATE classes (PostgreSQL) and MySQL/MariaDB error numbers we tell apart.
_PG_SERIALIZATION = {"40001", "40P01"}
_PG_TIMEOUT = {"57014", "55P03"}
_PG_UNIQUE = "23505"
_MY_UNIQUE = {1062, 1586}
_MY_CONFLICT = {1213, 1205}  # deadlock; lock wait timeout is retryable too
_MY_TIMEOUT = {3024, 1969}  # max_execution_time (MySQL), max_statement_time (MariaDB)
_MY_GONE = {2002, 2003, 2006, 2013, 2055}
_SQLITE_ERROR = 1  # SQLite's code for a bad statement: syntax, unknown table or column
_SQLITE_BUSY_SNAPSHOT = 517  # a write after another connection committed over our read snapshot


def _sqlstate(orig: Any) -> str | None:
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _mysql_code(orig: Any) -> int | None:
    args = getattr(orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _sqlite_code(orig: Any) -> int | None:
    return getattr(orig, "sqlite_errorcode", None)


# Driver messages that quote the offending value: the value is cut out, the rest is kept.
_QUOTED = r"""(?:'(?:[^'\\]|''|\\.)*'|"(?:[^"]|"")*")"""
_VALUE_IN_MESSAGE = re.compile(
    r"(duplicate entry|value|syntax for type [\w ]+?|query argument \$\d+|for enum [\w.]+)"
    rf"(?:\s*:\s*(?:{_QUOTED}|[^(]*?(?= \(|$))|\s+{_QUOTED})",
    re.IGNORECASE,
)


def _first_line(orig: Any) -> str:
    text = str(orig).strip().splitlines()
    return _VALUE_IN_MESSAGE.sub(r"\1", text[0]) if text else type(orig).__name__


def describe(orig: Any) -> str:
    """A driver message fit for an error: its first line, any quoted value cut out."""
    return _first_line(orig)


def wrap_driver(exc: Exception, dialect: Any, sql: str | None = None, gone: bool = False) -> sa_exc.DBAPIError:
    """SQLAlchemy's wrapper of a driver error raised on the lean route; `gone`: the connection broke."""
    return sa_exc.DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error, connection_invalidated=gone)


def translate_driver(exc: Exception, dialect: Any, sql: str | None = None, gone: bool = False) -> errors.MemcoreError:
    """A driver's own error, raised on the lean route outside SQLAlchemy, as the domain error."""
    return translate(wrap_driver(exc, dialect, sql, gone))


def translate(exc: Exception) -> errors.MemcoreError:
    """The domain error that says what went wrong, without the bound parameter values."""
    if isinstance(exc, errors.MemcoreError):
        return exc
    if isinstance(exc, orm_exc.StaleDataError):
        return errors.ConcurrencyError("the row was changed or deleted by another writer")
    if isinstance(exc, orm_exc.FlushError):
        return errors.AlreadyExists(f"identity conflict in the session: {exc}")
    if not isinstance(exc, sa_exc.DBAPIError):
        if isinstance(exc, sa_exc.TimeoutError):
            return errors.StorageTimeout("timed out waiting for a pooled connection")
        return errors.StorageUnavailable(f"{type(exc).__name__}: {exc}")
    orig = exc.orig
    state, code, message = _sqlstate(orig), _mysql_code(orig), _first_line(orig)
    lowered = message.lower()
    if state in _PG_SERIALIZATION or code in _MY_CONFLICT or _sqlite_code(orig) == _SQLITE_BUSY_SNAPSHOT:
        return errors.TransactionConflict(f"transaction aborted by the database: {message}")
    if state in _PG_TIMEOUT or code in _MY_TIMEOUT:
        return errors.StorageTimeout(f"the database did not answer in time: {message}")
    if isinstance(exc, sa_exc.IntegrityError):
        if state == _PG_UNIQUE or code in _MY_UNIQUE or "unique constraint" in lowered:
            return errors.AlreadyExists(f"already stored: {message}")
        return errors.InvalidInput(f"refused by the database: {message}")
    if "database is locked" in lowered or "database table is locked" in lowered:
        return errors.StorageTimeout(f"the database stayed locked: {message}")
    if exc.connection_invalidated or code in _MY_GONE or isinstance(exc, sa_exc.InterfaceError):
        return errors.ConnectionLost(f"lost the database connection: {message}")
    if isinstance(exc, sa_exc.DataError) or (state or "").startswith("22"):  # SQLSTATE class 22: bad data
        return errors.InvalidInput(f"refused by the database: {message}")
    if (state or "").startswith("54"):  # class 54: a value or statement past a limit (an index key too big)
        return errors.InvalidInput(f"beyond a limit of the database: {message}")
    bad_statement = _sqlite_code(orig) == _SQLITE_ERROR or (state or "").startswith("42")  # syntax, unknown names
    if isinstance(exc, sa_exc.ProgrammingError) or bad_statement:
        return errors.InvalidInput(f"the database refused the statement: {message}")
    return errors.StorageUnavailable(f"database error: {message}")


class _Translating:
    """The context manager `translating()` returns: stateless, so one serves every caller (a class,
    not a generator, as it wraps every statement of the hot paths)."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, traceback: Any) -> bool:
        if isinstance(exc, (sa_exc.SQLAlchemyError, orm_exc.FlushError)):
            raise translate(exc) from exc
        return False  # no error, a domain error, or anything else: unchanged


_TRANSLATING = _Translating()


def translating() -> _Translating:
    """Re-raise SQLAlchemy and driver errors as domain errors."""
    return _TRANSLATING
