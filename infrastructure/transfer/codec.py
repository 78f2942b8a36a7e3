"""The canonical text of a row: one JSON array per line, the same from every dialect.

Values are the wire values of transfer/tables.py: None, bool, int, float, str (JSON columns as
their stored text), aware datetimes (written in UTC, to the microsecond) and bytes. A datetime is
`{"t": iso}` and bytes `{"b": base64}`; no other value is an object, so nothing is ambiguous.
Floats are written as Python's shortest round-trip repr, so every double comes back exactly.
"""

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from memcore.application.transfer.ports import Row, TableDigest
from memcore.domain.shared.errors import InvalidInput


def _plain(value: Any) -> Any:
    """What JSON has no form for (the encoder asks only for those values)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return {"t": value.isoformat(timespec="microseconds")}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"b": base64.b64encode(bytes(value)).decode("ascii")}
    raise InvalidInput(f"cannot transfer a {type(value).__name__} value")


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=True, default=_plain)


def encode(row: Sequence[Any]) -> str:
    return _encoder.encode(row)


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        return base64.b64decode(value["b"])
    return value


def decode(line: str) -> Row:
    return tuple(_restore(value) for value in json.loads(line))


class CanonicalDigester:
    """sha256 over the canonical lines of a table's rows, each ended by a newline."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.rows = 0
        self._sha = hashlib.sha256()

    def update(self, row: Row) -> None:
        self.update_line(encode(row))

    def update_both(self, other: "CanonicalDigester", row: Row) -> None:
        line = encode(row)
        self.update_line(line)
        other.update_line(line)

    def update_line(self, line: str) -> None:
        self._sha.update(line.encode("utf-8"))
        self._sha.update(b"\n")
        self.rows += 1

    def result(self) -> TableDigest:
        return TableDigest(self.table, self.rows, self._sha.hexdigest())
