"""Migrations on every dialect: from empty to head, back to base, and no drift from the models."""

from sqlalchemy import inspect, text

from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.tables import metadata

INDEXES = {"ix_conflicts_user_id", "ix_conflicts_status", "ix_conflicts_user_id_status", "ix_conflicts_pending_order"}


def memcore_tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) & set(metadata.tables)


def test_upgrading_an_empty_database_reaches_head_with_no_drift(scratch_engine):
    assert migrate.current(scratch_engine) is None
    migrate.upgrade(scratch_engine)
    assert migrate.current(scratch_engine) == migrate.head()
    assert memcore_tables(scratch_engine) == set(metadata.tables)
    assert {ix["name"] for ix in inspect(scratch_engine).get_indexes("conflicts")} == INDEXES
    assert migrate.diff(scratch_engine) == []


def test_every_migration_downgrades_cleanly_and_upgrades_again(scratch_engine):
    migrate.upgrade(scratch_engine)
    migrate.downgrade(scratch_engine, "base")
    assert migrate.current(scratch_engine) is None
    assert memcore_tables(scratch_engine) == set()
    migrate.upgrade(scratch_engine)
    assert migrate.diff(scratch_engine) == []


def test_upgrading_twice_changes_nothing(scratch_engine):
    migrate.upgrade(scratch_engine)
    migrate.upgrade(scratch_engine)
    assert migrate.current(scratch_engine) == migrate.head()


def test_the_drift_check_notices_a_changed_schema(scratch_engine):
    migrate.upgrade(scratch_engine)
    change = {
        "sqlite": "DROP INDEX ix_conflicts_status",
        "postgresql": 'ALTER TABLE conflicts ALTER COLUMN category TYPE VARCHAR(255) COLLATE "default"',
        "mysql": "ALTER TABLE conflicts MODIFY created_at DATETIME NOT NULL",
    }[scratch_engine.dialect.name]
    with scratch_engine.begin() as connection:
        connection.execute(text(change))
    assert migrate.diff(scratch_engine) != []


def test_tables_of_the_host_application_are_left_alone(scratch_engine):
    with scratch_engine.begin() as connection:
        connection.execute(text("CREATE TABLE host_app_things (id INTEGER PRIMARY KEY)"))
    migrate.upgrade(scratch_engine)
    assert migrate.diff(scratch_engine) == []
    migrate.downgrade(scratch_engine, "base")
    assert "host_app_things" in inspect(scratch_engine).get_table_names()


CHAT_INDEXES = {
    "users": {"ix_users_external_id", "ix_users_email_key"},
    "conversations": {"ix_conversations_user_id_status", "ix_conversations_created_at"},
    "messages": {"ix_messages_conversation_id_created_at"},  # sender_type's: dropped by 0018
    "knowledge_chunks": {"ix_knowledge_chunks_source", "ix_knowledge_chunks_external_id",
                         "ix_knowledge_chunks_created_at", "ix_knowledge_chunks_source_external_id"},
}  # fmt: skip


def test_the_chat_tables_get_their_indexes_and_cascading_foreign_keys(scratch_engine):
    migrate.upgrade(scratch_engine)
    inspector = inspect(scratch_engine)
    for table, wanted in CHAT_INDEXES.items():
        assert wanted <= {ix["name"] for ix in inspector.get_indexes(table)}
    for table, target in (("conversations", "users"), ("messages", "conversations")):
        (fk,) = inspector.get_foreign_keys(table)
        assert fk["referred_table"] == target and fk["options"].get("ondelete") == "CASCADE"


def search_objects(engine, table: str) -> set[str]:
    """The full-text objects a migration made for `table` (SQLite: tables and triggers; PostgreSQL:
    column and index; MariaDB: the side table)."""
    queries = {
        "sqlite": f"SELECT name FROM sqlite_master WHERE name LIKE '{table}_fts%'",
        "postgresql": f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' "
        f"AND column_name = 'search_vector' "
        f"UNION SELECT indexname FROM pg_indexes WHERE indexname = 'ix_{table}_search_vector'",
        "mysql": "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
        f"AND table_name = '{table}_search'",
    }
    with engine.connect() as connection:
        return {row[0] for row in connection.execute(text(queries[engine.dialect.name]))}


