"""One checkpoint contract for the use cases (on every Unit of Work) and for SQLCheckpointer (on every dialect).

Both are driven through the same small synchronous surface returning plain dicts, so each assertion
below is literally the same for all seven implementations.
"""

import asyncio
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Protocol

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.checkpoints import commands
from memcore.domain.shared.errors import InvalidInput, MemcoreError, NotFound
from memcore.domain.shared.specification import Field
from memcore.infrastructure.compat.checkpoints import SQLCheckpointer
from memcore.infrastructure.compat.database import AsyncDatabase
from tests.conftest import ADAPTERS, SQL_DIALECTS, dialect_param
from tests.unit.builders import FakeClock

START = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
UNKNOWN = "0b7a4f55-3c2d-4e8f-9a1b-2c3d4e5f6a7b"
STATE = {
    "messages": [{"role": "user", "content": "Grüße, 世界 👋 \U0001d518"}, {"role": "assistant", "content": ""}],
    "counters": {"max_int64": 2**63 - 1, "min_int64": -(2**63), "beyond": 2**64 + 1, "max_safe": 2**53 + 1},
    "floats": [0.1, 1e308, 5e-324, -2.5], "flags": [True, False, None], "": "empty key", "nul": "a\x00b",
    "deep": [[[{"k": ["v", {"ключ": "значение"}]}]]],
}  # fmt: skip
METADATA = {"source": "tëst", "tags": ["ä", "A", "a"], "n": 2**62}


class Checkpoints(Protocol):
    def save(self, thread_id: Any, pipeline_id: Any, state: Any, metadata: Any = ..., parent_id: Any = ...) -> str: ...
    def load(self, thread_id: Any, pipeline_id: Any = None) -> dict | None: ...
    def get(self, checkpoint_id: Any) -> dict | None: ...
    def list(self, thread_id: Any, limit: Any = 20, before: Any = None) -> list[dict]: ...
    def delete_thread(self, thread_id: Any) -> int: ...
    def prune(self, thread_id: Any, keep_last: Any) -> int: ...


class UseCaseCheckpoints:
    """The bus and CheckpointQueries, with views as their dicts."""

    def __init__(self, services: Any) -> None:
        self.bus, self.queries = services.bus, services.checkpoints

    def save(self, thread_id, pipeline_id, state, metadata=None, parent_id=None):
        return self.bus.handle(commands.SaveCheckpoint(thread_id, pipeline_id, state, metadata, parent_id))

    def load(self, thread_id, pipeline_id=None):
        return as_dict(self.queries.latest(thread_id, pipeline_id))

    def get(self, checkpoint_id):
        return as_dict(self.queries.get(checkpoint_id))

    def list(self, thread_id, limit=20, before=None):
        return [view.to_dict() for view in self.queries.history(thread_id, limit, before)]

    def delete_thread(self, thread_id):
        return self.bus.handle(commands.DeleteThread(thread_id))

    def prune(self, thread_id, keep_last):
        return self.bus.handle(commands.PruneThread(thread_id, keep_last))


def as_dict(view: Any) -> dict | None:
    return None if view is None else view.to_dict()


