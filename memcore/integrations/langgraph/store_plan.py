"""The SQL of MemcoreStore's table, planned once per dialect for the sync and the async tables.

`StorePlan` holds every statement text (named `:params`) and the row codecs; `SqlStoreTable`
(store_tables.py) sends them through `Database`, `AsyncSqlStoreTable` (store_async.py) through
`AsyncDatabase`. Rows are `[namespace, key, value, created_at, updated_at, expires_at, ttl_minutes]`.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, literal_column, or_, select
from sqlalchemy.dialects.mysql.base import MySQLDialect
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.base import SQLiteDialect
from sqlalchemy.engine import Dialect

from memcore.domain.memory.text import strings_in
from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.tables import STORE_SEARCH, langgraph_store
from memcore.integrations.langgraph.filter_sql import PG_DOCUMENT, compile_filter

COLUMNS = ("namespace", "key", "value", "created_at", "updated_at", "expires_at", "ttl_minutes")
WRITTEN = ("id", *COLUMNS)
Row = list[Any]
Filter = Mapping[str, Any] | None
LIVE = "(expires_at IS NULL OR expires_at > :now)"
# The prefix itself or a namespace below it: one index range [ns, ns + "/"), then the few names in
# it that only extend the last label (ns + "-...", before ns + ".") are dropped.
UNDER = " AND namespace >= :ns AND namespace < :hi AND (namespace = :ns OR namespace >= :lo)"
SIDE_UPSERT = (
    "INSERT INTO langgraph_store_search (id, body) VALUES (:id, :body) ON DUPLICATE KEY UPDATE body = VALUES(body)"
)
DELETE = "DELETE FROM langgraph_store WHERE id = :id"
DELETE_VECTORS = "DELETE FROM langgraph_store_vectors WHERE id = :id"
INSERT_VECTOR = "INSERT INTO langgraph_store_vectors (id, n, field, vector) VALUES (:id, :n, :field, :vector)"
VECTORS_OF = "SELECT id, n, vector FROM langgraph_store_vectors WHERE id IN (:ids)"
FILTERS_KEPT = 256  # compiled filters a plan keeps (then it starts again)
ALL_CANDIDATES = 2**31  # a vector search ranks every candidate, so no LIMIT bounds the fetch
TOUCH = "UPDATE langgraph_store SET expires_at = :expires WHERE id = :id"
NAMESPACES = f"SELECT DISTINCT namespace FROM langgraph_store WHERE {LIVE}"
SWEEP = "DELETE FROM langgraph_store WHERE expires_at IS NOT NULL AND expires_at <= :now"
_NAMED = {"sqlite": SQLiteDialect, "postgresql": PGDialect, "mysql": MySQLDialect}
_PLACEHOLDER_WORDS = ["memcore"]  # the text statement is built once; query_params binds the real words


def _utc(value: Any) -> datetime:
    """A stored time (naive UTC; text on SQLite) as an aware UTC datetime, as UtcDateTime reads it."""
    if type(value) is str:
        value = _from_text(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_from_text = datetime.fromisoformat


def item_id(namespace: str, key: str) -> str:
    """The row's one-column key: neither part can hold a NUL, so the pair maps to one id."""
    return hashlib.sha256(f"{namespace}\x00{key}".encode()).hexdigest()


def _prefix_params(prefix: str) -> dict[str, str]:
    return {"ns": prefix, "lo": prefix + ".", "hi": prefix + "/"}  # "/" follows "." (code points)


