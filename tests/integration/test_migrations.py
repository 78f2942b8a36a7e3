"""Migrations on every dialect: from empty to head, back to base, and no drift from the models."""

from sqlalchemy import inspect, text

from infrastructure.sqlalchemy import migrate
from infrastructure.sqlalchemy.tables import metadata

INDEXES = {"ix_conflicts_user_id", "ix_conflicts_status", "ix_conflicts_user_id_status"}


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


def search_objects(engine) -> set[str]:
    """The full-text objects of ltm_entries the migration creates (tables and triggers)."""
    queries = {
        "sqlite": "SELECT name FROM sqlite_master WHERE name LIKE 'ltm_entries_fts%'",
        "postgresql": "SELECT column_name FROM information_schema.columns WHERE table_name = 'ltm_entries' "
        "AND column_name = 'search_vector' "
        "UNION SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_ltm_entries_s%'",
        "mysql": "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
        "AND table_name LIKE 'ltm_entries_search%'",
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
    assert search_objects(scratch_engine) == expected
    migrate.downgrade(scratch_engine, "0003")
    assert search_objects(scratch_engine) == set()
    assert memcore_tables(scratch_engine) == set(metadata.tables) - {
        "ltm_entries",
        "ltm_catalog",
        "ltm_catalog_snapshots",
    }
    migrate.upgrade(scratch_engine)
    assert expected <= search_objects(scratch_engine)
    assert migrate.diff(scratch_engine) == []


def test_a_legacy_ltm_entries_table_is_adopted_and_its_rows_indexed(scratch_engine):
    from sqlalchemy.orm import sessionmaker

    from application.bootstrap import build_services
    from application.memory.commands import StoreMemory
    from infrastructure.sqlalchemy.mappers import start_mappers
    from infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

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