class AsyncCheckpoints:
    """SQLCheckpointer on its own event loop; each call runs to completion, as one awaiting task would."""

    METHODS = {"save": "save_checkpoint", "load": "load_checkpoint", "get": "get_checkpoint",
               "list": "list_checkpoints", "delete_thread": "delete_thread", "prune": "prune"}  # fmt: skip

    def __init__(self, url: str, clock: Any = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.db = AsyncDatabase(url)
        self.inner = SQLCheckpointer(self.db) if clock is None else SQLCheckpointer(self.db, clock=clock)
        self.run(self.inner.setup())

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def __getattr__(self, name: str) -> Any:
        if name not in self.METHODS:
            raise AttributeError(name)
        method = getattr(self.inner, self.METHODS[name])
        return lambda *args, **kwargs: self.run(method(*args, **kwargs))

    def close(self) -> None:
        try:
            self.run(self.db.close())
        finally:
            self.loop.close()


def url_of(engine: Any) -> str:
    return engine.url.render_as_string(hide_password=False)


INVALID_CALLS = {
    "empty_thread": lambda c: c.save("", "p", {}), "NUL_in_thread": lambda c: c.save("a\x00", "p", {}),
    "long_thread": lambda c: c.save("🌍" * 256, "p", {}), "empty_pipeline": lambda c: c.save("t", "", {}),
    "int_pipeline": lambda c: c.save("t", 7, {}), "list_state": lambda c: c.save("t", "p", [1]),
    "NaN_state": lambda c: c.save("t", "p", {"x": float("nan")}), "set_state": lambda c: c.save("t", "p", {"x": {1}}),
    "list_metadata": lambda c: c.save("t", "p", {}, metadata=["m"]),
    "malformed_parent": lambda c: c.save("t", "p", {}, parent_id="nope"),
    "upper_case_parent": lambda c: c.save("t", "p", {}, parent_id=UNKNOWN.upper()),
    "malformed_get": lambda c: c.get("nope"), "get_None": lambda c: c.get(None), "load_empty": lambda c: c.load(""),
    "negative_limit": lambda c: c.list("t", limit=-1), "bool_limit": lambda c: c.list("t", limit=True),
    "malformed_before": lambda c: c.list("t", before="nope"), "delete_empty": lambda c: c.delete_thread(""),
    "negative_keep": lambda c: c.prune("t", -1), "float_keep": lambda c: c.prune("t", 1.0),
    "prune_None": lambda c: c.prune(None, 1),
}  # fmt: skip

# (kind, adapter) and the uow_factory parameter, which also empties that adapter's tables.
IMPLEMENTATIONS = [
    pytest.param((kind, adapter), adapter, id=f"{kind}-{adapter}", marks=dialect_param(adapter).marks)
    for kind, adapters in [("use_cases", ADAPTERS), ("checkpointer", SQL_DIALECTS)]
    for adapter in adapters
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START, timedelta(seconds=1, microseconds=1))


@pytest.fixture
def checkpoints(implementation, uow_factory, engines, clock):
    kind, adapter = implementation
    if kind == "use_cases":
        yield UseCaseCheckpoints(build_services(uow_factory(), clock=clock))
        return
    checkpointer = AsyncCheckpoints(url_of(engines[adapter]), clock)
    yield checkpointer
    checkpointer.close()


def sequences(checkpoints: Checkpoints, thread_id: str, **kwargs: Any) -> list[int]:
    return [found["sequence"] for found in checkpoints.list(thread_id, **kwargs)]


def thread(checkpoints: Checkpoints, thread_id: str, pipelines: str) -> list[str]:
    return [checkpoints.save(thread_id, pipeline, {"step": n}) for n, pipeline in enumerate(pipelines)]


@pytest.mark.parametrize(("implementation", "uow_factory"), IMPLEMENTATIONS, indirect=["uow_factory"])
class TestCheckpointContract:
    def test_a_checkpoint_round_trips_nested_unicode_state_and_big_integers(self, checkpoints):
        first = checkpoints.save("t", "p", {"step": 0})
        checkpoint_id = checkpoints.save("🌍" * 255, "ü" * 255, STATE, METADATA)
        second = checkpoints.save("t", "p", {}, parent_id=first)
        expected = {"checkpoint_id": checkpoint_id, "thread_id": "🌍" * 255, "pipeline_id": "ü" * 255,
                    "parent_id": None, "sequence": 1, "state": STATE, "metadata": METADATA,
                    "created_at": "2024-05-01T12:00:01.123457+00:00"}  # fmt: skip
        assert checkpoints.get(checkpoint_id) == expected
        assert checkpoints.load("🌍" * 255) == expected
        assert checkpoints.list("🌍" * 255) == [expected]
        assert (checkpoints.get(second)["parent_id"], checkpoints.get(second)["metadata"]) == (first, {})

    def test_created_at_is_the_clock_time_in_utc_with_microseconds(self, checkpoints, clock):
        clock.now = datetime(2024, 5, 1, 14, 0, 0, 1, tzinfo=timezone(timedelta(hours=2)))
        early = checkpoints.save("t", "p", {})
        clock.now, clock.step = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), timedelta(0)
        late = checkpoints.save("t", "p", {})
        assert checkpoints.get(early)["created_at"] == "2024-05-01T12:00:00.000001+00:00"
        assert checkpoints.get(late)["created_at"] == "9999-12-31T23:59:59.999999+00:00"

    def test_each_thread_numbers_its_checkpoints_from_one(self, checkpoints):
        for thread_id in ["t", "T", "t", "t ", "ü", "t", "T"]:
            checkpoints.save(thread_id, "p", {})
        assert [sequences(checkpoints, t) for t in ["t", "T", "t ", "ü", "u"]] == [[3, 2, 1], [2, 1], [1], [1], []]

    def test_latest_is_the_newest_of_the_thread_or_of_one_pipeline(self, checkpoints):
        ids = thread(checkpoints, "t", "pqpqr")
        checkpoints.save("u", "p", {})
        assert checkpoints.load("t")["checkpoint_id"] == ids[4]
        assert (checkpoints.load("t", "p")["checkpoint_id"], checkpoints.load("t", "q")["sequence"]) == (ids[2], 4)
        assert (checkpoints.load("t", "P"), checkpoints.load("t", "p "), checkpoints.load("v")) == (None, None, None)

    def test_a_parent_outside_the_thread_is_not_found_and_nothing_is_saved(self, checkpoints):
        [mine], [foreign] = thread(checkpoints, "t", "p"), thread(checkpoints, "T", "p")
        for parent in (foreign, UNKNOWN):
            with pytest.raises(NotFound):
                checkpoints.save("t", "p", {}, parent_id=parent)
        assert checkpoints.get(checkpoints.save("t", "p", {}, parent_id=mine))["sequence"] == 2

    def test_history_is_newest_first_limited_and_pages_back_with_before(self, checkpoints):
        thread(checkpoints, "t", "p" * 22)
        thread(checkpoints, "u", "p")
        assert sequences(checkpoints, "t") == list(range(22, 2, -1))
        assert (sequences(checkpoints, "t", limit=3), sequences(checkpoints, "t", limit=0)) == ([22, 21, 20], [])
        pages, before = [], None
        for _ in range(4):  # bounded: a `before` that failed to move back must not loop forever
            page = checkpoints.list("t", limit=8, before=before)
            pages.append([found["sequence"] for found in page])
            before = page[-1]["checkpoint_id"] if page else before
        assert pages == [list(range(22, 14, -1)), list(range(14, 6, -1)), list(range(6, 0, -1)), []]

    def test_history_before_an_unknown_or_foreign_checkpoint_is_not_found(self, checkpoints):
        thread(checkpoints, "t", "pp")
        [foreign] = thread(checkpoints, "u", "p")
        for before in (foreign, UNKNOWN):
            with pytest.raises(NotFound):
                checkpoints.list("t", before=before)

    def test_reading_what_is_not_there_finds_nothing(self, checkpoints):
        thread(checkpoints, "t", "p")
        assert (checkpoints.get(UNKNOWN), checkpoints.load("u"), checkpoints.list("u")) == (None, None, [])
        assert (checkpoints.delete_thread("u"), checkpoints.prune("u", 0)) == (0, 0)

    def test_deleting_a_thread_removes_only_its_checkpoints_and_numbering_restarts(self, checkpoints):
        thread(checkpoints, "t", "pqp")
        thread(checkpoints, "T", "p")
        assert checkpoints.delete_thread("t") == 3
        assert (sequences(checkpoints, "t"), sequences(checkpoints, "T")) == ([], [1])
        checkpoints.save("t", "p", {})
        assert sequences(checkpoints, "t") == [1]

    @pytest.mark.parametrize(("keep_last", "removed", "left"), [(0, 5, []), (2, 3, [5, 4]), (5, 0, [5, 4, 3, 2, 1]),
                                                                 (6, 0, [5, 4, 3, 2, 1])])  # fmt: skip
    def test_pruning_keeps_the_newest_n_and_numbering_goes_on(self, checkpoints, keep_last, removed, left):
        thread(checkpoints, "t", "ppqpq")
        thread(checkpoints, "u", "pp")
        assert checkpoints.prune("t", keep_last) == removed
        assert (sequences(checkpoints, "t"), sequences(checkpoints, "u")) == (left, [2, 1])
        checkpoints.save("t", "p", {})
        assert sequences(checkpoints, "t", limit=1) == [6 if left else 1]

    @pytest.mark.parametrize("call", INVALID_CALLS.values(), ids=list(INVALID_CALLS))
    def test_invalid_input_is_refused_and_changes_nothing(self, checkpoints, call):
        thread(checkpoints, "t", "pp")
        with pytest.raises(InvalidInput):
            call(checkpoints)
        assert sequences(checkpoints, "t") == [2, 1]

    @pytest.mark.parametrize("pipeline_id", [7, "a\x00b", "", "p" * 256])
    def test_latest_of_a_pipeline_id_that_cannot_be_stored_is_refused(self, checkpoints, pipeline_id):
        thread(checkpoints, "t", "p")
        with pytest.raises(InvalidInput):
            checkpoints.load("t", pipeline_id)


