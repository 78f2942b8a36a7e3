"""Where MemcoreStore keeps its items: `SqlStoreTable` (table `langgraph_store`) or the in-memory fake.

Both answer the same few calls with rows `[namespace, key, value, created_at, updated_at,
expires_at, ttl_minutes]`, expired rows left out, ordered newest update first (then namespace, key).
The store's own logic (checks, filters, paging, TTL) lives in store.py, once for both.
"""

import contextvars
import copy
import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from memcore.domain.memory.text import strings_in, words
from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.fastpath import FastReader, RowCodec
from memcore.infrastructure.sqlalchemy.raw_sql import prepare
from memcore.infrastructure.sqlalchemy.tables import STORE_SEARCH, langgraph_store
from memcore.integrations.langgraph.filter_sql import PG_DOCUMENT, compile_filter
from memcore.integrations.langgraph.filters import matches

COLUMNS = ("namespace", "key", "value", "created_at", "updated_at", "expires_at", "ttl_minutes")
WRITTEN = ("id", *COLUMNS)
Row = list[Any]
Keep = Callable[[Any], bool]  # which values `scan` keeps
Filter = Mapping[str, Any] | None
_LIVE = "(expires_at IS NULL OR expires_at > :now)"
_SIDE_UPSERT = (
    "INSERT INTO langgraph_store_search (id, body) VALUES (:id, :body) ON DUPLICATE KEY UPDATE body = VALUES(body)"
)


def item_id(namespace: str, key: str) -> str:
    """The row's one-column key: neither part can hold a NUL, so the pair maps to one id."""
    return hashlib.sha256(f"{namespace}\x00{key}".encode()).hexdigest()


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

    @contextmanager
    def transaction(self) -> Iterator[None]:
        saved = copy.deepcopy(self.rows)
        try:
            yield
        except BaseException:
            self.rows = saved
            raise

    def _live(self, now: datetime) -> Iterator[Row]:
        return (row for row in self.rows.values() if row[5] is None or row[5] > now)

    def get(self, namespace: str, key: str, now: datetime) -> Row | None:
        row = self.rows.get((namespace, key))
        return None if row is None or (row[5] is not None and row[5] <= now) else copy.deepcopy(row)

    def upsert(self, namespace: str, key: str, value: dict[str, Any], now: datetime, expires: Any, ttl: Any) -> None:
        old = self.rows.get((namespace, key))
        created = now if old is None else old[3]
        self.rows[(namespace, key)] = [namespace, key, copy.deepcopy(value), created, now, expires, ttl]

    def delete(self, namespace: str, key: str) -> None:
        self.rows.pop((namespace, key), None)

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
        return len(gone)


