"""Each drop-in takes its replaced store's parameters, by the same names in the same order.

The names below are the replaced stores' public signatures (docs/compat.md has them side by side
with memcore's and their sources); memcore may add parameters after them, never rename or reorder.
"""

import inspect

import pytest

from memcore.compat import chat, conflict_store, ia_checkpoint, ideas, ltm, nexusql
from memcore.domain.shared.errors import InvalidInput

TRACK_ENTRY = ["key", "content_hash", "storage_uri", "byte_size", "metadata", "inlined_value", "expires_at"]
UPSTREAM = {
    # casual-memory c30318a, storage/conflicts/{sqlalchemy,memory}.py
    (conflict_store.SQLAlchemyConflictStore, "__init__"): ["engine"],
    (conflict_store.SQLAlchemyConflictStore, "create_tables"): [],
    (conflict_store.SQLAlchemyConflictStore, "add_conflict"): ["conflict"],
    (conflict_store.SQLAlchemyConflictStore, "get_conflict"): ["conflict_id"],
    (conflict_store.SQLAlchemyConflictStore, "get_pending_conflicts"): ["user_id", "limit"],
    (conflict_store.SQLAlchemyConflictStore, "resolve_conflict"): ["conflict_id", "resolution"],
    (conflict_store.SQLAlchemyConflictStore, "get_conflict_count"): ["user_id", "status"],
    (conflict_store.SQLAlchemyConflictStore, "escalate_conflict"): ["conflict_id"],
    (conflict_store.SQLAlchemyConflictStore, "clear_user_conflicts"): ["user_id", "status"],
    (conflict_store.InMemoryConflictStore, "__init__"): [],
    # the_edge_agent f507cd9, memory/sqlalchemy_backend.py, catalog_sqlalchemy.py, base.py, catalog.py
    (ltm.SQLAlchemyBackend, "__init__"): ["url", "pool_size", "echo", "lazy", "table_name"],
    (ltm.SQLAlchemyBackend, "store"): ["key", "value", "metadata"],
    (ltm.SQLAlchemyBackend, "retrieve"): ["key", "default"],
    (ltm.SQLAlchemyBackend, "delete"): ["key"],
    (ltm.SQLAlchemyBackend, "search"): ["query", "metadata_filter", "limit"],
    (ltm.SQLAlchemyBackend, "iterate_all"): [],
    (ltm.SQLAlchemyBackend, "transaction"): [],
    (ltm.SQLAlchemyBackend, "close"): [],
    (ltm.SQLAlchemyCatalog, "__init__"): ["url", "pool_size", "echo", "auto_migrate", "lazy"],
    (ltm.SQLAlchemyCatalog, "track_entry"): TRACK_ENTRY,
    (ltm.SQLAlchemyCatalog, "get_entry"): ["key"],
    (ltm.SQLAlchemyCatalog, "list_entries"): ["prefix", "metadata_filter", "limit"],
    (ltm.SQLAlchemyCatalog, "delete_entry"): ["key"],
    (ltm.SQLAlchemyCatalog, "get_changed_entries"): ["since_snapshot_id"],
    (ltm.SQLAlchemyCatalog, "create_snapshot"): ["name"],
    (ltm.SQLAlchemyCatalog, "get_snapshot"): ["snapshot_id"],
    (ltm.SQLAlchemyCatalog, "store_batch"): ["entries", "atomic"],
    (ltm.SQLAlchemyCatalog, "retrieve_batch"): ["keys"],
    (ltm.SQLAlchemyCatalog, "cleanup_expired"): ["batch_size"],
    (ltm.SQLAlchemyCatalog, "close"): [],
    (ltm, "register_backend"): ["name", "backend_class"],
    (ltm, "get_registered_backends"): [],
    (ltm, "create_ltm_backend"): ["backend_type"],
    (ltm, "register_catalog_backend"): ["name", "cls"],
    (ltm, "get_registered_catalog_backends"): [],
    (ltm, "create_catalog_backend"): ["backend_type"],
    # maveric-minipilot ec66714, database/repository.py and db_config.py
    **{
        (chat, name): ["session", *params]
        for name, params in {
            "create_user": ["email", "name", "external_id"],
            "get_user_by_id": ["user_id"],
            "get_user_by_email": ["email"],
            "get_user_by_external_id": ["external_id"],
            "get_or_create_user_by_external_id": ["external_id", "email", "name"],
            "list_users": ["limit", "offset"],
            "update_user": ["user_id", "email", "name"],
            "delete_user": ["user_id"],
            "create_conversation": ["user_id", "title", "status"],
            "get_conversation_by_id": ["conversation_id"],
            "list_conversations_for_user": ["user_id", "status", "limit", "offset"],
            "list_all_conversations": ["status", "limit", "offset"],
            "update_conversation": ["conversation_id", "title", "status"],
            "archive_conversation": ["conversation_id"],
            "delete_conversation": ["conversation_id"],
            "add_message": ["conversation_id", "sender_type", "content", "role_metadata"],
            "get_message_by_id": ["message_id"],
            "list_messages_for_conversation": ["conversation_id", "limit", "offset", "sender_type"],
            "get_conversation_message_count": ["conversation_id"],
            "delete_message": ["message_id"],
            "upsert_knowledge_chunk": ["source", "content", "external_id", "title", "chunk_metadata"],
            "get_knowledge_chunk_by_id": ["chunk_id"],
            "get_knowledge_chunk_by_external_id": ["external_id", "source"],
            "search_knowledge_chunks_by_source": ["source", "limit", "offset"],
            "list_all_knowledge_chunks": ["limit", "offset"],
            "delete_knowledge_chunk": ["chunk_id"],
            "bulk_upsert_knowledge_chunks": ["chunks"],
        }.items()
    },
    **{(chat, name): [] for name in ("get_engine", "get_session", "session_scope", "init_db", "drop_db", "reset_db")},
    (chat, "get_database_url"): [],
    (chat, "create_database_engine"): ["url"],
    # PrismQ.IdeaInspiration.Model dc52d30, idea_inspiration.py
    (ideas.IdeaInspiration, "from_text"): ["title", "description", "text_content", "keywords", "metadata"],
    (ideas.IdeaInspiration, "from_video"): ["title", "description", "subtitle_text", "keywords", "metadata"],
    (ideas.IdeaInspiration, "from_audio"): ["title", "description", "transcription", "keywords", "metadata"],
    (ideas.IdeaInspiration, "to_dict"): [],
    (ideas.IdeaInspiration, "from_dict"): ["data"],
    # nexusql 4be2be8, nexusql/manager.py and interfaces.py
    (nexusql.DatabaseManager, "__init__"): ["database_url_or_config"],
    (nexusql.DatabaseManager, "initialize"): ["apply_schema", "app_migration_paths"],
    **{(nexusql.DatabaseManager, n): [] for n in ("connect", "disconnect", "close")},
    **{
        (nexusql.DatabaseManager, n): ["query", "params"]
        for n in ("execute", "execute_async", "fetch_one", "fetch_all")
    },
    (nexusql.DatabaseManager, "create_table"): ["table_name", "schema"],
    (nexusql.DatabaseManager, "table_exists"): ["table_name"],
    (nexusql.DatabaseManager, "execute_script"): ["script"],
    (nexusql.ConnectionConfig, "from_url"): ["database_url"],
    (nexusql.QueryResult, "get_first_row"): [],
    (nexusql.QueryResult, "get_column_values"): ["column_name"],
    # ia_modules f93a816, ia_modules/checkpoint/sql.py and core.py
    (ia_checkpoint.SQLCheckpointer, "__init__"): ["db_manager"],
    (ia_checkpoint.SQLCheckpointer, "save_checkpoint"): [
        "thread_id",
        "pipeline_id",
        "step_id",
        "step_index",
        "state",
        "metadata",
        "step_name",
        "parent_checkpoint_id",
    ],
    (ia_checkpoint.SQLCheckpointer, "load_checkpoint"): ["thread_id", "checkpoint_id"],
    (ia_checkpoint.SQLCheckpointer, "list_checkpoints"): ["thread_id", "pipeline_id", "limit", "offset"],
    (ia_checkpoint.SQLCheckpointer, "delete_checkpoint"): ["thread_id", "checkpoint_id"],
    (ia_checkpoint.SQLCheckpointer, "delete_checkpoints"): ["thread_id", "pipeline_id"],
    (ia_checkpoint.SQLCheckpointer, "get_checkpoint_stats"): ["thread_id"],
    (ia_checkpoint.SQLCheckpointer, "close"): [],
    (ia_checkpoint.Checkpoint, "to_dict"): [],
    (ia_checkpoint.Checkpoint, "from_dict"): ["data"],
}