@pytest.mark.parametrize("uow_factory", [dialect_param(a) for a in ADAPTERS], indirect=True)
def test_checkpoints_a_unit_of_work_has_read_can_be_removed_and_committed(uow_factory):
    checkpoint_id = build_services(uow_factory()).bus.handle(commands.SaveCheckpoint("t", "p", {}))
    with uow_factory() as uow:
        assert uow.checkpoints.get(checkpoint_id) is not None
        assert uow.checkpoints.remove(Field("thread_id") == "t") == 1
        uow.commit()
    assert uow_factory().checkpoint_views.get(checkpoint_id) is None


WRITERS, SAVES_EACH, ROUNDS = ("p", "q"), 20, 8  # rounds: one lucky interleaving must not hide a lost save


def save_from_two_threads(uow_factory, thread_id: str) -> list[str]:
    """Each writer its own services and Unit of Work; returns the errors they met."""
    start, errors = threading.Barrier(len(WRITERS)), []

    def write(pipeline_id: str) -> None:
        services = build_services(uow_factory())
        start.wait()
        for step in range(SAVES_EACH):
            try:
                services.bus.handle(commands.SaveCheckpoint(thread_id, pipeline_id, {"step": step}))
            except MemcoreError as exc:
                errors.append(repr(exc))

    writers = [threading.Thread(target=write, args=(pipeline_id,)) for pipeline_id in WRITERS]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    return errors


