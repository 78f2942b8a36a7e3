"""MemcoreStore: LangGraph's long-term `BaseStore` on memcore's database (table `langgraph_store`).

    with MemcoreStore.from_conn_string("postgresql://app@db/app") as store:
        store.setup()
        store.put(("users", "ann"), "prefs", {"lang": "en", "score": 7}, ttl=60)
        store.search(("users",), filter={"score": {"$gte": 5}})

Namespaces are tuples of labels (not empty, without "." or NUL), stored joined by "."; values are
JSON objects. A batch is checked whole, then runs in one transaction (a batch of reads runs without
one): bad input writes nothing.
TTL: `ttl` minutes on put, refreshed by reads (unless told not to), expired items are invisible at
once and `sweep()` deletes them. `filter` (filters.py) and `query=` are evaluated in Python, so
every dialect answers alike. `query=` goes through the dialect's own full-text index over the
documents' strings (search.py: FTS5, tsvector, InnoDB FULLTEXT): every word must occur, results
are ranked best first (bm25, ts_rank, InnoDB relevance; only the set of matches agrees across
engines). No vector index: the `index` of a put is accepted and ignored.
"""

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from langgraph.store.base import (
    BaseStore,
    GetOp,
    Item,
    ListNamespacesOp,
    MatchCondition,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
)
from sqlalchemy import or_, select

from memcore.domain.checkpoints.graph import THREAD_MAX
from memcore.domain.memory.text import strings_in
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_text
from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.database import Database
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.tables import STORE_SEARCH, langgraph_store
from memcore.integrations.langgraph.base import migrate_to_head
from memcore.integrations.langgraph.filters import check_filter, matches

__all__ = ["MemcoreStore"]

COLUMNS = ("namespace", "key", "value", "created_at", "updated_at", "expires_at", "ttl_minutes")
WRITTEN = ("id", *COLUMNS)
_LIVE = "(expires_at IS NULL OR expires_at > :now)"
_SIDE_UPSERT = (
    "INSERT INTO langgraph_store_search (id, body) VALUES (:id, :body) ON DUPLICATE KEY UPDATE body = VALUES(body)"
)


def _now() -> datetime:
    return datetime.now(UTC)


def check_namespace(namespace: Any, *, prefix: bool = False) -> str:
    """The namespace's labels joined by "." (a prefix may be empty), or InvalidInput."""
    if not isinstance(namespace, tuple) or (not namespace and not prefix):
        raise InvalidInput(f"a namespace is a non-empty tuple of labels, got {namespace!r}")
    for label in namespace:
        check_text("namespace label", label, empty=False)
        if "." in label:
            raise InvalidInput(f"namespace label {label!r} contains '.', the separator")
    joined = ".".join(namespace)
    if len(joined) > THREAD_MAX:
        raise InvalidInput(f"namespace {namespace!r} is longer than {THREAD_MAX} characters joined")
    return joined


def item_id(namespace: str, key: str) -> str:
    """The row's one-column key: neither part can hold a NUL, so the pair maps to one id."""
    return hashlib.sha256(f"{namespace}\x00{key}".encode()).hexdigest()


def _quoted(dialect: str, columns: tuple[str, ...] = COLUMNS) -> str:
    """The column list, `key` quoted (a reserved word on MySQL/MariaDB)."""
    key = "`key`" if dialect in ("mysql", "mariadb") else '"key"'
    return ", ".join(key if c == "key" else c for c in columns)


def _upsert_sql(dialect: str) -> str:
    insert = f"INSERT INTO langgraph_store ({_quoted(dialect, WRITTEN)}) VALUES ({', '.join(':' + c for c in WRITTEN)})"
    kept = ("value", "updated_at", "expires_at", "ttl_minutes")  # created_at stays the first write's
    if dialect in ("mysql", "mariadb"):
        return f"{insert} ON DUPLICATE KEY UPDATE " + ", ".join(f"{c} = VALUES({c})" for c in kept)
    return f"{insert} ON CONFLICT (id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in kept)


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