def test_the_memory_migration_creates_and_drops_its_search_objects(scratch_engine):
    migrate.upgrade(scratch_engine)
    expected = {
        "sqlite": {"ltm_entries_fts", "ltm_entries_fts_ai", "ltm_entries_fts_ad", "ltm_entries_fts_au"}
        | {f"ltm_entries_fts_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")},
        "postgresql": {"search_vector", "ix_ltm_entries_search_vector"},
        "mysql": {"ltm_entries_search"},
    }[scratch_engine.dialect.name]
    assert search_objects(scratch_engine, "ltm_entries") == expected
    migrate.downgrade(scratch_engine, "0003")
    assert search_objects(scratch_engine, "ltm_entries") == set()
    left = memcore_tables(scratch_engine)
    assert not {"ltm_entries", "ltm_catalog", "ltm_catalog_snapshots"} & left
    assert {"conflicts", "idea_inspiration", "pipeline_checkpoints"} <= left
    migrate.upgrade(scratch_engine)
    assert expected <= search_objects(scratch_engine, "ltm_entries")
    assert migrate.diff(scratch_engine) == []


def test_a_legacy_ltm_entries_table_is_adopted_and_its_rows_indexed(scratch_engine):
    from sqlalchemy.orm import sessionmaker

    from memcore.application.bootstrap import build_services
    from memcore.application.memory.commands import StoreMemory
    from memcore.infrastructure.sqlalchemy.mappers import start_mappers
    from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

    migrate.upgrade(scratch_engine, "0003")
    dialect = scratch_engine.dialect.name
    key_type = {
        "sqlite": "VARCHAR(512)",
        "postgresql": 'VARCHAR(512) COLLATE "C"',
        "mysql": "VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin",
    }[dialect]
    text_type = "LONGTEXT" if dialect == "mysql" else "TEXT"
    stamp = "DATETIME(6)" if dialect == "mysql" else "TIMESTAMP"
    key = scratch_engine.dialect.identifier_preparer.quote("key")
    with scratch_engine.begin() as connection:
        connection.execute(
            text(
                f"CREATE TABLE ltm_entries ({key} {key_type} NOT NULL PRIMARY KEY, value {text_type} NOT NULL, "
                f"metadata {text_type}, created_at {stamp} NOT NULL, updated_at {stamp} NOT NULL)"
            )
        )
        connection.execute(
            text("INSERT INTO ltm_entries VALUES ('legacy:1', :v, NULL, '2024-01-01 00:00:00', '2024-01-01 00:00:00')"),
            {"v": '{"note": "remember the lighthouse"}'},
        )
    migrate.upgrade(scratch_engine)
    start_mappers()
    services = build_services(SqlAlchemyUnitOfWork(sessionmaker(scratch_engine, expire_on_commit=False)))
    assert [hit.entry.key for hit in services.memory.search("lighthouse")] == ["legacy:1"]
    assert services.memory.get("legacy:1").value == {"note": "remember the lighthouse"}
    assert services.bus.handle(StoreMemory("legacy:1", "the lighthouse moved")) is False
    assert [hit.entry.key for hit in services.memory.search("moved")] == ["legacy:1"]


