"""The SQLAlchemy Unit of Work on real servers: concurrent writers, retries, driver errors."""

import attrs
import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from memcore.application.messagebus import MessageBus
from memcore.domain.ideas.model import IdeaDraft
from memcore.domain.memory.model import MemoryDraft
from memcore.domain.shared.errors import StorageTimeout, StorageUnavailable
from memcore.domain.shared.specification import Field
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import server_url
from tests.factories import a_conflict
from tests.unit.builders import T0


@attrs.frozen
class CountAttempt:
    conflict_id: str


def strict_engine(sql_engine):
    """The same database, with transactions that refuse to overwrite a concurrent change."""
    url = sql_engine.url.render_as_string(hide_password=False)
    isolation = {"sqlite": None, "postgresql": "REPEATABLE READ", "mysql": "SERIALIZABLE"}
    engine = build_engine(Settings(url=url, busy_timeout_ms=200))
    level = isolation[sql_engine.dialect.name]
    return engine.execution_options(isolation_level=level) if level else engine


def test_a_command_that_loses_a_race_is_retried_and_both_changes_survive(sql_engine):
    engine = strict_engine(sql_engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    conflict = a_conflict()
    with SqlAlchemyUnitOfWork(factory) as uow:
        uow.conflicts.add(conflict)
        uow.commit()
    uow, rival = SqlAlchemyUnitOfWork(factory), SqlAlchemyUnitOfWork(factory)
    tries = []

    def count_attempt(command: CountAttempt) -> None:
        with uow:
            mine = uow.conflicts.get(command.conflict_id)
            first_try = not tries
            tries.append(1)
            if first_try and engine.dialect.name == "sqlite":  # we hold the write lock from BEGIN
                with pytest.raises(StorageTimeout), rival:
                    rival.conflicts.get(command.conflict_id)
            elif first_try:  # another writer commits in between
                with rival:
                    if engine.dialect.name == "mysql":
                        rival.session.execute(text("SET SESSION innodb_lock_wait_timeout = 1"))
                    rival.conflicts.get(command.conflict_id).record_failed_attempt(10)
                    rival.commit()
            mine.record_failed_attempt(10)
            uow.commit()

    MessageBus(uow, {CountAttempt: count_attempt}).handle(CountAttempt(conflict.id))
    # MariaDB makes the rival wait for our read lock and time out, so only the retry's change is
    # stored; PostgreSQL lets the rival commit and refuses our stale write, which the retry then
    # repeats on fresh data. On SQLite a unit of work begins IMMEDIATE: the rival cannot even
    # begin (its busy timeout runs out) and our first try commits.
    expected = 1 if engine.dialect.name in ("mysql", "sqlite") else 2
    assert len(tries) == (1 if engine.dialect.name == "sqlite" else 2)
    with SqlAlchemyUnitOfWork(factory) as check:
        assert check.conflicts.get(conflict.id).resolution_attempts == expected
    engine.dispose()


def test_an_unreachable_server_is_storage_unavailable_with_the_password_hidden():
    for url in ("postgresql://memcore:s3cr3t@127.0.0.1:1/x", "mysql://memcore:s3cr3t@127.0.0.1:1/x"):
        engine = build_engine(Settings(url=url))
        with pytest.raises(StorageUnavailable) as caught, translating(), engine.connect():
            pass
        assert "s3cr3t" not in str(caught.value)


@pytest.mark.postgresql
def test_a_connection_killed_by_the_server_is_storage_unavailable():
    engine = build_engine(Settings(url=server_url("postgresql")))
    factory = sessionmaker(engine)
    with pytest.raises(StorageUnavailable), SqlAlchemyUnitOfWork(factory) as uow:
        uow.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        uow.conflicts.count()
    with SqlAlchemyUnitOfWork(factory) as uow:  # the pool recovers
        assert uow.conflicts.count() >= 0
    engine.dispose()


@pytest.mark.parametrize(
    ("dialect", "sleep"),
    [
        pytest.param("postgresql", "SELECT pg_sleep(2)", marks=pytest.mark.postgresql, id="postgresql"),
        pytest.param("mariadb", "SELECT SLEEP(2) FROM conflicts", marks=pytest.mark.mariadb, id="mariadb"),
    ],
)
def test_a_statement_over_the_timeout_is_storage_timeout(dialect, sleep, engines):
    engines[dialect]  # migrated, so the table exists
    engine = build_engine(Settings(url=server_url(dialect), statement_timeout_ms=200))
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM conflicts"))
    factory = sessionmaker(engine)
    with SqlAlchemyUnitOfWork(factory) as uow:
        uow.conflicts.add(a_conflict())
        uow.commit()
    with pytest.raises(StorageTimeout), SqlAlchemyUnitOfWork(factory) as uow:
        uow.session.execute(text(sleep)).all()
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM conflicts"))
    engine.dispose()


def test_hot_writes_take_the_lean_route_and_a_session_made_later_joins_their_transaction(sql_engine):
    uow = SqlAlchemyUnitOfWork(sessionmaker(sql_engine, expire_on_commit=False))
    with uow:
        assert uow.memory.put(MemoryDraft(key="k", value={"v": 1}, created_at=T0, updated_at=T0)) is True
        assert uow.ideas.add_many([IdeaDraft(title="t", source_id="s", created_at=T0, updated_at=T0)]) == 1
        assert uow.made_session is None  # nothing so far needed the ORM
        assert uow.memory.get("k").value == {"v": 1}  # the session joins and sees the uncommitted writes
        assert uow.made_session is not None
        uow.commit()
    with uow:
        assert uow.memory.put(MemoryDraft(key="gone", value=1, created_at=T0, updated_at=T0)) is True
        assert uow.made_session is None
    with uow:  # the block above ended without commit: its lean write was rolled back
        assert uow.memory.get("gone") is None
        assert (uow.memory.get("k").value, uow.ideas.get_by_source_id("s").title) == ({"v": 1}, "t")


def test_an_object_inserted_on_the_lean_route_keeps_its_identity_and_its_later_changes(sql_engine):
    uow = SqlAlchemyUnitOfWork(sessionmaker(sql_engine, expire_on_commit=False))
    changed, attached = a_conflict(), a_conflict()
    with uow:
        uow.conflicts.add_many([changed, attached])
        changed.escalate()  # no session yet: the flush at commit writes it as an UPDATE
        changed.metadata["note"] = "changed in place"
        assert uow.made_session is None
        uow.commit()
    with uow:
        stored = uow.conflicts.get(changed.id)
        assert (stored.status, stored.resolution_attempts, stored.metadata) == (
            "escalated",
            1,
            {"note": "changed in place"},
        )
    with uow:
        uow.conflicts.add(fresh := a_conflict())
        assert uow.conflicts.get(fresh.id) is fresh  # the session takes the object in as loaded
        assert fresh in uow.conflicts.list(Field("id") == fresh.id)
        fresh.escalate()  # now tracked by the session
        uow.commit()
    with uow:
        assert uow.conflicts.get(fresh.id).status == "escalated"
        assert uow.conflicts.get(attached.id).status == "pending"


def test_an_object_inserted_on_the_lean_route_is_gone_once_the_transaction_rolls_back(sql_engine):
    uow = SqlAlchemyUnitOfWork(sessionmaker(sql_engine, expire_on_commit=False))
    with uow:
        uow.conflicts.add(dropped := a_conflict())
        uow.rollback()
        assert uow.conflicts.get(dropped.id) is None  # not taken into the session as a stored row