class MemcoreStore(BaseStore):
    """A `BaseStore` on SQLite, PostgreSQL or MariaDB/MySQL, with TTL."""

    supports_ttl = True

    def __init__(
        self,
        conn: str | Database,
        *,
        ttl: TTLConfig | None = None,
        clock: Callable[[], datetime] = _now,
        **options: Any,
    ) -> None:
        self._owned = isinstance(conn, str)
        self.db = Database(conn, **options) if isinstance(conn, str) else conn
        if not isinstance(self.db, Database):
            raise InvalidInput(f"MemcoreStore needs a database URL or a Database, not {conn!r}")
        self.ttl_config = ttl
        self.clock = clock
        self.codec = RowCodec(langgraph_store, COLUMNS, self.db.engine.dialect)
        self.writer = RowCodec(langgraph_store, WRITTEN, self.db.engine.dialect)
        # MariaDB cannot walk JSON in SQL: the words of each document are written beside it.
        self._side = STORE_SEARCH.app_maintained(self.db.dialect)
        self._upsert = _upsert_sql(self.db.dialect)
        self._select_sql = f"SELECT {_quoted(self.db.dialect)} FROM langgraph_store"
        self._key = _quoted(self.db.dialect).split(", ")[1]

    @classmethod
    @contextmanager
    def from_conn_string(cls, url: str, *, ttl: TTLConfig | None = None, **options: Any) -> Iterator[Self]:
        store = cls(url, ttl=ttl, **options)
        try:
            yield store
        finally:
            store.close()

    def setup(self) -> None:
        """Bring memcore's schema (this table included) to the newest migration."""
        migrate_to_head(self.db.settings.url)

    def close(self) -> None:
        if self._owned:
            self.db.close()

    # -- BaseStore

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        checked = [self._check(op) for op in ops]  # all of them first: a bad op writes nothing
        now = self.clock()
        if not any(isinstance(op, PutOp) for op in ops):  # reads alone need no transaction of their own
            return [self._run(op, extra, now) for op, extra in zip(ops, checked, strict=True)]
        with self.db.transaction():
            return [self._run(op, extra, now) for op, extra in zip(ops, checked, strict=True)]

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return await asyncio.to_thread(self.batch, list(ops))

    def sweep(self) -> int:
        """Delete the expired items; how many there were."""
        sql = "DELETE FROM langgraph_store WHERE expires_at IS NOT NULL AND expires_at <= :now"
        return self.db.execute(sql, {"now": self._time(self.clock())})

    # -- checking

    def _check(self, op: Op) -> Any:
        if isinstance(op, GetOp):
            return check_namespace(op.namespace), check_text("key", op.key, max_length=THREAD_MAX)
        if isinstance(op, PutOp):
            namespace, key = check_namespace(op.namespace), check_text("key", op.key, max_length=THREAD_MAX)
            if op.value is not None and not isinstance(op.value, Mapping):
                raise InvalidInput(f"a stored value is a JSON object (dict), got {type(op.value).__name__}")
            ttl = op.ttl if isinstance(op.ttl, int | float) and not isinstance(op.ttl, bool) else None
            if (op.ttl is not None and ttl is None) or (ttl is not None and not 0 < ttl < 1e9):
                raise InvalidInput(f"ttl is a positive number of minutes, got {op.ttl!r}")
            if op.value is not None:
                _json_checked(op.value)
            return namespace, key, ttl
        if isinstance(op, SearchOp):
            if op.filter is not None:
                check_filter(op.filter)
            _check_page(op.limit, op.offset)
            if op.query is not None and not isinstance(op.query, str):
                raise InvalidInput("query is text")
            return check_namespace(op.namespace_prefix, prefix=True)
        if isinstance(op, ListNamespacesOp):
            _check_page(op.limit, op.offset)
            for condition in op.match_conditions or ():
                if condition.match_type not in ("prefix", "suffix"):
                    raise InvalidInput(f"unknown match type {condition.match_type!r}; known: prefix, suffix")
            return None
        raise InvalidInput(f"unknown store operation {type(op).__name__}")

    # -- running

    def _time(self, when: datetime | None) -> Any:
        return self.codec.encode((None, None, None, when, None, None, None))[3]

    def _run(self, op: Op, extra: Any, now: datetime) -> Result:
        if isinstance(op, GetOp):
            found = self._select(f"{self._select_sql} WHERE namespace = :ns AND {self._key} = :key AND {_LIVE}",
                                 {"ns": extra[0], "key": extra[1]}, now)  # fmt: skip
            if found and self._refresh(op.refresh_ttl):
                self._touch(found, now)
            return _item(found[0]) if found else None
        if isinstance(op, PutOp):
            return self._put(op, extra, now)
        if isinstance(op, SearchOp):
            return self._search(op, extra, now)
        return self._namespaces(op, now)

    def _refresh(self, asked: bool | None) -> bool:
        if asked is not None:
            return asked
        return True if self.ttl_config is None else self.ttl_config.get("refresh_on_read", True)

    def _select(self, sql: str, params: dict[str, Any], now: datetime) -> list[list[Any]]:
        rows = self.db.fetch_all(sql, {**params, "now": self._time(now)})
        return [self.codec.decode([row[c] for c in COLUMNS]) for row in rows]

    def _touch(self, rows: list[list[Any]], now: datetime) -> None:
        refreshed = [
            {"id": item_id(row[0], row[1]), "expires": self._time(now + timedelta(minutes=row[6]))}
            for row in rows
            if row[6] is not None
        ]
        if refreshed:
            sql = "UPDATE langgraph_store SET expires_at = :expires WHERE id = :id"
            self.db.execute_many(sql, refreshed)

    def _put(self, op: PutOp, extra: Any, now: datetime) -> None:
        namespace, key, ttl = extra
        ident = item_id(namespace, key)
        if op.value is None:  # its search row goes with it (a cascading foreign key or a trigger)
            self.db.execute("DELETE FROM langgraph_store WHERE id = :id", {"id": ident})
            return
        expires = None if ttl is None else now + timedelta(minutes=ttl)
        values = self.writer.encode((ident, namespace, key, dict(op.value), now, now, expires, ttl))
        self.db.execute(self._upsert, dict(zip(WRITTEN, values, strict=True)))
        if self._side:
            row = search.side_row(STORE_SEARCH, ident, strings_in(op.value))
            self.db.execute(_SIDE_UPSERT, row)

    def _search(self, op: SearchOp, prefix: str, now: datetime) -> list[SearchItem]:
        if op.query is not None and search.words(op.query):
            rows, scores = self._text_search(op.query, prefix, now)
        else:
            where, params = [_LIVE], {}
            if prefix:
                where.append("(namespace = :ns OR namespace LIKE :pattern ESCAPE '!')")
                params = {"ns": prefix, "pattern": _escape_like(prefix) + ".%"}
            sql = f"{self._select_sql} WHERE {' AND '.join(where)} ORDER BY updated_at DESC, namespace, {self._key}"
            rows = self._select(sql, params, now)
            scores = [None] * len(rows)
        if op.filter:
            kept = [i for i, row in enumerate(rows) if matches(row[2], op.filter)]
            rows, scores = [rows[i] for i in kept], [scores[i] for i in kept]
        page = slice(op.offset, op.offset + op.limit)
        rows, scores = rows[page], scores[page]
        if rows and self._refresh(op.refresh_ttl):
            self._touch(rows, now)
        return [_search_item(row, score) for row, score in zip(rows, scores, strict=True)]

    def _text_search(self, query: str, prefix: str, now: datetime) -> tuple[list[list[Any]], list[float | None]]:
        """Rows holding every word of `query`, best first, through the dialect's full-text index."""
        table = langgraph_store
        live = or_(table.c.expires_at.is_(None), table.c.expires_at > now)
        statement = select(*(table.c[name] for name in COLUMNS)).where(live)
        if prefix:
            pattern = _escape_like(prefix) + ".%"
            statement = statement.where(or_(table.c.namespace == prefix, table.c.namespace.like(pattern, escape="!")))
        statement = search.apply(statement, STORE_SEARCH, self.db.dialect, table, search.words(query))
        statement = statement.order_by(table.c.updated_at.desc(), table.c.namespace, table.c.key)
        with translating(), self.db.engine.connect() as connection:
            found = connection.execute(statement).all()
        return [list(row[: len(COLUMNS)]) for row in found], [float(row[-1]) for row in found]

    def _namespaces(self, op: ListNamespacesOp, now: datetime) -> list[tuple[str, ...]]:
        rows = self.db.fetch_all(f"SELECT DISTINCT namespace FROM langgraph_store WHERE {_LIVE}",
                                 {"now": self._time(now)})  # fmt: skip
        found = {tuple(row["namespace"].split(".")) for row in rows}
        found = {ns for ns in found if all(_matches(condition, ns) for condition in op.match_conditions or ())}
        if op.max_depth is not None:
            found = {ns[: op.max_depth] for ns in found}
        return sorted(found)[op.offset : op.offset + op.limit]


def _json_checked(value: Mapping[str, Any]) -> dict[str, Any]:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInput(f"a stored value must be JSON: {exc}") from None
    return dict(value)


def _check_page(limit: Any, offset: Any) -> None:
    for name, number in (("limit", limit), ("offset", offset)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise InvalidInput(f"{name} must be a non-negative integer, got {number!r}")


def _matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    path = tuple(condition.path)
    if len(namespace) < len(path):
        return False
    part = namespace[: len(path)] if condition.match_type == "prefix" else namespace[len(namespace) - len(path) :]
    return all(want == "*" or want == got for want, got in zip(path, part, strict=True))


def _item(row: list[Any]) -> Item:
    return Item(value=row[2], key=row[1], namespace=tuple(row[0].split(".")), created_at=row[3], updated_at=row[4])


def _search_item(row: list[Any], score: float | None) -> SearchItem:
    return SearchItem(tuple(row[0].split(".")), row[1], row[2], row[3], row[4], score)
