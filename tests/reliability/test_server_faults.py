"""Server faults on private PostgreSQL / MariaDB servers (tests/reliability/servers.py): restarts,
crashes and killed connections, idle and under load.

Calls during an outage fail with one typed StorageUnavailable (password masked, never a raw driver
exception); the application recovers by itself when the server is back (a broken pooled
connection is invalidated with the rest of the pool, and a unit of work cut off before COMMIT is
run again, which is safe: the server rolled it back); every acknowledged write is there afterwards.
"""

from __future__ import annotations

import time

import pytest

import memcore
from memcore import commands as c
from memcore.compat.ltm import SQLAlchemyBackend
from memcore.errors import CommitOutcomeUnknown, MemcoreError, StorageUnavailable
from memcore.infrastructure.bench.fault_load import MemcoreLoad
from tests.reliability.conftest import SCALE
from tests.reliability.servers import PASSWORD


def test_after_a_restart_an_idle_pool_serves_the_next_calls_without_a_failure(private_server, results):
    """Issue 19: after a restart the LTM backend's idle pooled connection failed every later
    store() on MariaDB ("lost the database connection"), and the first one on PostgreSQL."""
    backend = SQLAlchemyBackend(private_server.url)
    app = memcore.connect(private_server.url)
    conversation = app.handle(c.StartConversation(title="before")).id
    try:
        assert backend.store("before", "v")["success"]
        app.memory.get_value("before")  # the views' reader holds a connection too
        private_server.stop("fast")
        private_server.start()
        calls = [
            backend.store("after", "v"),
            backend.retrieve("before"),
            backend.search("v"),
        ]
        failed = [call for call in calls if not call.get("success")]
        app.handle(c.StoreMemory("after-app", 1))
        app.handle(c.PostMessage(conversation, "user", "after the restart"))
        assert app.memory.get_value("before") is not None
        assert app.conversations.count_messages(conversation) == 1
    finally:
        backend.close()
        app.close()
    results.record("server faults", private_server.kind, "idle pool across a restart", calls=len(calls) + 4,
                   errors=len(failed), unrecovered=len(failed))  # fmt: skip
    assert failed == []


def test_killed_connections_are_replaced_without_a_failed_call(private_server, results):
    with memcore.connect(private_server.url, pool_size=3) as app:
        app.handle(c.StoreMemory("k0", 0))
        killed = 0
        for n in range(1, 4):
            app.memory.get_value("k0")
            killed += private_server.kill_connections()
            app.handle(c.StoreMemory(f"k{n}", n))  # the dead pooled connection is replaced
            assert app.memory.get_value(f"k{n}")[0] == n  # so is the reader's
        results.record("server faults", private_server.kind, "connections killed while idle",
                       connections_killed=killed, errors=0, unrecovered=0)  # fmt: skip
        assert killed >= 3


def test_a_connection_broken_during_commit_reports_an_unknown_outcome_and_is_not_retried(private_server,
                                                                                          monkeypatch):  # fmt: skip
    """The one write whose fate memcore cannot know is never retried silently: CommitOutcomeUnknown."""
    from memcore.infrastructure.sqlalchemy import unit_of_work

    app = memcore.connect(private_server.url)
    calls = []
    real_end = unit_of_work.SqlAlchemyUnitOfWork._end_lean

    def end_after_a_kill(self, commit: bool) -> None:
        if commit:
            calls.append(1)
            private_server.kill_connections()  # the server ends our session as COMMIT goes out
        real_end(self, commit)

    try:
        monkeypatch.setattr(unit_of_work.SqlAlchemyUnitOfWork, "_end_lean", end_after_a_kill)
        with pytest.raises(CommitOutcomeUnknown) as caught:
            app.handle(c.StoreMemory("ambiguous", 1))
        monkeypatch.undo()
        assert len(calls) == 1  # not run again
        assert "may or may not be stored" in str(caught.value) and PASSWORD not in str(caught.value)
        app.handle(c.StoreMemory("next", 2))  # and the pool recovered
        assert app.memory.get_value("next")[0] == 2
    finally:
        app.close()


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_server_restarted_under_load_loses_no_acknowledged_write(private_server, mode, results):
    restarts = SCALE["restarts"]
    outages, recoveries, unrecovered = [], [], 0
    app = memcore.connect(private_server.url, pool_size=5)
    with MemcoreLoad(app) as load:
        time.sleep(0.5)
        for _ in range(restarts):
            down = time.monotonic()
            private_server.stop(mode)
            time.sleep(1.0)
            private_server.start()
            back = time.monotonic()
            outages.append(back - down)
            recovery = load.recovered_after(back)
            unrecovered += recovery is None
            recoveries.append(recovery or 0.0)
            time.sleep(0.3)
    try:
        lost = load.lost()
        sequences = [m.sequence for m in load.posts()]
        unknown_stored = load.unknown_stored()  # what an ambiguous commit did is for the caller to read back
    finally:
        app.close()
    raw = [f for f in load.failures if not isinstance(f, StorageUnavailable)]
    shown = [f for f in [*load.failures, *(m for m, _ in load.unknown)] if PASSWORD in str(f)]
    results.record("server faults", private_server.kind, f"restart under load ({mode} stop)", restarts=restarts,
                   outage_s=round(sum(outages) / len(outages), 2), calls_ok=len(load.acked),
                   calls_failed=len(load.failures), commit_unknown=len(load.unknown), unknown_stored=unknown_stored,
                   recovery_s=round(max(recoveries), 3), unrecovered=unrecovered, writes_lost=len(lost),
                   raw_errors=len(raw), secrets_shown=len(shown))  # fmt: skip
    assert raw == [], [repr(f) for f in raw[:3]]
    assert all(isinstance(f, MemcoreError) for f in load.failures)
    assert (unrecovered, len(lost), len(shown)) == (0, 0, 0)
    assert sequences == list(range(1, len(sequences) + 1))
