"""SQLite writers take the write lock when their transaction begins; readers never wait for them.

Issue 19: transactions began deferred, so a unit of work that read and then wrote got SQLITE_BUSY
at once (BUSY_SNAPSHOT in WAL) when another writer had committed meanwhile, without waiting for the
busy timeout; 40 % of 8-process posts failed with "database is locked".
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

import memcore
from memcore import commands as c


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'writers.db'}"
    with memcore.connect(url) as app:
        app.migrate()
    return url


def _try_to_write(path: str) -> str:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return "free"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        other.close()


@pytest.mark.parametrize("route", ["lean", "session"])
def test_a_unit_of_work_holds_the_write_lock_from_its_first_statement(url, route):
    path = url.removeprefix("sqlite:///")
    with memcore.connect(url) as app:
        conversation = app.handle(c.StartConversation(title="t")).id
        conflict = app.handle(c.RecordConflict("u", "a", "b", "preferences", 0.9, 0.5))
        uow = app.services.bus.uow
        with uow:
            if route == "lean":
                uow.conversations.get(conversation)  # a read on the pooled DB-API connection
            else:
                uow.conflicts.get(conflict)  # a read through the ORM session
            assert _try_to_write(path) == "database is locked"
            assert app.conversations.get(conversation) is not None  # a reader is not held up
        assert _try_to_write(path) == "free"


def test_a_reader_that_turns_writer_waits_for_the_other_writer_instead_of_failing(url):
    with memcore.connect(url) as app, memcore.connect(url) as rival:
        conversation = app.handle(c.StartConversation(title="t")).id
        uow = app.services.bus.uow
        posted = threading.Event()

        def rival_posts() -> None:
            rival.handle(c.PostMessage(conversation, "assistant", "rival"))  # waits for our lock
            posted.set()

        with uow:
            mine = uow.conversations.get(conversation)
            thread = threading.Thread(target=rival_posts)
            thread.start()
            time.sleep(0.2)
            assert not posted.is_set()
            from datetime import UTC, datetime

            mine.post("user", "mine", datetime.now(UTC))
            uow.commit()  # with a deferred BEGIN this failed: the rival had committed over our snapshot
        thread.join(10)
        assert posted.is_set()
        assert [m.content for m in app.conversations.messages(conversation)] == ["mine", "rival"]


def _hold_write_lock(path: str, seconds: float) -> threading.Thread:
    """Another process's writer: holds SQLite's write lock for `seconds`, then commits."""
    locked = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(5)
    return thread


@pytest.mark.parametrize("route", ["lean", "session", "raw database"])
def test_a_writer_waits_past_one_busy_timeout_for_the_lock(url, route):
    # The flake of session 21: a writer waited past the busy timeout and "database stayed locked"
    # reached the caller. A BEGIN IMMEDIATE that timed out wrote nothing, so it is sent again.
    path = url.removeprefix("sqlite:///")
    with memcore.connect(url, busy_timeout_ms=100) as app:
        conversation = app.handle(c.StartConversation(title="t")).id
        holder = _hold_write_lock(path, 0.5)  # 5 busy timeouts, inside the budget of 12 (1.2 s)
        started = time.monotonic()
        if route == "lean":
            app.handle(c.PostMessage(conversation, "user", "after the lock"))
        elif route == "session":
            app.handle(c.RecordConflict("u", "a", "b", "preferences", 0.9, 0.5))
        else:
            with app.database.transaction():
                app.database.execute("UPDATE conversations SET title = 'x' WHERE id = :id", {"id": conversation})
        waited = time.monotonic() - started
        holder.join()
        assert waited >= 0.3  # it did wait for the holder's commit


def test_the_wait_for_the_lock_is_bounded():
    from memcore.infrastructure.sqlalchemy.sqlite_lock import begin_waiting

    calls = []

    def locked() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("database is locked")

    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError):
        begin_waiting(locked, total_s=0.2)
    assert 0.1 <= time.monotonic() - started < 1 and len(calls) > 1
    with pytest.raises(sqlite3.OperationalError):  # any other error is never retried
        begin_waiting(lambda: calls.append(sqlite3.connect(":memory:").execute("BOGUS")), total_s=5)
