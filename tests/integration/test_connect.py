"""`memcore.connect` and `connect_async` on each SQL dialect: migrate, commands, views, threads, close."""

import asyncio
import threading

import pytest

import memcore
from memcore.infrastructure.sqlalchemy import migrate


@pytest.fixture
def url(sql_engine):
    return sql_engine.url.render_as_string(hide_password=False)


def test_an_application_migrates_runs_commands_and_closes(url):
    with memcore.connect(url) as app:
        app.migrate()  # already at head: nothing to do
        assert app.revision() == migrate.head()
        conflict_id = app.handle(memcore.RecordConflict("alice", "m1", "m2", "home_city", 0.9, 0.8))
        assert [view.id for view in app.pending_conflicts("alice", limit=5)] == [conflict_id]
        app.handle(memcore.ResolveConflict(conflict_id, "keep_b", "conversational", resolved_by="alice"))
        assert app.get_conflict(conflict_id).status == "resolved"
        with pytest.raises(memcore.NotFound):
            app.handle(memcore.EscalateConflict("00000000-0000-4000-8000-000000000000"))
        assert app.database.fetch_value("SELECT COUNT(*) FROM conflicts") == 1  # raw SQL, same database
    with pytest.raises(memcore.StorageUnavailable, match="closed"):
        app.memory.get("k")


def test_threads_share_one_application_each_with_its_own_unit_of_work(url):
    seen = []
    with memcore.connect(url, pool_size=4) as app:
        app.subscribe(memcore.views.ConflictRecorded, seen.append)
        errors, buses = [], []

        def work(n: int) -> None:
            buses.append(app.bus)
            try:
                for i in range(5):
                    app.handle(memcore.StoreMemory(f"t{n}:{i}", {"n": n, "i": i}))
                    app.handle(memcore.RecordConflict(f"user{n}", f"a{i}", f"b{i}", "city", 0.5, 0.5))
            except Exception as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sum(1 for _ in app.memory.iterate()) == 20
        assert sorted(app.count_conflicts(f"user{n}") for n in range(4)) == [5, 5, 5, 5]
        assert len(seen) == 20  # the subscription reached every worker's bus
        assert len({id(bus.uow) for bus in buses}) == 4  # one bus and Unit of Work per thread
        assert app.bus not in buses


def test_the_async_application_has_native_sql_and_checkpoints_and_runs_use_cases_off_the_loop(url):
    async def scenario():
        async with memcore.connect_async(url) as app:
            await app.migrate()
            first = await app.checkpointer.save_checkpoint("thread-1", "planner", {"step": 1})
            await app.checkpointer.save_checkpoint("thread-1", "planner", {"step": 2})
            latest = await app.checkpointer.load_checkpoint("thread-1")
            assert await app.handle(memcore.StoreMemory("k", "v")) is True
            value = await app.query(lambda m: m.memory.get_value("k"))
            count = await app.database.fetch_value("SELECT COUNT(*) FROM pipeline_checkpoints")
            return first, latest, value, count

    first, latest, value, count = asyncio.run(scenario())
    assert latest["state"] == {"step": 2} and latest["checkpoint_id"] != first
    assert value == ("v", None) and count == 2