def test_the_chat_migration_creates_and_drops_its_search_objects(scratch_engine):
    migrate.upgrade(scratch_engine)
    expected = {
        "sqlite": {"knowledge_chunks_fts", *(f"knowledge_chunks_fts_{s}" for s in ("ai", "ad", "au")),
                   *(f"knowledge_chunks_fts_{s}" for s in ("data", "idx", "content", "docsize", "config"))},
        "postgresql": {"search_vector", "ix_knowledge_chunks_search_vector"},
        "mysql": {"knowledge_chunks_search"},
    }[scratch_engine.dialect.name]  # fmt: skip
    assert search_objects(scratch_engine, "knowledge_chunks") == expected
    migrate.downgrade(scratch_engine, "0004")
    assert search_objects(scratch_engine, "knowledge_chunks") == set()
    assert not {"users", "conversations", "messages", "knowledge_chunks"} & memcore_tables(scratch_engine)


LEGACY = [
    "CREATE TABLE users (id VARCHAR(36) PRIMARY KEY, external_id VARCHAR(255), name VARCHAR(255), "
    "email VARCHAR(255), created_at {dt} NOT NULL, updated_at {dt} NOT NULL)",
    "CREATE TABLE conversations (id VARCHAR(36) PRIMARY KEY, user_id VARCHAR(36), title {text}, "
    "status VARCHAR(16) NOT NULL, created_at {dt} NOT NULL, updated_at {dt} NOT NULL)",
    "CREATE TABLE messages (id VARCHAR(36) PRIMARY KEY, conversation_id VARCHAR(36) NOT NULL, "
    "sender_type VARCHAR(16) NOT NULL, content {text} NOT NULL, role_metadata {text}, created_at {dt} NOT NULL)",
    "CREATE TABLE knowledge_chunks (id VARCHAR(36) PRIMARY KEY, source VARCHAR(255) NOT NULL, "
    "external_id VARCHAR(255) NOT NULL, title {text}, content {text} NOT NULL, chunk_metadata {text}, "
    "created_at {dt} NOT NULL, updated_at {dt} NOT NULL)",
    "INSERT INTO users VALUES ('11111111-1111-4111-8111-111111111111', 'ext-1', 'Ann', 'Ann@Example.ORG', "
    "'2024-01-01 00:00:00', '2024-01-01 00:00:00')",
    "INSERT INTO conversations VALUES ('22222222-2222-4222-8222-222222222222', "
    "'11111111-1111-4111-8111-111111111111', 'old', 'active', '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
    "INSERT INTO messages VALUES ('33333333-3333-4333-8333-333333333333', '22222222-2222-4222-8222-222222222222', "
    "'user', 'hello', NULL, '2024-01-01 00:00:01')",
    "INSERT INTO knowledge_chunks VALUES ('44444444-4444-4444-8444-444444444444', 'docs', 'a.md#0', 'Legacy', "
    "'Zeppelins carried passengers', NULL, '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
]


def test_legacy_chat_tables_are_adopted_with_their_rows(scratch_engine):
    from sqlalchemy.orm import sessionmaker

    from memcore.application.bootstrap import build_services
    from memcore.application.conversations import commands
    from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

    migrate.upgrade(scratch_engine, "0004")
    mysql = scratch_engine.dialect.name == "mysql"
    types = {"dt": "DATETIME(6)" if mysql else "TIMESTAMP", "text": "LONGTEXT" if mysql else "TEXT"}
    with scratch_engine.begin() as connection:
        for statement in LEGACY:
            connection.execute(text(statement.format(**types)))
    migrate.upgrade(scratch_engine)
    services = build_services(SqlAlchemyUnitOfWork(sessionmaker(scratch_engine, expire_on_commit=False)))
    user = services.users.get_by_email("ann@example.org")
    assert user is not None and user.external_id == "ext-1"
    conversation = services.conversations.get("22222222-2222-4222-8222-222222222222")
    assert conversation.version == 1 and [m.content for m in services.conversations.messages(conversation.id)] == [
        "hello"
    ]
    posted = services.bus.handle(commands.PostMessage(conversation.id, "assistant", "hi again"))
    assert [m.id for m in services.conversations.messages(conversation.id)][-1] == posted.id
    assert [c.external_id for c in services.knowledge.search("zeppelins")] == ["a.md#0"]
