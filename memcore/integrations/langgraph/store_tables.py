"""Where MemcoreStore keeps its items: `SqlStoreTable` (table `langgraph_store`) or the in-memory fake.

Both answer the same few calls with rows `[namespace, key, value, created_at, updated_at,
expires_at, ttl_minutes]`, expired rows left out, ordered newest update first (then namespace, key).
The store's own logic (checks, filters, paging, TTL) lives in store.py, once for both.
"""

import contextvars
import copy
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from memcore.domain.memory.text import strings_in, words
from memcore.infrastructure.sqlalchemy import raw_sql
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.fastpath import FastReader
from memcore.integrations.langgraph.filters import matches
from memcore.integrations.langgraph.store_plan import (
    DELETE,
    DELETE_VECTORS,
    INSERT_VECTOR,
    NAMESPACES,
    SWEEP,
    TOUCH,
    VECTORS_OF,
    Filter,
    Row,
    StorePlan,
    item_id,
)

Keep = Callable[[Any], bool]  # which values `scan` keeps


def _newest_first(rows: list[Row]) -> list[Row]:
    rows = sorted(rows, key=lambda row: (row[0], row[1]))
    return sorted(rows, key=lambda row: row[4], reverse=True)


def _under(namespace: str, prefix: str) -> bool:
    return not prefix or namespace == prefix or namespace.startswith(prefix + ".")


class InMemoryStoreTable:
    """The fake: a dict, rolled back as a whole when a batch fails."""

    statements_per_put = 1

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Row] = {}
        self.vectors: dict[tuple[str, str], list[bytes]] = {}

    @contextmanager
    def transaction(self) -> Iterator[None]:
        saved, vectors = copy.deepcopy(self.rows), dict(self.vectors)
        try:
            yield
        except BaseException:
            self.rows, self.vectors = saved, vectors
            raise

    def write_vectors(self, namespace: str, key: str, vectors: list[tuple[str, bytes]]) -> None:
        self.vectors[(namespace, key)] = [packed for _, packed in vectors]

    def vectors_of(self, rows: list[Row]) -> dict[tuple[str, str], list[bytes]]:
        return {(row[0], row[1]): self.vectors.get((row[0], row[1]), []) for row in rows}

    def _live(self, now: datetime) -> Iterator[Row]:
        return (row for row in self.rows.values() if row[5] is None or row[5] > now)

    def get(self, namespace: str, key: str, now: datetime) -> Row | None:
        row = self.rows.get((namespace, key))
        return None if row is None or (row[5] is not None and row[5] <= now) else copy.deepcopy(row)

    def upsert(self, namespace: str, key: str, text: str, now: datetime, expires: Any, ttl: Any) -> None:
        old = self.rows.get((namespace, key))
        created = now if old is None else old[3]
        # Read back from its JSON, as the SQL tables do: a tuple is a list, a number key a string.
        self.rows[(namespace, key)] = [namespace, key, json.loads(text), created, now, expires, ttl]

    def delete(self, namespace: str, key: str) -> None:
        self.rows.pop((namespace, key), None)
        self.vectors.pop((namespace, key), None)

    def touch(self, refreshed: list[tuple[str, str, datetime]]) -> None:
        for namespace, key, expires in refreshed:
            self.rows[(namespace, key)][5] = expires

    def scan(self, prefix: str, now: datetime, keep: Keep | None = None, first: int | None = None) -> list[Row]:
        rows = _newest_first([row for row in self._live(now) if _under(row[0], prefix)])
        return copy.deepcopy([row for row in rows if keep is None or keep(row[2])][:first])

    def filtered(self, prefix: str, now: datetime, filter: Filter, first: int) -> list[Row]:
        keep = (lambda value: matches(value, filter)) if filter else None
        return self.scan(prefix, now, keep, first)

    def close(self) -> None:
        pass

    def text(self, prefix: str, now: datetime, query: list[str]) -> tuple[list[Row], list[float]]:
        """Every word of the query in the document's strings (domain.memory.text's words); ranked
        by how often they occur."""
        ranked = []
        for row in self.scan(prefix, now):
            found = [word for text in strings_in(row[2]) for word in words(text)]
            if all(word in found for word in query):
                ranked.append((float(sum(found.count(word) for word in query)), row))
        ranked.sort(key=lambda pair: -pair[0])
        return [row for _, row in ranked], [score for score, _ in ranked]

    def namespaces(self, now: datetime) -> list[str]:
        return sorted({row[0] for row in self._live(now)})

    def sweep(self, now: datetime) -> int:
        gone = [k for k, row in self.rows.items() if row[5] is not None and row[5] <= now]
        for k in gone:
            del self.rows[k]
            self.vectors.pop(k, None)
        return len(gone)


