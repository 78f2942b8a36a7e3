"""Concurrent writers on one session: every item lands once, batches stay whole and in order."""

import asyncio
import threading

import pytest

from memcore.infrastructure.compat.conversation_memory import AsyncSQLConversationMemory, SQLConversationMemory
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables
from tests.store_fixtures import url_of

WRITERS, BATCHES, BATCH = 6, 8, 3


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def url(request, engines) -> str:
    engine = engines[request.param]
    empty_tables(engine)
    return url_of(engine)


def batch(writer: int, k: int) -> list[dict]:
    return [{"role": "user", "content": f"{writer}:{k}:{j}"} for j in range(BATCH)]


def assert_exact_order(items) -> None:
    assert len(items) == WRITERS * BATCHES * BATCH
    sequences = [item.sequence for item in items]
    assert sequences == sorted(set(sequences))
    seen: dict[int, list[int]] = {}
    for start in range(0, len(items), BATCH):
        keys = [tuple(map(int, item.content.split(":"))) for item in items[start : start + BATCH]]
        writer, k = keys[0][:2]
        assert keys == [(writer, k, j) for j in range(BATCH)], "a batch was split or reordered"
        seen.setdefault(writer, []).append(k)
    assert seen == {w: list(range(BATCHES)) for w in range(WRITERS)}


def run_threads(target, count: int) -> None:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_threads_appending_to_a_new_session_keep_exact_order(url):
    with Database(url) as db:
        memory = SQLConversationMemory(db)
        run_threads(lambda w: [memory.add_items("race", batch(w, k)) for k in range(BATCHES)], WRITERS)
        assert_exact_order(memory.get_items("race"))
        assert memory.list_sessions() == ["race"]


def test_concurrent_pops_take_each_item_once(url):
    with Database(url) as db:
        memory = SQLConversationMemory(db)
        memory.add_items("s", [{"role": "user", "content": str(i)} for i in range(40)])
        popped: list[str] = []

        def pop(_: int) -> None:
            while (item := memory.pop_item("s")) is not None:
                popped.append(item.content)

        run_threads(pop, 4)
        assert sorted(popped, key=int) == [str(i) for i in range(40)]
        assert memory.get_items("s") == []


def test_tasks_appending_to_a_new_session_keep_exact_order(url):
    async def main() -> list:
        async with AsyncDatabase(url) as db:
            memory = AsyncSQLConversationMemory(db)

            async def write(w: int) -> None:
                for k in range(BATCHES):
                    await memory.add_items("race", batch(w, k))

            await asyncio.gather(*(write(w) for w in range(WRITERS)))
            return await memory.get_items("race")

    assert_exact_order(asyncio.run(main()))
