"""The "memory" workload: an agent's long-term memory, through memcore and by hand.

- `store`: every entry stored alone (one upsert, one transaction each) into an empty table;
- `replace`: existing keys stored again with new values;
- `retrieve`: point reads of random keys, value and metadata decoded from JSON (what the drop-in
  API's retrieve returns);
- `search`: one-word queries (top 10 by relevance), memcore's full-text search against a scan with
  `value LIKE '%word%'` returning every match (what a store without a text index must read to rank);
- `search_vs_like_top10`: the same queries against `LIKE` newest first, top 10, which an index on
  updated_at lets stop early for frequent words (for reference; the target is on `search`).
  LIKE reads the table, so at scale it runs on an evenly spread sample of the queries; the report
  says so.

The raw side is the DB-API driver on a connection set up like memcore's, with the dialect's
single-statement upsert (reporting whether it created the row, as memcore does; on MariaDB also the
search row memcore writes there). Both sides get
Python values and encode JSON and timestamps inside the timing, as an application would.
"""

import json
import random
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from memcore.domain.memory.text import indexed_text, words
from memcore.infrastructure.bench.memory_text import KEY_PREFIX, MemoryText
from memcore.infrastructure.bench.phase import Phase, Target
from memcore.infrastructure.bench.workload import BenchWorkload
from memcore.infrastructure.sqlalchemy.search import upsert_side_sql
from memcore.infrastructure.sqlalchemy.tables import LTM_SEARCH