class SqlStoreTable:
    """`langgraph_store` through a `Database`, with the statements of store_plan.py."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.plan = plan = StorePlan(db.dialect, db.engine.dialect)
        self.statements_per_put = plan.statements_per_put
        self._reader = FastReader(db.engine)  # reads outside a batch's transaction: the lean route
        self._style = db.paramstyle
        get_statement = raw_sql.prepare(plan.get_sql, *self._style)
        if get_statement.names != {"id"}:
            raise AssertionError(f"the store's get binds one id, not {sorted(get_statement.names)}")
        self._get_query = get_statement.query
        self._in_tx: contextvars.ContextVar[bool] = contextvars.ContextVar(f"store-tx-{id(self)}", default=False)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            token = self._in_tx.set(True)
            try:
                yield
            finally:
                self._in_tx.reset(token)

    def close(self) -> None:
        self._reader.close_all()

    def _fetch(self, sql: str, params: dict[str, Any]) -> list[Any]:
        """Every row as a tuple: on the batch's transaction when in one, else on the lean reader."""
        if self._in_tx.get():
            return [tuple(row.values()) for row in self.db.fetch_all(sql, params)]
        query, args = raw_sql.prepare(sql, *self._style).bind(params)
        return self._reader.all(query, () if args is None else args)

    def get(self, namespace: str, key: str, now: datetime) -> Row | None:
        if self._in_tx.get():
            return self.plan.live(self._fetch(*self.plan.get(namespace, key)), now)
        # The hot path: the statement's one parameter, bound without the name check.
        return self.plan.live(self._reader.all(self._get_query, (item_id(namespace, key),)), now)

    def upsert(self, namespace: str, key: str, text: str, now: datetime, expires: Any, ttl: Any) -> None:
        for sql, params in self.plan.upsert(namespace, key, text, now, expires, ttl):
            self.db.execute(sql, params)

    def delete(self, namespace: str, key: str) -> None:
        # The search row goes with it: a cascading foreign key (MariaDB) or a trigger (SQLite).
        self.db.execute(DELETE, {"id": item_id(namespace, key)})

    def touch(self, refreshed: list[tuple[str, str, datetime]]) -> None:
        self.db.execute_many(TOUCH, self.plan.touch_rows(refreshed))

    def write_vectors(self, namespace: str, key: str, vectors: list[tuple[str, bytes]]) -> None:
        """Replace the item's vectors (in the put's transaction)."""
        self.db.execute(DELETE_VECTORS, {"id": item_id(namespace, key)})
        if vectors:
            self.db.execute_many(INSERT_VECTOR, self.plan.vector_rows(namespace, key, vectors))

    def vectors_of(self, rows: list[Row]) -> dict[tuple[str, str], list[bytes]]:
        ids = [item_id(row[0], row[1]) for row in rows]
        found = [got for at in range(0, len(ids), 500) for got in self._fetch(VECTORS_OF, {"ids": ids[at : at + 500]})]
        return self.plan.vectors_found(rows, found)

    def filtered(self, prefix: str, now: datetime, filter: Filter, first: int) -> list[Row]:
        """The live rows under `prefix` that `filter` keeps, newest first; only the `first` ones."""
        sql, params, exact = self.plan.filtered(prefix, now, filter, first)
        return keep_filtered(self.plan, self._fetch(sql, params), filter, exact, first)

    def text(self, prefix: str, now: datetime, query: list[str]) -> tuple[list[Row], list[float]]:
        """Rows holding every word, best first, through the dialect's full-text index (search.py)."""
        planned = self.plan.text(prefix, now, query)
        return ([], []) if planned is None else self.plan.decode_text(self._fetch(*planned))

    def namespaces(self, now: datetime) -> list[str]:
        return sorted(row[0] for row in self._fetch(NAMESPACES, {"now": self.plan.time(now)}))

    def sweep(self, now: datetime) -> int:
        return self.db.execute(SWEEP, {"now": self.plan.time(now)})


def keep_filtered(plan: StorePlan, rows: list[Any], filter: Filter, exact: bool, first: int) -> list[Row]:
    """The fetched rows decoded; when SQL did not decide alone, those `filter` keeps, `first` at most."""
    decode = plan.decode_row
    if exact:
        return [decode(row) for row in rows]
    decode_value = plan.values.decode
    out: list[Row] = []
    for row in rows:
        if matches(decode_value([row[2]])[0], filter):  # type: ignore[arg-type]
            out.append(decode(row))
            if len(out) >= first:
                break
    return out
