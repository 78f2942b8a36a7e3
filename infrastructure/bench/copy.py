"""The "copy" workload: `memcore db copy` from a SQLite file into the --url database, against a
hand-written copy with the raw drivers (sqlite3 read in key order, the destination driver's
`executemany` in the same batch size, one transaction), then memcore's verification against a
hand-written one (both read every row of both sides and compare).

The source holds `rows` rows across three contexts: a third ideas, a third memory entries and a
third messages (100 per conversation, with their users and conversations). Both copies end with a
complete destination (same row counts); memcore also rebuilds the full-text indexes once at the end
and writes MariaDB's search rows, which the raw copy leaves to the triggers or skips. The note
reports the peak growth of the process's resident memory during each side's copy.
"""

import json
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from memcore.application.transfer import service
from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.tables import metadata
from memcore.infrastructure.transfer import tables
from memcore.infrastructure.transfer.sql_store import SqlStoreReader, SqlStoreWriter

DEFAULT_ROWS = 100_000
BATCH = service.DEFAULT_BATCH
CONTEXTS = ("ideas", "memory", "conversations")
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


class _PeakRss:
    """The highest resident memory above the start, sampled every 10 ms while the block runs."""

    def __enter__(self) -> "_PeakRss":
        self.start = self.peak = _rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_bytes())

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())

    @property
    def grown_mb(self) -> float:
        return (self.peak - self.start) / 2**20


