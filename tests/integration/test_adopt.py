"""`memcore db adopt`: an existing database of a replaced store opens in place, or is refused untouched."""

import importlib
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.transfer.adopt import ADOPTED_COLUMNS, adopt, plan
from tests.integration.test_migrations import LEGACY

HOST_TABLE = "CREATE TABLE host_orders (id INTEGER PRIMARY KEY, total INTEGER NOT NULL)"


def _legacy_chat(engine) -> None:
    mysql = engine.dialect.name == "mysql"
    types = {"dt": "DATETIME(6)" if mysql else "TIMESTAMP", "text": "LONGTEXT" if mysql else "TEXT"}
    with engine.begin() as connection:
        for statement in [*LEGACY, HOST_TABLE, "INSERT INTO host_orders VALUES (1, 42)"]:
            connection.execute(text(statement.format(**types)))


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_the_columns_adoption_adds_are_the_ones_the_migrations_add():
    chat = importlib.import_module("memcore.migrations.versions.0005_conversations")
    added = {name: [c for c, _, _ in columns] for name, columns in chat.ADDED.items()}
    memory = Path(importlib.import_module("memcore.migrations.versions.0006_conversation_memory").__file__).read_text()
    assert '"session_id"' in memory and "add_column" in memory  # 0006 adds the session id
    added["conversations"].append("session_id")
    assert {name: tuple(columns) for name, columns in added.items()} == ADOPTED_COLUMNS


def test_a_chat_database_is_planned_then_adopted_in_place(scratch_engine):
    _legacy_chat(scratch_engine)
    before = _tables(scratch_engine)

    found = adopt(scratch_engine, dry_run=True)

    assert _tables(scratch_engine) == before  # a dry run changes nothing
    actions = {p.table: (p.action, p.rows, p.adds) for p in found.tables}
    assert actions["users"] == ("adopt", 1, ("email_key",)) and actions["messages"][2] == ("sequence",)
    assert actions["conflicts"] == ("create", None, ())
    assert found.others == ["host_orders"] and found.revision is None

    adopt(scratch_engine)

    assert migrate.current(scratch_engine) == migrate.head()
    with scratch_engine.connect() as connection:
        assert connection.execute(text("SELECT total FROM host_orders")).scalar_one() == 42
        assert connection.execute(text("SELECT email_key FROM users")).scalar_one() == "ann@example.org"
    again = plan(scratch_engine)
    assert {p.action for p in again.tables} == {"upgrade"} and not again.problems


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("CREATE TABLE conflicts (id VARCHAR(255) PRIMARY KEY, user_id VARCHAR(255))", "lacks memcore's columns"),
        (
            "CREATE TABLE ltm_entries (`key` VARCHAR(512) PRIMARY KEY, value TEXT NOT NULL, metadata TEXT, "
            "created_at {dt} NOT NULL, updated_at {dt} NOT NULL, owner VARCHAR(20) NOT NULL)",
            "required columns owner",
        ),
    ],
    ids=["missing-columns", "required-extra-column"],
)
def test_a_conflicting_table_is_refused_and_nothing_changes(scratch_engine, statement, problem):
    dialect = scratch_engine.dialect.name
    dt = "DATETIME(6)" if dialect == "mysql" else "TIMESTAMP"
    quoted = statement.format(dt=dt).replace("`key`", '"key"' if dialect != "mysql" else "`key`")
    with scratch_engine.begin() as connection:
        connection.execute(text(quoted))
    before = _tables(scratch_engine)
    with pytest.raises(InvalidInput, match=f"cannot be adopted, nothing was changed: .*{problem}"):
        adopt(scratch_engine)
    assert _tables(scratch_engine) == before and migrate.current(scratch_engine) is None


def test_the_raw_sqlite_idea_store_is_adopted_with_its_rows(tmp_path):
    from memcore.infrastructure.settings import Settings
    from memcore.infrastructure.sqlalchemy.engine import build_engine
    from tests.integration.test_legacy_import import good, legacy_db

    path = legacy_db(tmp_path / "ideas.db", [good(1), good(2)])
    engine = build_engine(Settings(url=f"sqlite:///{path}"))
    try:
        found = adopt(engine)
        ideas = next(p for p in found.tables if p.table == "idea_inspiration")
        assert (ideas.action, ideas.rows, ideas.problem) == ("adopt", 2, None)
        assert migrate.current(engine) == migrate.head()
        import memcore

        with memcore.connect(f"sqlite:///{path}") as app:
            assert sorted(view.title for view in app.ideas.find()) == ["Idea 1 ✨", "Idea 2 ✨"]
    finally:
        engine.dispose()