def positional_names(owner, name) -> list[str]:
    parameters = list(inspect.signature(getattr(owner, name)).parameters.values())
    if parameters and parameters[0].name == "self":  # an __init__ read off the class
        parameters = parameters[1:]
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in parameters if p.kind in kinds]


@pytest.mark.parametrize(("owner", "name"), list(UPSTREAM), ids=[f"{o.__name__}.{n}" for o, n in UPSTREAM])
def test_a_drop_in_method_starts_with_the_replaced_parameters_in_their_order(owner, name):
    assert positional_names(owner, name)[: len(UPSTREAM[owner, name])] == UPSTREAM[owner, name]


def test_an_unknown_backend_is_memcores_invalid_input_and_the_replaced_value_error():
    with pytest.raises(ValueError, match="no LTM backend named 'nope'") as raised:
        ltm.create_ltm_backend("nope", url="sqlite://")
    assert isinstance(raised.value, InvalidInput)


def test_the_ltm_constructors_take_the_replaced_extra_parameters(tmp_path):
    url = f"sqlite:///{tmp_path / 'ltm.db'}"
    with ltm.SQLAlchemyBackend(url, table_name="ltm_entries") as backend:
        assert backend.store("k", 1)["success"] is True
    with pytest.raises(InvalidInput, match="table_name"):  # memcore's schema has the one table
        ltm.SQLAlchemyBackend(url, table_name="my_memories")
    with ltm.SQLAlchemyCatalog(url, 5, False, True, True) as catalog:  # positionally: auto_migrate, lazy
        assert catalog.track_entry("k", "sha256:x", None, 1, {})["success"] is True
    fresh = f"sqlite:///{tmp_path / 'unmigrated.db'}"
    with ltm.SQLAlchemyCatalog(fresh, auto_migrate=False) as catalog:
        assert catalog.track_entry("k", "sha256:x", None, 1, {})["success"] is False  # no schema made


def test_parse_backend_config_reads_the_replaced_flat_settings_into_a_type_and_kwargs(tmp_path):
    url = f"sqlite:///{tmp_path / 'flat.db'}"
    backend_type, kwargs = ltm.parse_backend_config(
        {"ltm_backend": "sqlalchemy", "ltm_url": url, "pool_size": 2, "lazy": True, "unrelated": 1}
    )
    assert (backend_type, kwargs) == ("sqlalchemy", {"url": url, "pool_size": 2, "lazy": True})
    with ltm.create_ltm_backend(backend_type, **kwargs) as backend:
        assert backend.store("k", "v")["success"] is True
    assert ltm.parse_backend_config({"ltm_path": "m.db", "storage": {"uri": "s3://b/"}}) == (
        "sqlite", {"db_path": "m.db", "storage_uri": "s3://b/"}
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="mapping"):
        ltm.parse_backend_config(["ltm_backend"])