class CopyWorkload(BenchWorkload):
    def __init__(self, url: str | None, rows: int) -> None:
        super().__init__(url, rows)
        self.rss: dict[str, list[float]] = {"ours": [], "raw": []}

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="memcore-bench-copy-")))
        self.source_url = f"sqlite:///{folder / 'source.db'}"
        self.source = build_engine(Settings(url=self.source_url))
        stack.callback(self.source.dispose)
        self.destination = self.container.engine()
        self.tables = tables.table_names(CONTEXTS)
        self._refuse_foreign_rows({f"rows in {t}": t for t in self.tables}, "memcore's ideas, memory and chat tables")
        self._fill_source()
        stack.callback(self._clear)

    # -- the source store, written once

    def _fill_source(self) -> None:
        ideas = self.rows // 3
        entries = self.rows // 3
        messages = self.rows - ideas - entries
        writer = SqlStoreWriter(self.source)
        with writer.open(self.tables, replace=True):
            for table, rows in (
                ("idea_inspiration", self._ideas(ideas)),
                ("ltm_entries", self._entries(entries)),
                *self._chat(messages),
            ):
                columns = [c.name for c in metadata.tables[table].c]
                # Columns later migrations append (nullable, like conversations.session_id) stay NULL.
                writer.write(table, columns, (row + (None,) * (len(columns) - len(row)) for row in rows))

    def _ideas(self, count: int) -> Iterator[tuple[Any, ...]]:
        for n in range(1, count + 1):
            at = T0 + timedelta(seconds=n)
            yield (n, f"Idea {n}", "a description", "the content " * 8, json.dumps(["ai", f"k{n % 50}"]), "text",
                   json.dumps({"views": n}), f"src:{n}", None, None, None, n % 101, f"cat{n % 12}", "{}", "{}",
                   at, at)  # fmt: skip

    def _entries(self, count: int) -> Iterator[tuple[Any, ...]]:
        for n in range(count):
            at = T0 + timedelta(seconds=n)
            value = json.dumps({"note": f"remember {n} tomatoes", "n": n, "score": n / 7})
            yield (f"user:{n % 1000}:note:{n}", value, json.dumps({"user": str(n % 1000)}), at, at)

    def _chat(self, count: int) -> list[tuple[str, Any]]:
        conversations = max(1, count // 100)
        users = max(1, conversations // 10)
        user_ids = [str(uuid.UUID(int=n + 1)) for n in range(users)]
        chat_ids = [str(uuid.UUID(int=10**9 + n)) for n in range(conversations)]
        user_rows = [(u, f"ext|{i}", f"User {i}", None, None, T0, T0) for i, u in enumerate(user_ids)]
        chat_rows = [(c, user_ids[i % users], f"Chat {i}", "active", T0, T0, 1) for i, c in enumerate(chat_ids)]

        def messages() -> Iterator[tuple[Any, ...]]:
            for n in range(count):
                at = T0 + timedelta(microseconds=n)
                yield (str(uuid.UUID(int=2 * 10**9 + n)), chat_ids[n % conversations], "user" if n % 2 else "assistant",
                       f"message {n} about refunds", json.dumps({"n": n}), at, n // conversations + 1)  # fmt: skip

        return [("users", user_rows), ("conversations", chat_rows), ("messages", messages())]

    # -- phases

    def phases(self) -> Sequence[Phase]:
        verify_note = "both read every row of both databases; memcore also checks per-table checksums"
        return [
            Phase("copy", self.rows, self._ours_copy, self._raw_copy, before=self._clear, after=self._counts,
                  extras=self._peak_rss),
            Phase("verify", self.rows, self._ours_verify, self._raw_verify, note=verify_note),
        ]  # fmt: skip

    def _peak_rss(self) -> dict[str, float]:
        """The highest growth of resident memory seen during each side's copies, in MB."""
        return {f"{side}_peak_rss_growth_mb": round(max(seen), 1) for side, seen in self.rss.items() if seen}

    def _clear(self) -> None:
        self._run(*(f"DELETE FROM {table}" for table in reversed(self.tables)))

    def start_round(self) -> None:
        return None  # each phase's `before` empties the destination

    def _counts(self) -> tuple[int, ...]:
        return tuple(self._scalar(f"SELECT COUNT(*) FROM {table}") for table in self.tables)

    def _ours_copy(self) -> int:
        with _PeakRss() as rss:
            report = service.copy_store(
                SqlStoreReader(self.source), SqlStoreWriter(self.destination), lambda: SqlStoreReader(self.destination),
                contexts=CONTEXTS, batch_size=BATCH, verify=False,
            )  # fmt: skip
        self.rss["ours"].append(rss.grown_mb)
        return sum(report.rows.values())

    def _raw_copy(self) -> int:
        with _PeakRss() as rss:
            total = self._copy_by_hand()
        self.rss["raw"].append(rss.grown_mb)
        return total

    def _copy_by_hand(self) -> int:
        source = self.source.raw_connection()
        try:
            reader = source.driver_connection.cursor()
            writer = self.conn.cursor()
            if self.backend == "sqlite":
                writer.execute("BEGIN")
            total = 0
            for name in self.tables:
                table = metadata.tables[name]
                columns, keys, times = self._layout(table)
                reader.execute(f"SELECT {columns} FROM {name} ORDER BY {keys}")
                sql = f"INSERT INTO {name} ({columns}) VALUES ({self._marks(len(table.c))})"
                while batch := reader.fetchmany(BATCH):
                    writer.executemany(sql, [self._converted(row, times) for row in batch])
                    total += len(batch)
            writer.close()
            self.conn.commit()
            return total
        finally:
            source.close()

    def _layout(self, table: Any) -> tuple[str, str, list[int]]:
        """The table's quoted column list, its key, and where its datetimes are."""
        quote = self.raw_engine.dialect.identifier_preparer.quote
        columns = ", ".join(quote(c.name) for c in table.c)
        keys = ", ".join(quote(c.name) for c in table.primary_key.columns)
        times = [i for i, c in enumerate(table.c) if "DateTime" in type(c.type).__name__]
        return columns, keys, times

    def _converted(self, row: Sequence[Any], times: list[int]) -> tuple[Any, ...]:
        """SQLite's datetime text as the naive UTC datetime every dialect's column holds."""
        values = list(row)
        for i in times:
            if values[i] is not None:
                values[i] = datetime.fromisoformat(values[i]).replace(tzinfo=None)
        return tuple(values)

    def _ours_verify(self) -> bool:
        left, right = SqlStoreReader(self.source), SqlStoreReader(self.destination)
        return service.verify_stores(left, right, contexts=CONTEXTS, batch_size=BATCH).ok

    def _raw_verify(self) -> bool:
        source = self.source.raw_connection()
        try:
            same = True
            for name in self.tables:
                columns, keys, times = self._layout(metadata.tables[name])
                sql = f"SELECT {columns} FROM {name} ORDER BY {keys}"
                a, b = source.driver_connection.cursor(), self.conn.cursor()
                a.execute(sql), b.execute(sql)
                while True:
                    x, y = a.fetchmany(BATCH), b.fetchmany(BATCH)
                    if not x and not y:
                        break
                    theirs = [self._converted(row, times) if self.backend == "sqlite" else tuple(row) for row in y]
                    same = same and [self._converted(row, times) for row in x] == theirs
                a.close(), b.close()
            self.conn.rollback()
            return same
        finally:
            source.close()
