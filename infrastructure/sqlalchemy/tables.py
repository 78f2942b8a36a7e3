"""Every table memcore owns, on one MetaData: Alembic's target and the mappers' source."""

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, Table

from memcore.infrastructure.sqlalchemy.search import SearchIndex
from memcore.infrastructure.sqlalchemy.types import (
    BinaryString,
    BinaryText,
    Blob,
    Double,
    JsonText,
    JsonValue,
    UtcDateTime,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
MYSQL_OPTIONS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Names and columns match the `conflicts` table of the store memcore replaces.
conflicts = Table(
    "conflicts",
    metadata,
    Column("id", BinaryString(255), primary_key=True),
    Column("user_id", BinaryString(255), nullable=False),
    Column("memory_a_id", BinaryString(255), nullable=False),
    Column("memory_b_id", BinaryString(255), nullable=False),
    Column("category", BinaryString(255), nullable=False),
    Column("is_singleton_category", Boolean, nullable=False),
    Column("similarity_score", Double, nullable=False),
    Column("status", BinaryString(32), nullable=False),
    Column("avg_importance", Double, nullable=False),
    Column("clarification_hint", BinaryText, nullable=True),
    Column("resolution_type", BinaryString(32), nullable=True),
    Column("winning_memory_id", BinaryString(255), nullable=True),
    Column("resolution_attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime, nullable=True),
    Column("metadata_json", JsonText, nullable=True),
    Index(None, "user_id"),
    Index(None, "status"),
    Index(None, "user_id", "status"),
    **MYSQL_OPTIONS,
)
# A user's pending conflicts in the order they are listed, so LIMIT stops early (issue 18).
Index(
    "ix_conflicts_pending_order",
    conflicts.c.user_id,
    conflicts.c.status,
    conflicts.c.avg_importance.desc(),
    conflicts.c.created_at,
    conflicts.c.id,
)

# Names and columns match the `idea_inspiration` table of the store memcore replaces; JSON is text.
idea_inspiration = Table(
    "idea_inspiration",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("title", BinaryText, nullable=False),
    Column("description", BinaryText, nullable=True),
    Column("content", BinaryText, nullable=True),
    Column("keywords", JsonText, nullable=False),
    Column("source_type", BinaryString(32), nullable=False),
    Column("metadata", JsonText, nullable=False),
    Column("source_id", BinaryString(255), nullable=True),
    Column("source_url", BinaryText, nullable=True),
    Column("source_created_by", BinaryString(255), nullable=True),
    Column("source_created_at", UtcDateTime, nullable=True),
    Column("score", Integer, nullable=True),
    Column("category", BinaryString(255), nullable=True),
    Column("subcategory_relevance", JsonText, nullable=False),
    Column("contextual_category_scores", JsonText, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "source_id", unique=True),
    Index(None, "category"),
    Index(None, "score"),
    Index(None, "created_at"),
    Index(None, "category", "score"),
    sqlite_autoincrement=True,  # ids are never reused, as with PostgreSQL and MySQL sequences
    **MYSQL_OPTIONS,
)
# A category's ideas newest first (the filtered page's order), so its LIMIT stops early (issue 18).
Index(
    "ix_idea_inspiration_category_newest",
    idea_inspiration.c.category,
    idea_inspiration.c.created_at.desc(),
    idea_inspiration.c.id,
)

# Workflow checkpoints; `sequence` numbers a thread's checkpoints from 1.
pipeline_checkpoints = Table(
    "pipeline_checkpoints",
    metadata,
    Column("checkpoint_id", BinaryString(36), primary_key=True),
    Column("thread_id", BinaryString(255), nullable=False),
    Column("pipeline_id", BinaryString(255), nullable=False),
    Column("parent_id", BinaryString(36), nullable=True),
    Column("sequence", Integer, nullable=False),
    Column("state", JsonText, nullable=False),
    Column("metadata", JsonText, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # ia_modules' columns (migration 0011), filled by its drop-in only.
    Column("step_id", BinaryString(255), nullable=True),
    Column("step_index", Integer, nullable=True),
    Column("step_name", BinaryString(255), nullable=True),
    Column("timestamp", UtcDateTime, nullable=True),
    Column("status", BinaryString(50), nullable=True),
    Column("parent_checkpoint_id", BinaryString(36), nullable=True),
    Index(None, "thread_id", "sequence", unique=True),
    Index(None, "thread_id", "pipeline_id", "sequence"),
    **MYSQL_OPTIONS,
)


KEY_LENGTH = 512  # domain.memory.values.KEY_MAX_LENGTH

# Long-term memory: JSON values under string keys. Found by key, metadata, and full text (search.py).
ltm_entries = Table(
    "ltm_entries",
    metadata,
    Column("key", BinaryString(KEY_LENGTH), primary_key=True),
    Column("value", JsonValue, nullable=False),
    Column("metadata", JsonText, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "updated_at"),
    **MYSQL_OPTIONS,
)

# The catalog of stored blobs; id is the SHA-256 hex of the key.
ltm_catalog = Table(
    "ltm_catalog",
    metadata,
    Column("id", BinaryString(64), primary_key=True),
    Column("key", BinaryString(KEY_LENGTH), nullable=False),
    Column("content_hash", BinaryString(255), nullable=False),
    Column("storage_uri", BinaryText, nullable=True),
    Column("byte_size", BigInteger, nullable=False),
    Column("inlined_value", JsonText, nullable=True),
    Column("metadata", JsonText, nullable=True),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "key", unique=True),
    Index(None, "expires_at"),
    Index(None, "updated_at"),
    **MYSQL_OPTIONS,
)

ltm_catalog_snapshots = Table(
    "ltm_catalog_snapshots",
    metadata,
    Column("id", BinaryString(36), primary_key=True),
    Column("name", BinaryString(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("entry_count", BigInteger, nullable=False),
    Column("total_bytes", BigInteger, nullable=False),
    Index(None, "created_at"),
    **MYSQL_OPTIONS,
)

LTM_SEARCH = SearchIndex("ltm_entries", "key", BinaryString(KEY_LENGTH), texts=("key",), documents=("value",))

# The chat store: names, columns and indexes of the database it replaces. UUIDs are 36-character
# text; `email_key` (the lower-cased email) and `version` / `sequence` are memcore's own columns.
users = Table(
    "users",
    metadata,
    Column("id", BinaryString(36), primary_key=True),
    Column("external_id", BinaryString(255), nullable=True),
    Column("name", BinaryString(255), nullable=True),
    Column("email", BinaryString(255), nullable=True),
    Column("email_key", BinaryString(255), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "external_id", unique=True),
    Index(None, "email_key", unique=True),
    **MYSQL_OPTIONS,
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", BinaryString(36), primary_key=True),
    Column("user_id", BinaryString(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("title", BinaryText, nullable=True),
    Column("status", BinaryString(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("session_id", BinaryString(255), nullable=True),  # conversation memory's session
    Index(None, "user_id", "status"),
    Index(None, "created_at"),
    Index(None, "session_id"),
    **MYSQL_OPTIONS,
)

messages = Table(
    "messages",
    metadata,
    Column("id", BinaryString(36), primary_key=True),
    Column("conversation_id", BinaryString(36), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("sender_type", BinaryString(16), nullable=False),
    Column("content", BinaryText, nullable=False),
    Column("role_metadata", JsonText, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sequence", Integer, nullable=False),
    Index(None, "conversation_id", "created_at"),
    Index(None, "conversation_id", "sequence"),
    **MYSQL_OPTIONS,
)

knowledge_chunks = Table(
    "knowledge_chunks",
    metadata,
    Column("id", BinaryString(36), primary_key=True),
    Column("source", BinaryString(255), nullable=False),
    Column("external_id", BinaryString(255), nullable=False),
    Column("title", BinaryText, nullable=True),
    Column("content", BinaryText, nullable=False),
    Column("chunk_metadata", JsonText, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "source"),
    Index(None, "external_id"),
    Index(None, "created_at"),
    Index(None, "source", "external_id", unique=True),
    **MYSQL_OPTIONS,
)

_METRIC_ID = BigInteger().with_variant(Integer(), "sqlite")

# Metric storage: a series is a name with one set of tags; `ts` is microseconds since the epoch.
metric_series = Table(
    "metric_series",
    metadata,
    Column("id", _METRIC_ID, primary_key=True, autoincrement=True),
    Column("name", BinaryString(255), nullable=False),
    Column("tags", JsonText, nullable=False),
    Column("series_key", BinaryString(64), nullable=False),
    Index(None, "series_key", unique=True),
    Index(None, "name"),
    sqlite_autoincrement=True,
    **MYSQL_OPTIONS,
)

metric_series_tags = Table(
    "metric_series_tags",
    metadata,
    Column("series_id", _METRIC_ID, ForeignKey("metric_series.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", BinaryString(255), primary_key=True),
    Column("value", BinaryString(255), nullable=False),
    Index(None, "tag", "value"),
    **MYSQL_OPTIONS,
)

metric_points = Table(
    "metric_points",
    metadata,
    Column("id", _METRIC_ID, primary_key=True, autoincrement=True),
    Column("series_id", _METRIC_ID, ForeignKey("metric_series.id", ondelete="CASCADE"), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("value", Double, nullable=False),
    Index(None, "series_id", "ts", "value"),  # covering: a bucketed aggregate reads the index alone
    Index(None, "ts"),
    sqlite_autoincrement=True,
    **MYSQL_OPTIONS,
)

CHUNK_SEARCH = SearchIndex("knowledge_chunks", "id", BinaryString(36), texts=("title", "content"))
SEARCH_INDEXES = (LTM_SEARCH, CHUNK_SEARCH)  # their objects are created by the migrations, outside this metadata

# LangGraph's checkpoint model (memcore.integrations.langgraph): one row per checkpoint of a thread
# and namespace, the checkpoint serialised whole by the graph's serializer (`type` names its
# format), metadata as JSON; `run_id` is lifted out of the metadata for delete_for_runs.
GRAPH_THREAD_LENGTH, GRAPH_ID_LENGTH = 255, 64  # see domain/checkpoints/graph.py
langgraph_checkpoints = Table(
    "langgraph_checkpoints",
    metadata,
    Column("thread_id", BinaryString(GRAPH_THREAD_LENGTH), primary_key=True),
    Column("checkpoint_ns", BinaryString(GRAPH_THREAD_LENGTH), primary_key=True),
    Column("checkpoint_id", BinaryString(GRAPH_ID_LENGTH), primary_key=True),
    Column("parent_checkpoint_id", BinaryString(GRAPH_ID_LENGTH), nullable=True),
    Column("run_id", BinaryString(GRAPH_THREAD_LENGTH), nullable=True),
    Column("type", BinaryString(32), nullable=False),
    Column("checkpoint", Blob, nullable=False),
    Column("metadata", JsonText, nullable=False),
    Index(None, "run_id"),
    **MYSQL_OPTIONS,
)

# Pending writes of a checkpoint's tasks; `idx` is the write's place in its task's batch (negative
# for LangGraph's special channels), `task_path` orders tasks as a live run applies them.
langgraph_writes = Table(
    "langgraph_writes",
    metadata,
    Column("thread_id", BinaryString(GRAPH_THREAD_LENGTH), primary_key=True),
    Column("checkpoint_ns", BinaryString(GRAPH_THREAD_LENGTH), primary_key=True),
    Column("checkpoint_id", BinaryString(GRAPH_ID_LENGTH), primary_key=True),
    Column("task_id", BinaryString(GRAPH_ID_LENGTH), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("channel", BinaryString(GRAPH_THREAD_LENGTH), nullable=False),
    Column("type", BinaryString(32), nullable=False),
    Column("value", Blob, nullable=False),
    Column("task_path", BinaryText, nullable=False),
    **MYSQL_OPTIONS,
)

# LangGraph's long-term store (MemcoreStore): JSON documents under a namespace (its labels joined by
# ".") and a key; `id` is the SHA-256 hex of namespace NUL key (the full-text index's one-column
# key); `expires_at` is `ttl_minutes` after the last write or refreshing read.
langgraph_store = Table(
    "langgraph_store",
    metadata,
    Column("id", BinaryString(64), primary_key=True),
    Column("namespace", BinaryString(GRAPH_THREAD_LENGTH), nullable=False),
    Column("key", BinaryString(GRAPH_THREAD_LENGTH), nullable=False),
    Column("value", JsonText, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("ttl_minutes", Double, nullable=True),
    Index(None, "namespace", "key", unique=True),
    Index(None, "expires_at"),
    **MYSQL_OPTIONS,
)
STORE_SEARCH = SearchIndex("langgraph_store", "id", BinaryString(64), documents=("value",))

# MemcoreStore's vector index (issue 17): an item's embedded texts, one normalised float32 vector each
# (little-endian bytes), deleted with the item; searched exactly, by cosine over the candidates.
langgraph_store_vectors = Table(
    "langgraph_store_vectors",
    metadata,
    Column("id", BinaryString(64), ForeignKey("langgraph_store.id", ondelete="CASCADE"), primary_key=True),
    Column("n", Integer, primary_key=True, autoincrement=False),
    Column("field", BinaryString(255), nullable=False),
    Column("vector", Blob, nullable=False),
    **MYSQL_OPTIONS,
)
SEARCH_INDEXES = (*SEARCH_INDEXES, STORE_SEARCH)

# ia_modules' reliability records (memcore.compat.ia_metrics): the columns of its
# `reliability_steps`, `reliability_workflows` and `reliability_slo_measurements`, fixed-shape rows
# beside the metric context's time series (they are queried as rows, not aggregated as points).
reliability_steps = Table(
    "reliability_steps",
    metadata,
    Column("id", _METRIC_ID, primary_key=True, autoincrement=True),
    Column("agent_name", BinaryString(255), nullable=False),
    Column("success", Boolean, nullable=False),
    Column("required_compensation", Boolean, nullable=False),
    Column("required_human", Boolean, nullable=False),
    Column("mode", BinaryString(50), nullable=True),
    Column("declared_mode", BinaryString(50), nullable=True),
    Column("mode_violation", Boolean, nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),
    Index(None, "agent_name", "timestamp"),
    Index(None, "timestamp"),
    sqlite_autoincrement=True,
    **MYSQL_OPTIONS,
)

reliability_workflows = Table(
    "reliability_workflows",
    metadata,
    Column("id", _METRIC_ID, primary_key=True, autoincrement=True),
    Column("workflow_id", BinaryString(255), nullable=False),
    Column("steps", Integer, nullable=False),
    Column("retries", Integer, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("required_human", Boolean, nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),
    Index(None, "workflow_id", unique=True),
    Index(None, "timestamp"),
    sqlite_autoincrement=True,
    **MYSQL_OPTIONS,
)

reliability_slo_measurements = Table(
    "reliability_slo_measurements",
    metadata,
    Column("id", _METRIC_ID, primary_key=True, autoincrement=True),
    Column("measurement_type", BinaryString(10), nullable=False),
    Column("thread_id", BinaryString(255), nullable=False),
    Column("checkpoint_id", BinaryString(255), nullable=True),
    Column("duration_ms", BigInteger, nullable=True),
    Column("replay_mode", BinaryString(50), nullable=True),
    Column("success", Boolean, nullable=False),
    Column("error", BinaryText, nullable=True),
    Column("timestamp", UtcDateTime, nullable=False),
    Index(None, "measurement_type", "timestamp"),
    sqlite_autoincrement=True,
    **MYSQL_OPTIONS,
)
