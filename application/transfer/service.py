"""The transfer use cases: export, import, copy and verify, over the ports in ports.py.

Each streams rows table by table (parents first) in batches, so memory stays flat whatever the
store's size. Every import and copy ends by verifying the destination against what was read.
"""

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from memcore.application.transfer.ports import (
    ArchiveReader,
    ArchiveWriter,
    Digester,
    NoProgress,
    Progress,
    Row,
    StoreReader,
    StoreWriter,
    TableDigest,
)
from memcore.domain.shared.errors import InvalidInput

ARCHIVE_FORMAT = 1
DEFAULT_BATCH = 5000


@attrs.frozen
class Difference:
    """Where two stores part: a table's row count or checksum, and the first row that differs."""

    table: str
    what: str
    key: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.table}: {self.what}" + (f" (first differing row: {self.key})" if self.key else "")


@attrs.frozen
class VerifyReport:
    digests: dict[str, tuple[TableDigest, TableDigest]]
    differences: list[Difference]

    @property
    def ok(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tables": {
                t: {"rows": [a.rows, b.rows], "sha256": [a.sha256, b.sha256]} for t, (a, b) in self.digests.items()
            },
            "differences": [str(d) for d in self.differences],
        }


@attrs.frozen
class TransferReport:
    source: str
    destination: str
    rows: dict[str, int]
    seconds: float
    verify: VerifyReport

    def to_dict(self) -> dict[str, Any]:
        total = sum(self.rows.values())
        return {
            "source": self.source,
            "destination": self.destination,
            "rows": self.rows,
            "total_rows": total,
            "seconds": round(self.seconds, 3),
            "rows_per_s": round(total / self.seconds, 1) if self.seconds else None,
            "verify": self.verify.to_dict(),
        }


def _passing(rows: Iterable[Row], progress: Progress, digester: Digester | None = None) -> Iterator[Row]:
    """`rows` as they go by: counted for the progress bar (every 1,000), and hashed when asked."""
    pending = 0
    for row in rows:
        if digester is not None:
            digester.update(row)
        pending += 1
        if pending == 1000:
            progress.advance(pending)
            pending = 0
        yield row
    progress.advance(pending)


def export_store(
    reader: StoreReader,
    archive: ArchiveWriter,
    *,
    contexts: Sequence[str] | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    version: str = "",
) -> dict[str, Any]:
    """Write one snapshot of the store into `archive`; returns the manifest."""
    progress = progress or NoProgress()
    with reader:
        tables = reader.tables(contexts)
        totals = {table: reader.count(table) for table in tables}
        entries = {}
        for table in tables:
            progress.table(table, totals[table])
            columns = reader.columns(table)
            digest = archive.write_table(table, columns, _passing(reader.rows(table, batch_size), progress))
            entries[table] = {"columns": columns, "rows": digest.rows, "sha256": digest.sha256}
        manifest = {
            "format": ARCHIVE_FORMAT,
            "memcore_version": version,
            "schema_revision": reader.revision(),
            "contexts": list(contexts) if contexts else None,
            "tables": entries,
        }
    archive.finish(manifest)
    return manifest