class SqlStoreTable:
    """`langgraph_store` through a `Database`: statements written once per dialect."""

    def __init__(self, db: Database) -> None:
        self.db = db
        dialect = db.dialect
        self.codec = RowCodec(langgraph_store, COLUMNS, db.engine.dialect)
        self.values = RowCodec(langgraph_store, ("value",), db.engine.dialect)
        self.writer = RowCodec(langgraph_store, WRITTEN, db.engine.dialect)
        self._side = STORE_SEARCH.app_maintained(dialect)  # MariaDB: the words are written beside
        self.statements_per_put = 2 if self._side else 1
        key = "`key`" if dialect in ("mysql", "mariadb") else '"key"'  # a reserved word on MySQL
        self._select = f"SELECT {', '.join(key if c == 'key' else c for c in COLUMNS)} FROM langgraph_store"
        self._order = f"ORDER BY updated_at DESC, namespace, {key}"
        self._get = f"{self._select} WHERE id = :id AND {_LIVE}"
        names = ", ".join(key if c == "key" else c for c in WRITTEN)
        insert = f"INSERT INTO langgraph_store ({names}) VALUES ({', '.join(':' + c for c in WRITTEN)})"
        kept = ("value", "updated_at", "expires_at", "ttl_minutes")  # created_at stays the first write's
        if dialect in ("mysql", "mariadb"):
            self._upsert = f"{insert} ON DUPLICATE KEY UPDATE " + ", ".join(f"{c} = VALUES({c})" for c in kept)
        else:
            self._upsert = f"{insert} ON CONFLICT (id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in kept)
        self._reader = FastReader(db.engine)  # reads outside a batch's transaction: the lean route
        self._style = db.paramstyle
        self._in_tx: contextvars.ContextVar[bool] = contextvars.ContextVar(f"store-tx-{id(self)}", default=False)
        self._times = RowCodec(langgraph_store, ("updated_at",), db.engine.dialect)

    def _time(self, when: datetime | None) -> Any:
        return self._times.encode((when,))[0]

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
        query, args = prepare(sql, *self._style).bind(params)
        return self._reader.all(query, () if args is None else args)

    def get(self, namespace: str, key: str, now: datetime) -> Row | None:
        found = self._fetch(self._get, {"id": item_id(namespace, key), "now": self._time(now)})
        return self.codec.decode(found[0]) if found else None

    def upsert(self, namespace: str, key: str, value: dict[str, Any], now: datetime, expires: Any, ttl: Any) -> None:
        ident = item_id(namespace, key)
        values = self.writer.encode((ident, namespace, key, value, now, now, expires, ttl))
        self.db.execute(self._upsert, dict(zip(WRITTEN, values, strict=True)))
        if self._side:
            self.db.execute(_SIDE_UPSERT, search.side_row(STORE_SEARCH, ident, strings_in(value)))

    def delete(self, namespace: str, key: str) -> None:
        # The search row goes with it: a cascading foreign key (MariaDB) or a trigger (SQLite).
        self.db.execute("DELETE FROM langgraph_store WHERE id = :id", {"id": item_id(namespace, key)})

    def touch(self, refreshed: list[tuple[str, str, datetime]]) -> None:
        rows = [{"id": item_id(ns, key), "expires": self._time(expires)} for ns, key, expires in refreshed]
        self.db.execute_many("UPDATE langgraph_store SET expires_at = :expires WHERE id = :id", rows)

    def filtered(self, prefix: str, now: datetime, filter: Filter, first: int) -> list[Row]:
        """The live rows under `prefix` that `filter` keeps, newest first; only the `first` ones.

        The filter runs in SQL (filter_sql.py); what SQL cannot decide alone is checked here too,
        each value decoded in turn until `first` rows are kept.
        """
        where, params = _LIVE, {"now": self._time(now)}
        if prefix:  # a range, which the (namespace, key) index serves (LIKE does not on SQLite)
            where += " AND (namespace = :ns OR (namespace >= :lo AND namespace < :hi))"
            params.update(ns=prefix, lo=prefix + ".", hi=prefix + "/")  # "/" follows "." (code points)
        condition, bound, exact = compile_filter(filter, self.db.dialect) if filter else ("", {}, True)
        if condition:
            where += f" AND {condition}"
            params.update(bound)
        joined = f" {PG_DOCUMENT}" if condition and self.db.dialect == "postgresql" else ""
        sql = f"{self._select}{joined} WHERE {where} {self._order}"
        decode = self.codec.decode
        if exact:
            params["first"] = first
            return [decode(row) for row in self._fetch(sql + " LIMIT :first", params)]
        decode_value = self.values.decode
        out: list[Row] = []
        for row in self._fetch(sql, params):
            if matches(decode_value([row[2]])[0], filter):  # type: ignore[arg-type]
                out.append(decode(row))
                if len(out) >= first:
                    break
        return out

    def text(self, prefix: str, now: datetime, query: list[str]) -> tuple[list[Row], list[float]]:
        """Rows holding every word, best first, through the dialect's full-text index (search.py)."""
        table = langgraph_store
        statement = select(*(table.c[name] for name in COLUMNS)).where(
            or_(table.c.expires_at.is_(None), table.c.expires_at > now)
        )
        if prefix:
            below = and_(table.c.namespace >= prefix + ".", table.c.namespace < prefix + "/")
            statement = statement.where(or_(table.c.namespace == prefix, below))
        statement = search.apply(statement, STORE_SEARCH, self.db.dialect, table, query)
        statement = statement.order_by(table.c.updated_at.desc(), table.c.namespace, table.c.key)
        with translating(), self.db.engine.connect() as connection:
            found = connection.execute(statement).all()
        return [list(row[: len(COLUMNS)]) for row in found], [float(row[-1]) for row in found]

    def namespaces(self, now: datetime) -> list[str]:
        found = self.db.fetch_all(f"SELECT DISTINCT namespace FROM langgraph_store WHERE {_LIVE}",
                                  {"now": self._time(now)})  # fmt: skip
        return sorted(row["namespace"] for row in found)

    def sweep(self, now: datetime) -> int:
        sql = "DELETE FROM langgraph_store WHERE expires_at IS NOT NULL AND expires_at <= :now"
        return self.db.execute(sql, {"now": self._time(now)})
