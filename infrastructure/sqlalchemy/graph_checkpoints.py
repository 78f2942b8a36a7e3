"""SQL of the graph checkpoint tables (LangGraph's model), written once per dialect.

The statements use `:name` parameters for `Database` / `AsyncDatabase` (raw_sql.py), which bind
them straight on the DB-API connection: the lean route a checkpointer's hot path needs. Tables and
columns are those of tables.py (`langgraph_checkpoints`, `langgraph_writes`).
"""

from functools import cache

import attrs

CHECKPOINTS, WRITES = "langgraph_checkpoints", "langgraph_writes"
CHECKPOINT_COLUMNS = (
    "thread_id", "checkpoint_ns", "checkpoint_id", "parent_checkpoint_id", "run_id", "type", "checkpoint", "metadata",
)  # fmt: skip
WRITE_COLUMNS = (
    "thread_id",
    "checkpoint_ns",
    "checkpoint_id",
    "task_id",
    "idx",
    "channel",
    "type",
    "value",
    "task_path",
)
_READ = "checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata"
_IN_THREAD = "thread_id = :thread_id AND checkpoint_ns = :checkpoint_ns"


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"


def _upsert(dialect: str, table: str, columns: tuple[str, ...], key: int, update: bool, rows: int = 0) -> str:
    """INSERT that replaces (`update`) or keeps the row already under the first `key` columns.

    With `rows`, one statement inserts that many rows, their parameters named `<column>_<row>`.
    """
    insert = _insert(table, columns) if not rows else _insert_rows(table, columns, rows)
    values = columns[key:]
    if dialect == "mysql":
        changes = ", ".join(f"{c} = VALUES({c})" for c in values) if update else f"{columns[0]} = {columns[0]}"
        return f"{insert} ON DUPLICATE KEY UPDATE {changes}"
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in values) if update else "DO NOTHING"
    return f"{insert} ON CONFLICT ({', '.join(columns[:key])}) {action}"


def _insert_rows(table: str, columns: tuple[str, ...], rows: int) -> str:
    values = ", ".join("(" + ", ".join(f":{c}_{i}" for c in columns) + ")" for i in range(rows))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"


WRITES_PER_STATEMENT = 100  # 900 parameters: within every driver's and server's limit


@cache
def put_writes_sql(dialect: str, rows: int, replace: bool) -> str:
    """One statement writing `rows` pending writes (one round trip, atomic without a transaction).

    `replace`: LangGraph's special channels (errors, interrupts) replace what the task wrote before;
    other writes keep the first one stored under their (task, idx).
    """
    lex = "mysql" if dialect in ("mysql", "mariadb") else dialect
    return _upsert(lex, WRITES, WRITE_COLUMNS, 5, update=replace, rows=rows)


def _with_writes(pick: str) -> str:
    """A checkpoint (`part` 0) and its pending writes (`part` 1) in one statement, unordered.

    A UNION rather than a join, so a large checkpoint is sent once, not once per write; `pick`
    chooses the checkpoint id. The caller sorts the few rows by (part, path, ident, idx): an ORDER BY
    would make MariaDB sort through an on-disk temporary table (the rows hold BLOBs), 5x slower.
    """
    return (
        "SELECT 0 AS part, checkpoint_id AS ident, parent_checkpoint_id AS link, type AS kind, checkpoint AS body, "
        f"metadata AS detail, '' AS path, 0 AS idx FROM {CHECKPOINTS} WHERE {_IN_THREAD} AND checkpoint_id = {pick} "
        f"UNION ALL SELECT 1, task_id, channel, type, value, NULL, task_path, idx FROM {WRITES} "
        f"WHERE {_IN_THREAD} AND checkpoint_id = {pick}"
    )


def _copy(dialect: str, table: str, columns: tuple[str, ...]) -> str:
    target = "CAST(:target AS VARCHAR)" if dialect == "postgresql" else ":target"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {target}, {', '.join(columns[1:])} "
        f"FROM {table} WHERE thread_id = :source"
    )