def import_store(
    archive: ArchiveReader,
    writer: StoreWriter,
    destination: Callable[[], StoreReader],
    *,
    known_revisions: Sequence[str],
    contexts: Sequence[str] | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> TransferReport:
    """Restore `archive` into the writer's database (migrated first), then verify it there."""
    progress = progress or NoProgress()
    started = time.perf_counter()
    manifest = archive.manifest()
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise InvalidInput(
            f"unsupported archive format {manifest.get('format')!r} (this memcore reads {ARCHIVE_FORMAT})"
        )
    revision = manifest.get("schema_revision")
    if revision not in known_revisions:
        raise InvalidInput(
            f"the archive's schema revision {revision!r} is unknown to this memcore (a newer schema?): upgrade memcore"
        )
    wanted = set(writer.tables(contexts))
    tables = {t: e for t, e in manifest["tables"].items() if t in wanted}
    with writer.open(list(tables), replace):
        rows = {}
        for table, entry in tables.items():
            progress.table(table, entry["rows"])
            rows[table] = writer.write(table, entry["columns"], _passing(archive.rows(table), progress))
    expected = {t: TableDigest(t, e["rows"], e["sha256"]) for t, e in tables.items()}
    report = _verify_against(expected, destination)
    return TransferReport("archive", writer.masked_url, rows, time.perf_counter() - started, report)


def copy_store(
    reader: StoreReader,
    writer: StoreWriter,
    destination: Callable[[], StoreReader],
    *,
    contexts: Sequence[str] | None = None,
    replace: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    verify: bool = True,
) -> TransferReport:
    """Copy one snapshot of the reader's store into the writer's database, then verify it there
    (`verify=False` is for the benchmark, which times the verification on its own).

    The destination is written in one transaction: a copy that fails or is killed leaves it as it
    was, and running it again starts over."""
    progress = progress or NoProgress()
    started = time.perf_counter()
    expected: dict[str, TableDigest] = {}
    rows: dict[str, int] = {}
    with reader:
        tables = reader.tables(contexts)
        totals = {table: reader.count(table) for table in tables}
        with writer.open(tables, replace):
            for table in tables:
                progress.table(table, totals[table])
                digester = reader.digester(table) if verify else None
                stream = _passing(reader.rows(table, batch_size), progress, digester)
                rows[table] = writer.write(table, reader.columns(table), stream)
                if digester is not None:
                    expected[table] = digester.result()
    report = _verify_against(expected, destination) if verify else VerifyReport({}, [])
    return TransferReport(reader.masked_url, writer.masked_url, rows, time.perf_counter() - started, report)


def _verify_against(expected: dict[str, TableDigest], destination: Callable[[], StoreReader]) -> VerifyReport:
    with destination() as reader:
        digests = {t: (want, reader.digester(t)) for t, want in expected.items()}
        found = {}
        for table, (_want, digester) in digests.items():
            for row in reader.rows(table, DEFAULT_BATCH):
                digester.update(row)
            found[table] = digester.result()
    pairs = {t: (expected[t], found[t]) for t in expected}
    differences = [Difference(t, _what(a, b)) for t, (a, b) in pairs.items() if a != b]
    return VerifyReport(pairs, differences)


def _what(a: TableDigest, b: TableDigest) -> str:
    if a.rows != b.rows:
        return f"{a.rows} rows != {b.rows} rows"
    return "same row count, different contents"


def verify_stores(
    a: StoreReader, b: StoreReader, *, contexts: Sequence[str] | None = None, batch_size: int = DEFAULT_BATCH
) -> VerifyReport:
    """Compare two stores table by table; name the first differing row of each table that differs."""
    with a, b:
        tables = a.tables(contexts)
        pairs: dict[str, tuple[TableDigest, TableDigest]] = {}
        differences = []
        for table in tables:
            left, right = a.digester(table), b.digester(table)
            first = _first_difference(a, b, table, batch_size, left, right)
            pairs[table] = (left.result(), right.result())
            if pairs[table][0] != pairs[table][1]:
                differences.append(Difference(table, _what(*pairs[table]), first))
    return VerifyReport(pairs, differences)


def _first_difference(
    a: StoreReader, b: StoreReader, table: str, batch_size: int, left: Digester, right: Digester
) -> dict[str, Any] | None:
    """Walk both tables in key order, hashing every row; the key of the first row not in both alike."""
    first = None
    ours, theirs = a.rows(table, batch_size), b.rows(table, batch_size)
    x, y = next(ours, None), next(theirs, None)
    while x is not None or y is not None:
        if x is not None and y is not None and x == y:
            left.update_both(right, x)
            x, y = next(ours, None), next(theirs, None)
            continue
        kx = None if x is None else tuple(a.key(table, x).values())
        ky = None if y is None else tuple(b.key(table, y).values())
        if first is None:
            first = a.key(table, x) if ky is None or (kx is not None and kx <= ky) else b.key(table, y)
        if ky is None or (kx is not None and kx < ky):
            left.update(x)
            x = next(ours, None)
        elif kx is None or ky < kx:
            right.update(y)
            y = next(theirs, None)
        else:  # same key, other values
            left.update(x), right.update(y)
            x, y = next(ours, None), next(theirs, None)
    return first