def assert_numbered_one_by_one(checkpoints: Checkpoints, thread_id: str, errors: list[str]) -> None:
    numbers = sorted(sequences(checkpoints, thread_id, limit=100))
    assert (errors, numbers) == ([], list(range(1, len(WRITERS) * SAVES_EACH + 1)))


@pytest.mark.parametrize("uow_factory", [dialect_param(d) for d in SQL_DIALECTS], indirect=True)
def test_concurrent_saves_to_one_thread_are_numbered_without_gaps_or_duplicates(uow_factory):
    readback = UseCaseCheckpoints(build_services(uow_factory()))
    for round_number in range(ROUNDS):
        errors = save_from_two_threads(uow_factory, f"busy-{round_number}")
        assert_numbered_one_by_one(readback, f"busy-{round_number}", errors)


def test_concurrent_async_saves_to_one_thread_are_numbered_without_gaps_or_duplicates(sql_engine):
    checkpoints = AsyncCheckpoints(url_of(sql_engine))

    async def write(thread_id: str, pipeline_id: str) -> list[str]:
        errors = []
        for step in range(SAVES_EACH):
            try:
                await checkpoints.inner.save_checkpoint(thread_id, pipeline_id, {"step": step})
            except MemcoreError as exc:
                errors.append(repr(exc))
        return errors

    async def race(thread_id: str) -> list[str]:
        return [e for errors in await asyncio.gather(*(write(thread_id, p) for p in WRITERS)) for e in errors]

    try:
        for round_number in range(ROUNDS):
            errors = checkpoints.run(race(f"busy-{round_number}"))
            assert_numbered_one_by_one(checkpoints, f"busy-{round_number}", errors)
    finally:
        checkpoints.close()