class StorePlan:
    """Statements and codecs of `langgraph_store` for one dialect (`dialect`: memcore's label)."""

    def __init__(self, dialect: str, sa_dialect: Dialect) -> None:
        self.dialect = dialect
        self.codec = RowCodec(langgraph_store, COLUMNS, sa_dialect)
        self.values = RowCodec(langgraph_store, ("value",), sa_dialect)
        self.writer = RowCodec(langgraph_store, WRITTEN, sa_dialect)
        self._time_bind = langgraph_store.c.updated_at.type.dialect_impl(sa_dialect).bind_processor(sa_dialect)
        value_type = langgraph_store.c.value.type.dialect_impl(sa_dialect)
        self._json = value_type.result_processor(sa_dialect, None)  # JsonText's own reader
        self.side = STORE_SEARCH.app_maintained(dialect)  # MariaDB: the words are written beside
        self.statements_per_put = 2 if self.side else 1
        key = "`key`" if dialect in ("mysql", "mariadb") else '"key"'  # a reserved word on MySQL
        self.select = f"SELECT {', '.join(key if c == 'key' else c for c in COLUMNS)} FROM langgraph_store"
        self.order = f"ORDER BY updated_at DESC, namespace, {key}"
        self.get_sql = f"{self.select} WHERE id = :id"  # expiry checked on the row (`live`)
        names = ", ".join(key if c == "key" else c for c in WRITTEN)
        insert = f"INSERT INTO langgraph_store ({names}) VALUES ({', '.join(':' + c for c in WRITTEN)})"
        kept = ("value", "updated_at", "expires_at", "ttl_minutes")  # created_at stays the first write's
        if dialect in ("mysql", "mariadb"):
            self.upsert_sql = f"{insert} ON DUPLICATE KEY UPDATE " + ", ".join(f"{c} = VALUES({c})" for c in kept)
        else:
            self.upsert_sql = f"{insert} ON CONFLICT (id) DO UPDATE SET " + ", ".join(
                f"{c} = excluded.{c}" for c in kept
            )
        named = _NAMED[dialect if dialect in _NAMED else "mysql"](paramstyle="named")  # no driver casts
        self._text = {under: self._text_sql(named, under) for under in (False, True)}
        self._filters: dict[str, tuple[str, dict[str, Any], bool]] = {}

    def time(self, when: datetime | None) -> Any:
        return when if self._time_bind is None else self._time_bind(when)

    def decode_row(self, row: Any) -> Row:
        """A fetched row of COLUMNS as the store's Row: what `codec.decode` gives, with less per call."""
        namespace, key, value, created, updated, expires, ttl = row
        return [namespace, key, self._json(value), _utc(created), _utc(updated),
                None if expires is None else _utc(expires), ttl]  # fmt: skip

    # -- writes: (sql, params)

    def upsert(
        self, namespace: str, key: str, text: str, now: datetime, expires: Any, ttl: Any
    ) -> list[tuple[str, dict[str, Any]]]:
        """`text`: the value's JSON, encoded once by store_checks.json_text as the column would."""
        ident = item_id(namespace, key)
        values = self.writer.encode((ident, namespace, key, None, now, now, expires, ttl))
        params = dict(zip(WRITTEN, values, strict=True))
        params["value"] = text
        statements = [(self.upsert_sql, params)]
        if self.side:
            words = strings_in(json.loads(text))
            statements.append((SIDE_UPSERT, search.side_row(STORE_SEARCH, ident, words)))
        return statements

    def vector_rows(self, namespace: str, key: str, vectors: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
        ident = item_id(namespace, key)
        return [{"id": ident, "n": n, "field": field, "vector": packed} for n, (field, packed) in enumerate(vectors)]

    @staticmethod
    def vectors_found(rows: list[Any], found: list[Any]) -> dict[tuple[str, str], list[bytes]]:
        """`found` (VECTORS_OF's id, n, vector rows for `rows`' ids) by (namespace, key)."""
        by_id = {item_id(row[0], row[1]): (row[0], row[1]) for row in rows}
        out: dict[tuple[str, str], list[bytes]] = {}
        for ident, _, vector in sorted(found, key=lambda got: (got[0], got[1])):
            out.setdefault(by_id[ident], []).append(bytes(vector))
        return out

    def touch_rows(self, refreshed: list[tuple[str, str, datetime]]) -> list[dict[str, Any]]:
        return [{"id": item_id(ns, key), "expires": self.time(expires)} for ns, key, expires in refreshed]

    # -- reads: (sql, params); rows come back as the driver's tuples, decoded by `codec`

    def get(self, namespace: str, key: str) -> tuple[str, dict[str, Any]]:
        return self.get_sql, {"id": item_id(namespace, key)}

    def live(self, found: list[Any], now: datetime) -> Row | None:
        """The row `get` found, decoded, unless it has expired by `now` (as LIVE says in SQL)."""
        if not found:
            return None
        row = self.decode_row(found[0])
        return None if row[5] is not None and row[5] <= now else row

    def filtered(self, prefix: str, now: datetime, filter: Filter, first: int) -> tuple[str, dict[str, Any], bool]:
        """The live rows under `prefix` that `filter` keeps, newest first, and whether SQL decides
        alone (then at most `first` rows come back); else the caller checks each row in Python too."""
        where, params = LIVE, {"now": self.time(now)}
        if prefix:
            where += UNDER
            params.update(_prefix_params(prefix))
        condition, bound, exact = self._compiled(filter) if filter else ("", {}, True)
        if condition:
            where += f" AND {condition}"
            params.update(bound)
        joined = f" {PG_DOCUMENT}" if condition and self.dialect == "postgresql" else ""
        sql = f"{self.select}{joined} WHERE {where} {self.order}"
        if exact:
            params["first"] = first
            sql += " LIMIT :first"
        return sql, params, exact

    def _compiled(self, filter: Mapping[str, Any]) -> tuple[str, dict[str, Any], bool]:
        """compile_filter's answer, kept per filter: an agent asks the same few filters again and
        again. The key is the filter's repr, which tells 1, 1.0 and True apart (JSON values only)."""
        key = repr(filter)
        found = self._filters.get(key)
        if found is None:
            if len(self._filters) >= FILTERS_KEPT:
                self._filters.clear()
            found = self._filters[key] = compile_filter(filter, self.dialect)
        return found

    def text(self, prefix: str, now: datetime, words: list[str]) -> tuple[str, dict[str, Any]] | None:
        """Rows holding every word, best first (the rank last in each row); None: no word to match."""
        values = search.query_params(STORE_SEARCH, self.dialect, words)
        if values is None:
            return None
        params: dict[str, Any] = {"now": self.time(now), **values}
        if prefix:
            params.update(_prefix_params(prefix))
        if not values:  # MariaDB: none is a word InnoDB indexes, so nothing matches
            return None
        return self._text[bool(prefix)], params

    def _text_sql(self, named: Dialect, under: bool) -> str:
        table = langgraph_store
        now = bindparam("now")
        statement = select(*(table.c[name] for name in COLUMNS)).where(
            or_(table.c.expires_at.is_(None), literal_column("expires_at") > now)
        )
        if under:
            below = and_(table.c.namespace >= bindparam("lo"), table.c.namespace < bindparam("hi"))
            statement = statement.where(or_(table.c.namespace == bindparam("ns"), below))
        statement = search.apply(statement, STORE_SEARCH, self.dialect, table, _PLACEHOLDER_WORDS)
        statement = statement.order_by(table.c.updated_at.desc(), table.c.namespace, table.c.key)
        return str(statement.compile(dialect=named))

    def decode_text(self, rows: list[Any]) -> tuple[list[Row], list[float]]:
        decode = self.decode_row
        return [decode(row[: len(COLUMNS)]) for row in rows], [float(row[-1]) for row in rows]
