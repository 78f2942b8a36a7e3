"""What the sync and async savers share: every operation written once, without I/O.

Each operation is a generator that yields the database calls it needs (`Call`) and receives their
results; `MemcoreSaver` runs it on a `Database`, `AsyncMemcoreSaver` on an `AsyncDatabase`. So
both twins send the same SQL (graph_checkpoints.py) on the lean route: statements prepared once,
bound straight on the DB-API connection, many rows with one executemany.
"""

from collections.abc import Generator, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_serializable_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from sqlalchemy.engine import make_url

from memcore.domain.checkpoints import graph
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.domain.shared.validation import check_text
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.graph_checkpoints import (
    WRITE_COLUMNS,
    WRITES_PER_STATEMENT,
    GraphCheckpointSql,
    graph_checkpoint_sql,
    put_writes_sql,
)
from memcore.integrations.langgraph.codec import decode_metadata, encode_metadata, matches

_T = TypeVar("_T")
IN_CHUNK = 500  # ids per IN (...) list when listing many checkpoints' writes


# A DeltaChannel leaves these keys in the metadata of the checkpoints it writes (LangGraph.js marks
# its threads with the second): keep_latest would lose the older writes its value is rebuilt from.
DELTA_KEYS = frozenset({"counters_since_delta_snapshot", "delta_writes_versioned"})
_DELTA = {"counters": '%"counters_since_delta_snapshot"%', "versioned": '%"delta_writes_versioned"%'}
DELTA_THREADS = (  # a cheap pre-filter on the JSON text; the keys are checked once decoded
    "SELECT thread_id, metadata FROM langgraph_checkpoints WHERE thread_id IN (:thread_ids) "
    "AND (metadata LIKE :counters OR metadata LIKE :versioned)"
)


class DeltaChannelThreads(InvalidInput, NotImplementedError):
    """prune(strategy="keep_latest") of threads that use a DeltaChannel (LangGraph raises
    NotImplementedError there; this is both that and memcore's InvalidInput)."""


class Call(NamedTuple):
    """One database call: `execute`, `execute_many` or `rows` (every row, as tuples), SQL, parameters."""

    method: str
    sql: str
    params: Any


Op = Generator[Call, Any, _T]


def migrate_to_head(url: str) -> None:
    """Run memcore's migrations on `url` (any of its drivers, sync or asyncio) up to the newest."""
    parsed = make_url(url)
    sync = parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=False)
    engine = build_engine(Settings(url=sync))
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def _thread(config: RunnableConfig) -> tuple[str, str]:
    configurable = config.get("configurable") if type(config) is dict else None
    if type(configurable) is not dict:
        configurable = _configurable(config)
    thread_id = configurable.get("thread_id")
    namespace = configurable.get("checkpoint_ns", "")
    # The common case, checked inline (this runs on every call): short ASCII text without NUL.
    if (type(thread_id) is str and type(namespace) is str and 0 < len(thread_id) <= graph.THREAD_MAX
            and len(namespace) <= graph.THREAD_MAX and thread_id.isascii() and namespace.isascii()
            and "\x00" not in thread_id and "\x00" not in namespace):  # fmt: skip
        return thread_id, namespace
    if thread_id is None:
        raise InvalidInput("the config's 'configurable' needs a thread_id")
    thread_id = thread_id if isinstance(thread_id, str) else str(thread_id)
    return graph.check_thread_id(thread_id), graph.check_namespace(namespace)


def _configurable(config: Any) -> Mapping[str, Any]:
    configurable = config.get("configurable") if isinstance(config, Mapping) else None
    if not isinstance(configurable, Mapping):
        raise InvalidInput("a LangGraph config is a mapping with a 'configurable' mapping")
    return configurable


