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