DEFAULT_ROWS = 100_000
READS = 10_000
REPLACES = 10_000
QUERIES = 1_000
LIMIT = 10
LIKE_BUDGET = 20_000_000  # rows scanned by LIKE per round; beyond it the queries are sampled
COLUMNS = ("key", "value", "metadata", "created_at", "updated_at")


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class MemoryWorkload(BenchWorkload):
    # The prepared entries are millions of long-lived objects that every full collection would
    # walk, charging each side by how much it allocates; an application holds none of them.
    freeze_data = True

    def __init__(self, url: str | None, rows: int) -> None:
        super().__init__(url, rows)
        text = MemoryText()
        self.entries = [(key, value, metadata) for key, value, metadata, _ in text.entries(rows)]
        self.replacements = [(key, {"revised": value}, metadata) for key, value, metadata in self.entries[:REPLACES]]
        picker = random.Random(10_000)
        self.read_keys = [self.entries[picker.randrange(rows)][0] for _ in range(min(READS, rows))]
        self.queries = text.query_words(QUERIES)
        sample = min(len(self.queries), max(20, LIKE_BUDGET // rows))
        self.like_queries = self.queries[:: max(1, len(self.queries) // sample)][:sample]

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.reader = self._connection(stack, autocommit=True)
        self.key = self.raw_engine.dialect.identifier_preparer.quote("key")  # a reserved word on MySQL
        foreign = f"ltm_entries WHERE {self.key} NOT LIKE '{KEY_PREFIX}%'"
        self._refuse_foreign_rows({"memory entries": foreign}, "the ltm_entries table")
        self._statements()

    def phases(self) -> Sequence[Phase]:
        at_least_half = Target("pct_of_raw", 50)
        sampled = len(self.like_queries) < len(self.queries)
        sample = f"{len(self.like_queries)} of the {len(self.queries)} queries (evenly spread)" if sampled else "all"

        def note(sql: str) -> str:
            return f"LIKE measured on {sample}; SQL: {sql}"

        return [
            Phase("store", self.rows, self._ours_store, self._raw_store, before=self._clear, after=self._stored,
                  target=at_least_half),
            Phase("replace", len(self.replacements), self._ours_replace, self._raw_replace, after=self._replaced,
                  target=at_least_half),
            Phase("retrieve", len(self.read_keys), self._ours_retrieve, self._raw_retrieve, target=at_least_half),
            Phase("search", len(self.queries), self._ours_search, lambda: self._raw_search(self.scan_sql),
                  raw_ops=len(self.like_queries), latencies=True, target=Target("speedup_p50", 20),
                  note=note(self.scan_sql)),
            Phase("search_vs_like_top10", len(self.queries), self._ours_search,
                  lambda: self._raw_search(self.like_sql), raw_ops=len(self.like_queries), latencies=True,
                  note=note(self.like_sql) + "; for reference: with the updated_at index it can stop early"),
        ]  # fmt: skip

    # -- untimed set-up and checks

    def _statements(self) -> None:
        mark, marks = self.mark, self._marks(len(COLUMNS))
        columns = ", ".join(self.key if c == "key" else c for c in COLUMNS)
        insert = f"INSERT INTO ltm_entries ({columns}) VALUES ({marks})"
        if self.backend in ("sqlite", "postgresql"):
            # created_at is kept on update, so the one returned tells a new row from a replaced one
            update = "value = excluded.value, metadata = excluded.metadata, updated_at = excluded.updated_at"
            self.upsert_sql = f"{insert} ON CONFLICT ({self.key}) DO UPDATE SET {update} RETURNING created_at"
        else:
            update = "value = VALUES(value), metadata = VALUES(metadata), updated_at = VALUES(updated_at)"
            self.upsert_sql = f"{insert} ON DUPLICATE KEY UPDATE {update}"
        # MariaDB cannot index the strings inside a JSON value by trigger: memcore writes the search
        # row itself, so the raw side does too (on SQLite and PostgreSQL triggers do it for both).
        self.side_sql = upsert_side_sql(LTM_SEARCH, self.raw_engine.dialect) if self.backend == "mysql" else None
        self.get_sql = f"SELECT value, metadata FROM ltm_entries WHERE {self.key} = {mark}"
        # A LIKE scan: every row is read (no index can serve '%word%'), all matches returned.
        self.scan_sql = f"SELECT {self.key}, value, metadata FROM ltm_entries WHERE value LIKE {mark}"
        self.like_sql = (
            f"SELECT {self.key}, value, metadata FROM ltm_entries WHERE value LIKE {mark} "
            f"ORDER BY updated_at DESC, {self.key} "
            f"LIMIT {LIMIT}"
        )

    def _clear(self) -> None:
        # The search objects go with the rows: FTS5 by trigger, the side tables by TRUNCATE.
        if self.backend == "sqlite":
            self._run("DELETE FROM ltm_entries")
        elif self.backend == "postgresql":
            self._run("TRUNCATE TABLE ltm_entries CASCADE")  # with any search table referencing it
        else:  # InnoDB refuses to TRUNCATE a table a foreign key points at, even an empty one
            self._run("SET FOREIGN_KEY_CHECKS = 0", f"TRUNCATE TABLE {LTM_SEARCH.side}", "TRUNCATE TABLE ltm_entries",
                      "SET FOREIGN_KEY_CHECKS = 1")  # fmt: skip

    def _stored(self) -> tuple[Any, ...]:
        """The row count and the first and last entries read back through memcore."""
        count = self._count("ltm_entries", "store")
        self._analyze("ltm_entries")
        get = self.services.memory.get
        first, last = get(self.entries[0][0]), get(self.entries[-1][0])
        return count, (first.value, first.metadata), (last.value, last.metadata)

    def _replaced(self) -> Any:
        key, value, metadata = self.replacements[-1]
        view = self.services.memory.get(key)
        return view.value == value and view.metadata == metadata

    # -- memcore's use cases

    def _store_all(self, entries: Sequence[tuple[str, Any, dict[str, Any]]]) -> int:
        from memcore.application.memory.commands import StoreMemory

        handle = self.services.bus.handle
        return sum(bool(handle(StoreMemory(key, value, metadata))) for key, value, metadata in entries)

    def _ours_store(self) -> int:
        return self._store_all(self.entries)

    def _ours_replace(self) -> int:
        return self._store_all(self.replacements)

    def _ours_retrieve(self) -> list[Any]:
        get_value = self.services.memory.get_value  # the drop-in API's retrieve: value and metadata
        return [get_value(key)[0] for key in self.read_keys]

    def _ours_search(self) -> tuple[list[bool], list[float]]:
        search, clock = self.services.memory.search, time.perf_counter
        latencies: list[float] = []
        hits: dict[str, bool] = {}
        for word in self.queries:
            start = clock()
            found = search(word, limit=LIMIT)
            latencies.append(clock() - start)
            hits[word] = bool(found)
        return [hits[word] for word in self.like_queries], latencies

    # -- the raw DB-API driver doing the same

    def _raw_store_all(self, entries: Sequence[tuple[str, Any, dict[str, Any]]]) -> int:
        conn, cursor, sql, dumps = self.conn, self.conn.cursor(), self.upsert_sql, json.dumps
        backend = self.backend
        created = 0
        side_sql, side = self.side_sql, self.side_sql is not None
        for key, value, metadata in entries:
            now = datetime.now(UTC)
            stamp: Any = _utc_text(now) if backend == "sqlite" else _naive(now)
            if backend == "sqlite":
                cursor.execute("BEGIN")
            cursor.execute(sql, (key, dumps(value), dumps(metadata), stamp, stamp))
            if backend in ("sqlite", "postgresql"):
                created += cursor.fetchone()[0] == stamp
            else:
                created += cursor.rowcount == 1
            if side:
                cursor.execute(side_sql, (key, " ".join(words(indexed_text(key, value)))))
            conn.commit()
        cursor.close()
        return created

    def _raw_store(self) -> int:
        return self._raw_store_all(self.entries)

    def _raw_replace(self) -> int:
        return self._raw_store_all(self.replacements)

    def _raw_retrieve(self) -> list[Any]:
        cursor, sql, loads = self.reader.cursor(), self.get_sql, json.loads
        values: list[Any] = []
        for key in self.read_keys:
            cursor.execute(sql, (key,))
            value, metadata = cursor.fetchone()
            loads(metadata)
            values.append(loads(value))
        cursor.close()
        return values

    def _raw_search(self, sql: str) -> tuple[list[bool], list[float]]:
        cursor, loads, clock = self.reader.cursor(), json.loads, time.perf_counter
        latencies: list[float] = []
        hits: list[bool] = []
        for word in self.like_queries:
            start = clock()
            cursor.execute(sql, (f"%{word}%",))
            found = [(key, loads(value), loads(metadata)) for key, value, metadata in cursor.fetchall()]
            latencies.append(clock() - start)
            hits.append(bool(found))
        cursor.close()
        return hits, latencies
