"""The nexusql DatabaseManager drop-in on every dialect: what its callers rely on beyond the
vendored suite, and where it differs by design (memcore's errors, atomic scripts)."""

import asyncio
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from memcore.compat.ia_checkpoint import SQLCheckpointer as IaCheckpointer
from memcore.compat.nexusql import ConnectionConfig, DatabaseManager, DatabaseType, QueryResult
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.compat.checkpoints import SQLCheckpointer
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from tests.conftest import empty_tables
from tests.store_fixtures import url_of


@pytest.fixture
def db(sql_engine) -> Iterator[DatabaseManager]:
    url = url_of(sql_engine)
    if sql_engine.dialect.name != "sqlite":
        url = url.replace("+psycopg", "").replace("+pymysql", "")  # the plain URLs nexusql users write
    manager = DatabaseManager(url)
    assert manager.connect()
    manager.execute("DROP TABLE IF EXISTS nx_items")
    manager.execute("CREATE TABLE nx_items (id SERIAL PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE, ok BOOLEAN)")
    yield manager
    manager.execute("DROP TABLE IF EXISTS nx_items")
    manager.disconnect()


def names(db: DatabaseManager) -> list[str]:
    return [row["name"] for row in db.fetch_all("SELECT name FROM nx_items ORDER BY id")]


def test_literals_are_not_rewritten_and_unused_parameters_are_ignored(db):
    db.execute("INSERT INTO nx_items (name, ok) VALUES ('SERIAL TRUE now()', TRUE)")
    db.execute("INSERT INTO nx_items (name, ok) VALUES (:name, :ok)", {"name": "b", "ok": False, "unused": 1})
    assert names(db) == ["SERIAL TRUE now()", "b"]


def test_begin_rollback_and_commit_through_execute(db):
    db.execute("BEGIN")
    db.execute("INSERT INTO nx_items (name) VALUES ('gone')")
    db.execute("ROLLBACK")
    db.execute("START TRANSACTION")
    db.execute("INSERT INTO nx_items (name) VALUES ('kept')")
    db.execute("COMMIT")
    assert names(db) == ["kept"]


def test_errors_are_memcores_and_a_missing_parameter_is_invalid_input(db):
    db.execute("INSERT INTO nx_items (name) VALUES ('a')")
    with pytest.raises(AlreadyExists):
        db.execute("INSERT INTO nx_items (name) VALUES ('a')")
    with pytest.raises(InvalidInput, match=":name"):
        db.execute("INSERT INTO nx_items (name) VALUES (:name)", {})
    assert db.fetch_one("SELECT * FROM no_such_table") is None
    assert db.fetch_all("SELECT * FROM no_such_table") == []
    assert db.table_exists("nx_items") is True and db.table_exists("no_such_table") is False


def test_a_failing_script_reports_and_leaves_nothing(db):
    result = asyncio.run(db.execute_script("INSERT INTO nx_items (name) VALUES ('x'); INSERT INTO nope VALUES (1);"))
    assert isinstance(result, QueryResult) and result.success is False and "nope" in result.error_message
    assert names(db) == []
    assert asyncio.run(db.execute_script("INSERT INTO nx_items (name) VALUES ('x');")).success is True
    assert names(db) == ["x"]


def test_not_connected_and_unknown_urls():
    with pytest.raises(RuntimeError, match="not connected"):
        DatabaseManager("sqlite://:memory:").execute("SELECT 1")
    with pytest.raises(ValueError) as raised:
        DatabaseManager("oracle://u:secret@h/db")
    assert isinstance(raised.value, InvalidInput) and "secret" not in str(raised.value)
    assert DatabaseManager("mssql://u:p@h/db").connect() is False
    config = ConnectionConfig(database_type=DatabaseType.SQLITE, database_url="sqlite://:memory:")
    with DatabaseManager(config) as db:
        assert db.execute("SELECT 1 AS one") == [{"one": 1}]


def test_both_checkpointers_read_each_others_rows(sql_engine):
    empty_tables(sql_engine)
    url = url_of(sql_engine)

    async def run() -> None:
        manager = DatabaseManager(url)
        assert manager.connect()
        ia = IaCheckpointer(manager)
        adb = AsyncDatabase(url)
        mine = SQLCheckpointer(adb)
        try:
            first = await ia.save_checkpoint("t", "p", "step1", 0, {"a": 1}, step_name="One")
            second = await mine.save_checkpoint("t", "p", {"b": 2}, parent_id=first)
            latest = await ia.load_checkpoint("t")
            assert (latest.checkpoint_id, latest.state, latest.step_index) == (second, {"b": 2}, 1)
            assert latest.parent_checkpoint_id == first
            got = await mine.get_checkpoint(first)
            assert (got["sequence"], got["state"]) == (1, {"a": 1})
        finally:
            await adb.close()
            manager.disconnect()

    asyncio.run(run())
    with sql_engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT step_id, step_name, status FROM pipeline_checkpoints WHERE sequence = 1")
        ).one()
    assert tuple(row) == ("step1", "One", "completed")