def _config(thread_id: str, namespace: str, checkpoint_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": namespace, "checkpoint_id": checkpoint_id}}


class MemcoreSaverBase(BaseCheckpointSaver[int]):
    """The checkpointer's operations over memcore's graph checkpoint tables, for one dialect."""

    sql: GraphCheckpointSql

    def __init__(self, dialect: str, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        self.dialect = dialect
        self.sql = graph_checkpoint_sql(dialect)

    # -- encoding

    def _dumps(self, what: str, value: Any) -> tuple[str, bytes]:
        try:
            return self.serde.dumps_typed(value)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"cannot serialise the {what}: {exc}") from None

    def _tuple(
        self, thread_id: str, namespace: str, row: Sequence[Any], writes: Iterable[Sequence[Any]]
    ) -> CheckpointTuple:
        """`row`: checkpoint id, parent id, type, blob, metadata; `writes`: task id, channel, type, blob."""
        checkpoint_id, parent, type_, blob, metadata = row
        loads = self.serde.loads_typed
        try:
            checkpoint = loads((type_, blob))
            pending = [(w[0], w[1], loads((w[2], w[3]))) for w in writes]
        except NotImplementedError:  # e.g. "pickle" while the serializer's pickle fallback is off
            kinds = sorted({type_, *(w[2] for w in writes)})
            raise InvalidInput(f"refusing to load values stored as {kinds}: the serializer forbids one") from None
        return CheckpointTuple(
            {"configurable": {"thread_id": thread_id, "checkpoint_ns": namespace, "checkpoint_id": checkpoint_id}},
            checkpoint,
            decode_metadata(metadata),
            None
            if parent is None
            else {"configurable": {"thread_id": thread_id, "checkpoint_ns": namespace, "checkpoint_id": parent}},
            pending,
        )

    # -- reads, in two halves each: the query to send, and the tuples its rows make (the sync saver
    # calls them directly, the generators below chain them for both twins)

    def _get_query(self, config: RunnableConfig) -> tuple[str, str, str, dict[str, Any]]:
        """Thread, namespace, SQL and parameters of get_tuple: one statement, checkpoint and writes."""
        thread_id, namespace = _thread(config)
        checkpoint_id = config["configurable"].get("checkpoint_id")
        if checkpoint_id is None:
            return thread_id, namespace, self.sql.latest, {"thread_id": thread_id, "checkpoint_ns": namespace}
        key = {"thread_id": thread_id, "checkpoint_ns": namespace}
        key["checkpoint_id"] = graph.check_graph_id("checkpoint id", checkpoint_id)
        return thread_id, namespace, self.sql.get, key

    def _from_union(self, thread_id: str, namespace: str, rows: list[Sequence[Any]]) -> CheckpointTuple | None:
        """The tuple of `_get_query`'s rows: the checkpoint (part 0), then its writes (part 1)."""
        if not rows:
            return None
        if len(rows) > 1:
            rows = sorted(rows, key=_union_order)
        first = rows[0]
        if first[0] != 0:  # writes may be stored for a checkpoint that is not
            return None
        return self._tuple(thread_id, namespace, first[1:6], [row[1:5] for row in rows[1:]])

    def _list_query(
        self,
        config: RunnableConfig | None,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> tuple[str, dict[str, Any]]:
        where, params = _list_where(config, before)
        if filter is not None and not (isinstance(filter, Mapping) and all(isinstance(k, str) for k in filter)):
            raise InvalidInput("filter must be a mapping of metadata keys to values")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise InvalidInput(f"limit must be a non-negative integer, got {limit!r}")
        sql = self.sql.list_columns + (f" WHERE {' AND '.join(where)}" if where else "")
        # Within one thread and namespace the checkpoint id alone orders (the index's order).
        one = "thread_id" in params and "checkpoint_ns" in params
        sql += " ORDER BY checkpoint_id DESC" if one else " ORDER BY checkpoint_id DESC, thread_id, checkpoint_ns"
        if limit is not None and not filter:  # with a filter the limit counts matches, checked below
            sql += " LIMIT :limit"
            params["limit"] = limit
        return sql, params

    def _list_one(self, sql: str, params: dict[str, Any], filter: dict[str, Any] | None) -> str | None:
        """The one statement listing checkpoints and their writes together (`_from_listed`), where
        it applies: one thread and namespace, no metadata filter, a dialect that has it."""
        one_thread = "thread_id" in params and "checkpoint_ns" in params
        if filter or not one_thread or self.sql.list_with_writes is None:
            return None
        return self.sql.list_with_writes.format(listed=sql)

    def _from_listed(self, rows: list[Sequence[Any]]) -> list[CheckpointTuple]:
        """The tuples of `_list_one`'s rows, newest first, writes by (task_path, task_id, idx)."""
        checkpoints = [row for row in rows if row[0] == 0]
        if len(checkpoints) > 1:
            checkpoints.sort(key=_listed_order, reverse=True)
        writes: dict[str, list[Sequence[Any]]] = {}
        for row in rows:
            if row[0] == 1:
                found = writes.get(row[3])
                if found is None:
                    writes[row[3]] = [row]
                else:
                    found.append(row)
        tuple_ = self._tuple
        out = []
        for row in checkpoints:
            got = writes.get(row[3], ())
            if len(got) > 1:
                got = sorted(got, key=_listed_write_order)
            out.append(tuple_(row[1], row[2], row[3:8], [(w[4], w[7], w[5], w[6]) for w in got]))
        return out

    @staticmethod
    def _listed(rows: list[Sequence[Any]], filter: dict[str, Any] | None, limit: int | None) -> list[Sequence[Any]]:
        if filter:
            return [row for row in rows if matches(decode_metadata(row[6]), filter)][:limit]
        return rows

    def _writes_queries(self, rows: list[Sequence[Any]]) -> list[dict[str, Any]]:
        """Parameters of `writes_of_many` for listed checkpoints: one per namespace and chunk of ids."""
        ids: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            ids.setdefault((row[0], row[1]), []).append(row[2])
        return [
            {"thread_id": thread_id, "checkpoint_ns": namespace, "checkpoint_ids": checkpoint_ids[at : at + IN_CHUNK]}
            for (thread_id, namespace), checkpoint_ids in ids.items()
            for at in range(0, len(checkpoint_ids), IN_CHUNK)
        ]

    def _list_tuples(
        self, rows: list[Sequence[Any]], queries: list[dict[str, Any]], found: list[list[Sequence[Any]]]
    ) -> list[CheckpointTuple]:
        """The listed tuples: `found` holds the writes each of `queries` read."""
        writes: dict[tuple[str, str, str], list[Sequence[Any]]] = {}
        for params, got in zip(queries, found, strict=True):
            thread_id, namespace = params["thread_id"], params["checkpoint_ns"]
            if len(got) > 1:
                got = sorted(got, key=_many_order)
            for w in got:
                key = (thread_id, namespace, w[0])
                if key in writes:
                    writes[key].append(w[1:5])
                else:
                    writes[key] = [w[1:5]]
        tuple_ = self._tuple
        return [tuple_(row[0], row[1], row[2:], writes.get((row[0], row[1], row[2]), ())) for row in rows]

    # -- operations

    def _put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> Op[RunnableConfig]:
        thread_id, namespace = _thread(config)
        checkpoint_id = graph.check_graph_id("checkpoint id", checkpoint.get("id"))
        parent = get_checkpoint_id(config)
        kept = get_serializable_checkpoint_metadata(config, metadata)
        run_id = kept.get("run_id")
        type_, blob = self._dumps("checkpoint", checkpoint)
        row = {
            "thread_id": thread_id,
            "checkpoint_ns": namespace,
            "checkpoint_id": checkpoint_id,
            "parent_checkpoint_id": None if parent is None else graph.check_graph_id("parent checkpoint id", parent),
            "run_id": None if run_id is None else graph.check_run_id(str(run_id)),
            "type": type_,
            "checkpoint": blob,
            "metadata": encode_metadata(kept),
        }
        yield Call("execute", self.sql.put, row)
        return _config(thread_id, namespace, checkpoint_id)

    def _put_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> Op[None]:
        thread_id, namespace = _thread(config)
        checkpoint_id = graph.check_graph_id("checkpoint id", get_checkpoint_id(config))
        task_id = graph.check_graph_id("task_id", task_id)
        task_path = check_text("task_path", task_path)
        rows: dict[tuple[str, int], tuple[Any, ...]] = {}
        replace = all(channel in WRITES_IDX_MAP for channel, _ in writes)
        for idx, (channel, value) in enumerate(writes):
            type_, blob = self._dumps(f"write to {channel!r}", value)
            key = (task_id, WRITES_IDX_MAP.get(channel, idx))
            if replace or key not in rows:  # one statement may not touch a row twice: last (or first) wins
                row = (thread_id, namespace, checkpoint_id, *key, graph.check_channel(channel), type_, blob, task_path)
                rows[key] = row
        ordered = list(rows.values())
        for start in range(0, len(ordered), WRITES_PER_STATEMENT):
            chunk = ordered[start : start + WRITES_PER_STATEMENT]
            params = {
                f"{column}_{i}": value
                for i, row in enumerate(chunk)
                for column, value in zip(WRITE_COLUMNS, row, strict=True)
            }
            yield Call("execute", put_writes_sql(self.dialect, len(chunk), replace), params)

    def _get_tuple(self, config: RunnableConfig) -> Op[CheckpointTuple | None]:
        thread_id, namespace, sql, params = self._get_query(config)
        rows = yield Call("rows", sql, params)
        return self._from_union(thread_id, namespace, rows)

    def _list(
        self,
        config: RunnableConfig | None,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> Op[list[CheckpointTuple]]:
        sql, params = self._list_query(config, filter, before, limit)
        one = self._list_one(sql, params, filter)
        if one is not None:
            return self._from_listed((yield Call("rows", one, params)))
        rows = self._listed((yield Call("rows", sql, params)), filter, limit)
        queries = self._writes_queries(rows)
        found = []
        for query in queries:
            found.append((yield Call("rows", self.sql.writes_of_many, query)))
        return self._list_tuples(rows, queries, found)

    def _delete_thread(self, thread_id: str) -> Op[None]:
        params = {"thread_id": graph.check_thread_id(str(thread_id))}
        for sql in self.sql.delete_thread:
            yield Call("execute", sql, params)

    def _delete_for_runs(self, run_ids: Sequence[str]) -> Op[None]:
        if isinstance(run_ids, str | bytes):
            raise InvalidInput("run_ids must be a list of run ids, not one string")
        checked = [graph.check_run_id(str(run_id)) for run_id in run_ids]
        for start in range(0, len(checked), IN_CHUNK):
            for sql in self.sql.delete_runs:
                yield Call("execute", sql, {"run_ids": checked[start : start + IN_CHUNK]})

    def _copy_thread(self, source_thread_id: str, target_thread_id: str) -> Op[None]:
        source = graph.check_thread_id(str(source_thread_id), "source_thread_id")
        target = graph.check_thread_id(str(target_thread_id), "target_thread_id")
        if source == target:
            raise InvalidInput("a thread cannot be copied onto itself")
        if (yield Call("rows", self.sql.thread_exists, {"thread_id": target})):
            raise AlreadyExists(f"thread {target!r} already has checkpoints; delete it first")
        for sql in self.sql.copy:
            yield Call("execute", sql, {"source": source, "target": target})

    def _prune(self, thread_ids: Sequence[str], strategy: str) -> Op[None]:
        threads = graph.check_thread_ids(thread_ids)
        graph.check_strategy(strategy)
        if strategy != "delete":  # refused before anything is pruned, as LangGraph's own savers do
            for start in range(0, len(threads), IN_CHUNK):
                found = yield Call("rows", DELTA_THREADS, {"thread_ids": threads[start : start + IN_CHUNK], **_DELTA})
                delta = sorted({t for t, metadata in found if DELTA_KEYS & decode_metadata(metadata).keys()})
                if delta:
                    raise DeltaChannelThreads(f"keep_latest cannot prune threads that use a DeltaChannel: {delta}")
        for start in range(0, len(threads), IN_CHUNK):
            chunk = {"thread_ids": threads[start : start + IN_CHUNK]}
            if strategy == "delete":
                for sql in self.sql.delete_threads:
                    yield Call("execute", sql, chunk)
                continue
            latest = yield Call("rows", self.sql.latest_per_namespace, chunk)
            if latest:
                # `< latest` rather than `<>`: a checkpoint put meanwhile is newer, and is kept.
                rows = [{"thread_id": t, "checkpoint_ns": ns, "latest": newest} for t, ns, newest in latest]
                for sql in self.sql.delete_before:
                    yield Call("execute_many", sql, rows)


def _union_order(row: Sequence[Any]) -> tuple[Any, ...]:
    """The checkpoint first, then its writes by `writes_sort_key` (task_path, task_id, idx)."""
    return row[0], row[6], row[1], row[7]


def _many_order(row: Sequence[Any]) -> tuple[Any, ...]:
    return row[0], row[5], row[1], row[6]


def _listed_order(row: Sequence[Any]) -> Any:
    return row[3]  # the checkpoint id (one thread and namespace)


def _listed_write_order(row: Sequence[Any]) -> tuple[Any, ...]:
    return row[8], row[4], row[9]  # task_path, task_id, idx


def _list_where(config: RunnableConfig | None, before: RunnableConfig | None) -> tuple[list[str], dict[str, Any]]:
    """WHERE terms and parameters of `list`: the config's thread, namespace and id, and `before`."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if config is not None:
        configurable = _configurable(config)
        if configurable.get("thread_id") is not None:
            thread_id, _ = _thread(config)
            where.append("thread_id = :thread_id")
            params["thread_id"] = thread_id
        if "checkpoint_ns" in configurable:
            where.append("checkpoint_ns = :checkpoint_ns")
            params["checkpoint_ns"] = graph.check_namespace(configurable["checkpoint_ns"])
        if configurable.get("checkpoint_id") is not None:
            where.append("checkpoint_id = :checkpoint_id")
            params["checkpoint_id"] = graph.check_graph_id("checkpoint id", configurable["checkpoint_id"])
    if before is not None:
        before_id = _configurable(before).get("checkpoint_id")
        where.append("checkpoint_id < :before")
        params["before"] = graph.check_graph_id("before checkpoint id", before_id)
    return where, params
