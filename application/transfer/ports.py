"""The ports the transfer use cases drive: a store read in one snapshot, a store written in one
transaction, and an archive. Rows are tuples of plain values in a table's column order (JSON
columns as their stored text, timestamps as aware datetimes), streamed in primary-key order."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import attrs

Row = tuple[Any, ...]


@attrs.frozen
class TableDigest:
    """What verify compares: the row count and a checksum of the canonical rows, in key order."""

    table: str
    rows: int
    sha256: str


class StoreReader(Protocol):
    """One consistent snapshot of a memcore database (`with reader:` holds it)."""

    masked_url: str

    def __enter__(self) -> "StoreReader": ...
    def __exit__(self, *exc_info: object) -> None: ...
    def revision(self) -> str | None: ...
    def tables(self, contexts: Sequence[str] | None = None) -> list[str]:
        """memcore's tables of `contexts` (all when None), parents before children."""
        ...

    def columns(self, table: str) -> list[str]: ...
    def count(self, table: str) -> int: ...
    def rows(self, table: str, batch_size: int) -> Iterator[Row]: ...
    def digester(self, table: str) -> "Digester": ...
    def key(self, table: str, row: Row) -> dict[str, Any]:
        """The primary key of `row` by column name, in the order rows are streamed."""
        ...


class Digester(Protocol):
    """Hashes a table's rows, fed in key order, the same way on every dialect and in archives."""

    def update(self, row: Row) -> None: ...
    def update_both(self, other: "Digester", row: Row) -> None:
        """Hash `row` into this digester and `other` alike (a row both stores hold: encoded once)."""
        ...

    def result(self) -> TableDigest: ...


class StoreWriter(Protocol):
    """Writes whole tables into a migrated memcore database, all in one transaction."""

    masked_url: str

    def tables(self, contexts: Sequence[str] | None = None) -> list[str]: ...
    def open(self, tables: Sequence[str], replace: bool) -> AbstractContextManager[None]:
        """Migrate, refuse a destination holding data in `tables` unless `replace` (then empty them),
        and hold one transaction: it commits when the block ends, and rolls back on an error."""
        ...

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> int: ...


class ArchiveWriter(Protocol):
    def write_table(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> TableDigest: ...
    def finish(self, manifest: dict[str, Any]) -> None: ...


class ArchiveReader(Protocol):
    def manifest(self) -> dict[str, Any]: ...
    def rows(self, table: str) -> Iterator[Row]:
        """The table's rows; the stream fails at its end when the table's checksum differs."""
        ...


class Progress(Protocol):
    """Told what is happening, for a progress bar; the use cases work the same without one."""

    def table(self, name: str, total: int) -> None: ...
    def advance(self, rows: int) -> None: ...


class NoProgress:
    def table(self, name: str, total: int) -> None:
        return None

    def advance(self, rows: int) -> None:
        return None
