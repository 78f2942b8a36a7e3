"""MariaDB: migration 0017's trigger numbers appended rows, and memory appends in one statement."""

import asyncio
import importlib

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from memcore.domain.conversations.memory import conversation_id
from memcore.domain.conversations.model import MAX_VERSION
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.conversation_memory import AsyncSQLConversationMemory, SQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database
from tests.conftest import empty_tables
from tests.store_fixtures import url_of

pytestmark = pytest.mark.mariadb
# A module name that starts with a digit: imported by name.
MIGRATION = importlib.import_module("memcore.migrations.versions.0017_mariadb_append_trigger")

INSERT = (
    "INSERT INTO messages (id, conversation_id, sender_type, content, role_metadata, created_at, sequence) "
    "VALUES (:i, :c, 'user', 'x', NULL, '2026-12-07 10:00:00', :s)"
)


@pytest.fixture
def engine(engines):
    engine = engines["mariadb"]
    empty_tables(engine)
    return engine


class CountingDatabase(Database):
    """A Database that counts the statements it is given."""

    statements = 0

    def execute(self, sql, params=None):
        self.statements += 1
        return super().execute(sql, params)

    def fetch_all(self, sql, params=None):
        self.statements += 1
        return super().fetch_all(sql, params)

    def fetch_one(self, sql, params=None):
        self.statements += 1
        return super().fetch_one(sql, params)


class CountingAsyncDatabase(AsyncDatabase):
    statements = 0

    async def execute(self, sql, params=None):
        self.statements += 1
        return await super().execute(sql, params)

    async def fetch_all(self, sql, params=None):
        self.statements += 1
        return await super().fetch_all(sql, params)

    async def fetch_one(self, sql, params=None):
        self.statements += 1
        return await super().fetch_one(sql, params)


def _state(engine, session_id: str):
    with engine.connect() as connection:
        version = connection.execute(
            text("SELECT version FROM conversations WHERE id = :c"), {"c": conversation_id(session_id)}
        ).scalar_one()
        sequences = connection.execute(
            text("SELECT sequence FROM messages WHERE conversation_id = :c ORDER BY sequence"),
            {"c": conversation_id(session_id)},
        ).scalars()
        return version, list(sequences)


def test_an_append_to_a_live_session_is_one_statement(engine):
    db = CountingDatabase(url_of(engine))
    try:
        memory = SQLConversationMemory(db)
        memory.add_items("s", [{"role": "user", "content": "first"}])  # creates the session: the full path
        db.statements = 0
        added = memory.add_items("s", [{"role": "user", "content": f"m{i}"} for i in range(3)])
        assert db.statements == 1
        assert [item.sequence for item in added] == [2, 3, 4]
        assert [item.content for item in memory.get_items("s")] == ["first", "m0", "m1", "m2"]
        assert _state(engine, "s") == (5, [1, 2, 3, 4])
    finally:
        db.close()


def test_an_async_append_to_a_live_session_is_one_statement(engine):
    async def scenario():
        db = CountingAsyncDatabase(url_of(engine))
        try:
            memory = AsyncSQLConversationMemory(db)
            await memory.add_items("s", [{"role": "user", "content": "first"}])
            db.statements = 0
            added = await memory.add_items("s", [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}])
            assert db.statements == 1
            return [item.sequence for item in added]
        finally:
            await db.close()

    assert asyncio.run(scenario()) == [2, 3]
    assert _state(engine, "s") == (4, [1, 2, 3])


def test_rows_given_a_sequence_are_left_alone(engine):
    memory = SQLConversationMemory(url_of(engine))
    try:
        memory.add_items("s", [{"role": "user", "content": "first"}])
        with engine.begin() as connection:
            connection.execute(text(INSERT), {"i": "explicit-1", "c": conversation_id("s"), "s": 7})
        assert _state(engine, "s") == (2, [1, 7])
    finally:
        memory.db.close()


@pytest.mark.parametrize("status", ["absent", "archived"])
def test_the_trigger_refuses_a_conversation_it_cannot_number_and_writes_nothing(engine, status):
    memory = SQLConversationMemory(url_of(engine))
    try:
        memory.add_items("s", [{"role": "user", "content": "first"}])
        target = conversation_id("s") if status == "archived" else conversation_id("nobody")
        with engine.begin() as connection:
            connection.execute(text("UPDATE conversations SET status = 'archived'"))
        with pytest.raises(sa_exc.DBAPIError, match="append takes the full path"), engine.begin() as connection:
            connection.execute(text(INSERT), {"i": "new-1", "c": target, "s": None})
        assert _state(engine, "s") == (2, [1])
    finally:
        memory.db.close()


def test_a_batch_past_the_version_limit_is_refused_whole(engine):
    memory = SQLConversationMemory(url_of(engine))
    try:
        memory.add_items("s", [{"role": "user", "content": "first"}])
        with engine.begin() as connection:
            connection.execute(text("UPDATE conversations SET version = :v"), {"v": MAX_VERSION - 1})
        with pytest.raises(InvalidInput, match="version limit"):
            memory.add_items("s", [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}])
        assert _state(engine, "s") == (MAX_VERSION - 1, [1])
        assert [item.content for item in memory.add_items("s", [{"role": "user", "content": "last"}])] == ["last"]
        assert _state(engine, "s") == (MAX_VERSION, [1, MAX_VERSION - 1])
    finally:
        memory.db.close()


@pytest.fixture
def without_trigger(engine):
    """The schema as a server that refused CREATE TRIGGER (binary logging, no SUPER) leaves it."""
    with engine.begin() as connection:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {MIGRATION.NAME}"))
    yield engine
    with engine.begin() as connection:
        connection.execute(text(MIGRATION.CREATE))


def test_without_the_trigger_appends_take_the_full_path_sync_and_async(without_trigger):
    memory = SQLConversationMemory(url_of(without_trigger))
    try:
        memory.add_items("s", [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}])
        memory.add_item("s", "user", "c")
        assert [(i.content, i.sequence) for i in memory.get_items("s")] == [("a", 1), ("b", 2), ("c", 3)]
    finally:
        memory.db.close()

    async def scenario():
        db = AsyncDatabase(url_of(without_trigger))
        try:
            memory = AsyncSQLConversationMemory(db)
            await memory.add_item("t", "user", "x")
            await memory.add_items("t", [{"role": "user", "content": "y"}])
            return [(i.content, i.sequence) for i in await memory.get_items("t")]
        finally:
            await db.close()

    assert asyncio.run(scenario()) == [("x", 1), ("y", 2)]


@pytest.mark.parametrize("code", [1419, 1142, 1227])
def test_a_server_that_refuses_create_trigger_leaves_the_migration_whole(code, caplog):

    def refuse(statement):
        raise sa_exc.OperationalError(str(statement), None, Exception(code, "refused"))

    assert MIGRATION.create_trigger(refuse) is False
    assert "refused CREATE TRIGGER" in caplog.text


def test_other_errors_creating_the_trigger_still_fail_the_migration():

    def broken(statement):
        raise sa_exc.OperationalError(str(statement), None, Exception(2013, "lost connection"))

    with pytest.raises(sa_exc.OperationalError):
        MIGRATION.create_trigger(broken)