@attrs.frozen
class GraphCheckpointSql:
    """Every statement the checkpointers run, for one dialect ("sqlite", "postgresql" or "mysql")."""

    put: str
    get: str
    latest: str
    writes_of_many: str
    list_columns: str
    delete_thread: tuple[str, str]
    delete_threads: tuple[str, str]
    delete_runs: tuple[str, str]
    thread_exists: str
    copy: tuple[str, str]
    latest_per_namespace: str
    delete_before: tuple[str, str]
    list_with_writes: str | None  # `{listed}`: a list_columns query of one thread and namespace


def _list_with_writes(lex: str) -> str | None:
    """The listed checkpoints (part 0) and their pending writes (part 1) in one statement, unordered.

    Not on MariaDB/MySQL, which would materialise the BLOB rows of the CTE in an on-disk table
    (as for ORDER BY, see _with_writes): there list reads the writes in a second statement.
    """
    if lex == "mysql":
        return None
    on = " AND ".join(f"w.{c} = l.{c}" for c in ("thread_id", "checkpoint_ns", "checkpoint_id"))
    return (
        "WITH listed AS ({listed}) SELECT 0 AS part, thread_id, checkpoint_ns, checkpoint_id, "
        "parent_checkpoint_id AS ident, type AS kind, checkpoint AS body, metadata AS detail, NULL AS path, "
        "NULL AS idx FROM listed UNION ALL SELECT 1, w.thread_id, w.checkpoint_ns, w.checkpoint_id, w.task_id, "
        f"w.type, w.value, w.channel, w.task_path, w.idx FROM {WRITES} w JOIN listed l ON {on}"
    )


@cache
def graph_checkpoint_sql(dialect: str) -> GraphCheckpointSql:
    lex = "mysql" if dialect in ("mysql", "mariadb") else dialect
    of_run = (
        f"EXISTS (SELECT 1 FROM {CHECKPOINTS} c WHERE c.run_id IN (:run_ids) AND c.thread_id = {WRITES}.thread_id "
        f"AND c.checkpoint_ns = {WRITES}.checkpoint_ns AND c.checkpoint_id = {WRITES}.checkpoint_id)"
    )
    before = f"{_IN_THREAD} AND checkpoint_id < :latest"
    return GraphCheckpointSql(
        put=_upsert(lex, CHECKPOINTS, CHECKPOINT_COLUMNS, 3, update=True),
        get=_with_writes(":checkpoint_id"),
        latest=_with_writes(f"(SELECT MAX(checkpoint_id) FROM {CHECKPOINTS} WHERE {_IN_THREAD})"),
        # Unordered, as for _with_writes: the caller sorts by checkpoint_id, task_path, task_id, idx.
        writes_of_many=f"SELECT checkpoint_id, task_id, channel, type, value, task_path, idx FROM {WRITES} "
        f"WHERE {_IN_THREAD} AND checkpoint_id IN (:checkpoint_ids)",
        list_columns=f"SELECT thread_id, checkpoint_ns, {_READ} FROM {CHECKPOINTS}",
        delete_thread=tuple(f"DELETE FROM {t} WHERE thread_id = :thread_id" for t in (WRITES, CHECKPOINTS)),
        delete_threads=tuple(f"DELETE FROM {t} WHERE thread_id IN (:thread_ids)" for t in (WRITES, CHECKPOINTS)),
        delete_runs=(f"DELETE FROM {WRITES} WHERE {of_run}", f"DELETE FROM {CHECKPOINTS} WHERE run_id IN (:run_ids)"),
        thread_exists=f"SELECT 1 FROM {CHECKPOINTS} WHERE thread_id = :thread_id LIMIT 1",
        copy=(_copy(lex, CHECKPOINTS, CHECKPOINT_COLUMNS), _copy(lex, WRITES, WRITE_COLUMNS)),
        latest_per_namespace=f"SELECT thread_id, checkpoint_ns, MAX(checkpoint_id) AS latest FROM {CHECKPOINTS} "
        "WHERE thread_id IN (:thread_ids) GROUP BY thread_id, checkpoint_ns",
        delete_before=tuple(f"DELETE FROM {t} WHERE {before}" for t in (WRITES, CHECKPOINTS)),
        list_with_writes=_list_with_writes(lex),
    )
