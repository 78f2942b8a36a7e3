"""What the child processes of the reliability tests run, and how the tests start and collect them.

Children are forked (fast enough for hundreds of SIGKILLs) and each opens its own `memcore.connect`:
nothing of the parent's pool is used in a child.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from typing import Any

import memcore
from memcore import commands as c
from memcore.errors import MemcoreError
from memcore.infrastructure.bench.fault_crash import CONTEXT


def describe(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__name__}: {exc}"


def run_processes(target: Callable[..., Any], count: int, args: tuple, timeout: float = 300) -> list[Any]:
    """`target(index, barrier, out, *args)` in `count` processes at once; what each put on `out`."""
    barrier, out = CONTEXT.Barrier(count), CONTEXT.Queue()
    processes = [CONTEXT.Process(target=_guarded, args=(target, i, barrier, out, *args)) for i in range(count)]
    for process in processes:
        process.start()
    results, deadline = [], time.monotonic() + timeout
    try:
        while len(results) < count:
            results.append(out.get(timeout=max(0.1, deadline - time.monotonic())))
    finally:
        for process in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
    crashed = [r["crash"] for r in results if isinstance(r, dict) and "crash" in r]
    first = [c for c in crashed if "BrokenBarrierError" not in c] or crashed
    assert not crashed, first[0]
    return results


def _guarded(target: Callable[..., Any], index: int, barrier: Any, out: Any, *args: Any) -> None:
    try:
        target(index, barrier, out, *args)
    except BaseException:
        barrier.abort()  # the others stop waiting for this one (BrokenBarrierError) and report too
        out.put({"crash": traceback.format_exc()})


def timed(call: Callable[[], Any], latencies: list[float], errors: list[str]) -> Any:
    """`call()`, its latency appended; a failure is described in `errors` (None returned)."""
    start = time.perf_counter()
    try:
        return call()
    except Exception as exc:  # every failure is a figure: typed or not, it is counted
        errors.append(describe(exc))
        return None
    finally:
        latencies.append(time.perf_counter() - start)


# -- concurrency ---------------------------------------------------------------------------------


def poster(index: int, barrier: Any, out: Any, url: str, conversation_id: str, posts: int) -> None:
    with memcore.connect(url) as app:
        app.conversations.get(conversation_id)  # connected before the race starts
        latencies: list[float] = []
        errors: list[str] = []
        barrier.wait()
        posted = []
        for n in range(posts):
            view = timed(
                lambda n=n: app.handle(c.PostMessage(conversation_id, "user", f"{index}:{n}")), latencies, errors
            )
            if view is not None:
                posted.append(view.id)
        out.put({"index": index, "posted": posted, "latencies": latencies, "errors": errors})


def race_rounds(index: int, barrier: Any, out: Any, rounds: int, call: Any, outcome: Any) -> None:
    """Each round, wait for every racer, then time `call(round)`; put `outcome(result)` per round."""
    latencies: list[float] = []
    errors: list[str] = []
    outcomes = []
    for r in range(rounds):
        barrier.wait()
        got = timed(lambda r=r: call(r), latencies, errors)
        outcomes.append(outcome(got))
    out.put({"index": index, "outcomes": outcomes, "latencies": latencies, "errors": errors})


def user_racer(index: int, barrier: Any, out: Any, url: str, rounds: int) -> None:
    with memcore.connect(url) as app:
        app.users.count()
        race_rounds(index, barrier, out, rounds,
                    lambda r: app.handle(c.GetOrCreateUser(f"auth|race-{r}", name=f"racer {index}")),
                    lambda got: None if got is None else (got[0].id, got[1]))  # fmt: skip


def resolver(index: int, barrier: Any, out: Any, url: str, conflict_ids: list[str]) -> None:
    with memcore.connect(url) as app:
        app.get_conflict(conflict_ids[0])
        latencies: list[float] = []
        outcomes = []
        for conflict_id in conflict_ids:
            barrier.wait()
            start = time.perf_counter()
            try:
                app.handle(c.ResolveConflict(conflict_id, "keep_a", "manual", resolved_by=f"resolver-{index}"))
                outcomes.append("resolved")
            except MemcoreError as exc:
                outcomes.append(describe(exc))
            latencies.append(time.perf_counter() - start)
        out.put({"index": index, "outcomes": outcomes, "latencies": latencies, "errors": []})


def checkpointer(index: int, barrier: Any, out: Any, url: str, thread_id: str, saves: int, width: int) -> None:
    with memcore.connect(url) as app:
        app.checkpoints.latest(thread_id)
        latencies: list[float] = []
        errors: list[str] = []
        saved = []
        barrier.wait()
        for n in range(saves):
            state = {"writer": index, "step": n, "writes": [f"{index}:{n}:{k}" for k in range(width)]}
            got = timed(lambda state=state: app.handle(c.SaveCheckpoint(thread_id, "pipeline", state)), latencies,
                        errors)  # fmt: skip
            if got is not None:
                saved.append(got)
        out.put({"index": index, "saved": saved, "latencies": latencies, "errors": errors})


# -- crash atomicity: the writers live in memcore.infrastructure.bench.fault_crash (the faults
# bench runs them too)


def session_poster(index: int, barrier: Any, out: Any, url: str, conversation_id: str, posts: int) -> None:
    """As `poster`, through the chat drop-in: each post in its own get_session() block, after a read."""
    os.environ["DATABASE_URL"] = url
    from memcore.compat import chat

    chat.get_engine()
    latencies: list[float] = []
    errors: list[str] = []
    posted = []

    def post(n: int) -> str:
        with chat.get_session() as session:
            chat.get_conversation_by_id(session, conversation_id)  # the session has read it first
            return str(chat.add_message(session, conversation_id, "user", f"{index}:{n}").id)

    barrier.wait()
    for n in range(posts):
        got = timed(lambda n=n: post(n), latencies, errors)
        if got is not None:
            posted.append(got)
    chat.dispose_engine()
    out.put({"index": index, "posted": posted, "latencies": latencies, "errors": errors})


def session_racer(index: int, barrier: Any, out: Any, url: str, rounds: int) -> None:
    """Each round, every process adds the first item of one new conversation-memory session."""
    from memcore.compat.conversation_memory import SQLConversationMemory

    memory = SQLConversationMemory(url)
    try:
        race_rounds(index, barrier, out, rounds,
                    lambda r: memory.add_item(f"race-session-{r}", "user", f"from {index}"),
                    lambda got: got is not None)  # fmt: skip
    finally:
        memory.close()


def thread_racer(index: int, barrier: Any, out: Any, url: str, rounds: int) -> None:
    """Each round, every process saves the first checkpoint of one new thread."""
    with memcore.connect(url) as app:
        app.users.count()
        race_rounds(index, barrier, out, rounds,
                    lambda r: app.handle(c.SaveCheckpoint(f"race-thread-{r}", "p", {"by": index})),
                    lambda got: got)  # fmt: skip


# -- async writers into one SQLite file -----------------------------------------------------------

ASYNC_TABLE = "async_race"


def async_writer(index: int, barrier: Any, out: Any, url: str, route: str, session: str, writes: int,
                 busy_ms: int, hold_s: float) -> None:  # fmt: skip
    """Process 0 holds the write lock for `hold_s` (several busy timeouts), twice; the others run
    two asyncio tasks each doing `writes` writes by `route`: an `AsyncDatabase.transaction()` that
    reads the last sequence and writes the next one, or `AsyncSQLConversationMemory.add_item`
    (the whole plan in one hop to aiosqlite's thread)."""
    import asyncio
    import sqlite3

    if index == 0:
        barrier.wait()
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
        for _ in range(2):
            time.sleep(0.05)
            holder.execute("BEGIN IMMEDIATE")
            time.sleep(hold_s)
            holder.execute("COMMIT")
        holder.close()
        out.put({"index": 0, "written": [], "latencies": [], "errors": []})
        return
    out.put(asyncio.run(_async_writes(index, barrier, url, route, session, writes, busy_ms)))


async def _async_writes(index: int, barrier: Any, url: str, route: str, session: str, writes: int,
                        busy_ms: int) -> dict[str, Any]:  # fmt: skip
    import asyncio

    from memcore.compat.conversation_memory import AsyncSQLConversationMemory
    from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase

    db = AsyncDatabase(url, busy_timeout_ms=busy_ms)
    memory = AsyncSQLConversationMemory(db)
    await memory.get_items(session)  # connected before the race starts
    latencies: list[float] = []
    errors: list[str] = []
    written: list[str] = []

    async def sequenced(tag: str) -> None:
        async with db.transaction():
            last = await db.fetch_value(f"SELECT COALESCE(MAX(seq), 0) FROM {ASYNC_TABLE}")
            await db.execute(f"INSERT INTO {ASYNC_TABLE} (seq, tag) VALUES (:seq, :tag)", {"seq": last + 1, "tag": tag})

    async def task(t: int) -> None:
        for n in range(writes):
            tag = f"{index}.{t}:{n}"
            start = time.perf_counter()
            try:
                if route == "transaction":
                    await sequenced(tag)
                else:
                    await memory.add_item(session, "user", tag)
                written.append(tag)
            except Exception as exc:
                errors.append(describe(exc))
            latencies.append(time.perf_counter() - start)

    await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
    await asyncio.gather(task(0), task(1))
    await db.close()
    return {"index": index, "written": written, "latencies": latencies, "errors": errors}
