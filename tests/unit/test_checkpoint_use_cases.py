"""The checkpoints use cases on the in-memory Unit of Work: save, latest, get, history, delete, prune."""

import uuid
from datetime import timedelta

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.checkpoints import commands
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.infrastructure.inmemory.unit_of_work import InMemoryUnitOfWork
from tests.unit.builders import T0, FakeClock

UNKNOWN = "0b7a4f55-3c2d-4e8f-9a1b-2c3d4e5f6a7b"


@pytest.fixture
def services():
    return build_services(InMemoryUnitOfWork(), clock=FakeClock())


def save(services, thread_id="t", pipeline_id="p", state=None, **fields):
    return services.bus.handle(commands.SaveCheckpoint(thread_id, pipeline_id, state or {}, **fields))


def sequences(services, thread_id, **kwargs):
    return [view.sequence for view in services.checkpoints.history(thread_id, **kwargs)]


def test_saving_numbers_each_threads_checkpoints_from_one(services):
    for thread_id in ["a", "b", "a", "A", "a", "b", "a "]:
        save(services, thread_id)
    assert {t: sequences(services, t) for t in ["a", "b", "A", "a "]} == {
        "a": [3, 2, 1],
        "b": [2, 1],
        "A": [1],
        "a ": [1],
    }


def test_a_saved_checkpoint_is_read_back_with_the_clock_time(services):
    checkpoint_id = save(services, "t", "p", {"step": 1, "big": 2**64}, metadata={"who": "ü"})
    view = services.checkpoints.get(checkpoint_id)
    assert str(uuid.UUID(checkpoint_id)) == checkpoint_id
    assert view.to_dict() == {
        "checkpoint_id": checkpoint_id,
        "thread_id": "t",
        "pipeline_id": "p",
        "parent_id": None,
        "sequence": 1,
        "state": {"step": 1, "big": 2**64},
        "metadata": {"who": "ü"},
        "created_at": T0.isoformat(),
    }


def test_metadata_left_out_is_stored_as_an_empty_object(services):
    assert services.checkpoints.get(save(services)).metadata == {}


def test_changing_the_state_after_saving_or_reading_does_not_change_the_stored_checkpoint(services):
    state = {"messages": ["hi"]}
    checkpoint_id = save(services, state=state)
    state["messages"].append("changed")
    services.checkpoints.get(checkpoint_id).state["messages"].append("changed too")
    assert services.checkpoints.get(checkpoint_id).state == {"messages": ["hi"]}


def test_a_parent_in_the_same_thread_is_recorded(services):
    first = save(services, "t")
    second = save(services, "t", parent_id=first)
    assert services.checkpoints.get(second).parent_id == first


@pytest.mark.parametrize("parent", ["other thread", "unknown"])
def test_a_parent_that_is_not_in_the_thread_is_not_found_and_nothing_is_saved(services, parent):
    save(services, "t")
    parent_id = save(services, "u") if parent == "other thread" else UNKNOWN
    with pytest.raises(NotFound):
        save(services, "t", parent_id=parent_id)
    assert sequences(services, "t") == [1]
    save(services, "t")
    assert sequences(services, "t") == [2, 1]


@pytest.mark.parametrize(
    "fields",
    [{"thread_id": ""}, {"pipeline_id": "x" * 256}, {"state": [1]}, {"state": {"x": float("nan")}},
     {"metadata": {1: 2}}, {"parent_id": UNKNOWN.upper()}],
)  # fmt: skip
def test_an_invalid_checkpoint_is_refused_and_uses_up_no_sequence_number(services, fields):
    save(services, "t")
    with pytest.raises(InvalidInput):
        save(services, **{"thread_id": "t", **fields})
    save(services, "t")
    assert sequences(services, "t") == [2, 1]


def test_latest_is_the_threads_newest_checkpoint_or_of_one_pipeline(services):
    ids = [save(services, "t", pipeline) for pipeline in ["p", "q", "p", "q", "r"]]
    save(services, "other", "p")
    assert services.checkpoints.latest("t").checkpoint_id == ids[4]
    assert services.checkpoints.latest("t", "p").checkpoint_id == ids[2]
    assert services.checkpoints.latest("t", "q").sequence == 4
    assert services.checkpoints.latest("t", "P") is None
    assert services.checkpoints.latest("nobody") is None


def test_get_returns_none_for_an_unknown_id_and_refuses_a_malformed_one(services):
    save(services)
    assert services.checkpoints.get(UNKNOWN) is None
    with pytest.raises(InvalidInput):
        services.checkpoints.get("not-a-uuid")


def test_history_is_newest_first_and_limited(services):
    for _ in range(25):
        save(services, "t")
    assert sequences(services, "t") == list(range(25, 5, -1))
    assert sequences(services, "t", limit=3) == [25, 24, 23]
    assert sequences(services, "t", limit=0) == []
    assert [v.created_at for v in services.checkpoints.history("t", limit=2)] == [
        T0 + timedelta(seconds=24),
        T0 + timedelta(seconds=23),
    ]


def test_history_pages_back_from_the_checkpoint_given_as_before(services):
    ids = [save(services, "t") for _ in range(5)]
    pages, before = [], None
    for _ in range(4):  # bounded: a `before` that failed to move back must not loop forever
        page = services.checkpoints.history("t", limit=2, before=before)
        pages.append([view.sequence for view in page])
        before = page[-1].checkpoint_id if page else ids[0]
    assert pages == [[5, 4], [3, 2], [1], []]
    assert sequences(services, "t", before=ids[2]) == [2, 1]


@pytest.mark.parametrize("before", ["other thread", "unknown"])
def test_history_before_a_checkpoint_not_in_the_thread_is_not_found(services, before):
    save(services, "t")
    before_id = save(services, "u") if before == "other thread" else UNKNOWN
    with pytest.raises(NotFound):
        services.checkpoints.history("t", before=before_id)


@pytest.mark.parametrize("limit", [-1, True, 2.0, None])
def test_history_refuses_a_limit_that_is_not_a_non_negative_integer(services, limit):
    with pytest.raises(InvalidInput, match="limit"):
        services.checkpoints.history("t", limit=limit)


def test_deleting_a_thread_removes_its_checkpoints_only_and_returns_how_many(services):
    for thread_id in ["t", "t", "t", "T", "t "]:
        save(services, thread_id)
    assert services.bus.handle(commands.DeleteThread("t")) == 3
    assert (sequences(services, "t"), sequences(services, "T"), sequences(services, "t ")) == ([], [1], [1])
    assert services.bus.handle(commands.DeleteThread("t")) == 0


def test_a_thread_saved_to_again_after_deletion_starts_from_one(services):
    for _ in range(2):
        save(services, "t")
    services.bus.handle(commands.DeleteThread("t"))
    save(services, "t")
    assert sequences(services, "t") == [1]


@pytest.mark.parametrize(
    ("keep_last", "removed", "left"),
    [(0, 5, []), (1, 4, [5]), (3, 2, [5, 4, 3]), (5, 0, [5, 4, 3, 2, 1]), (9, 0, [5, 4, 3, 2, 1])],
)
def test_pruning_keeps_the_newest_checkpoints_of_the_thread(services, keep_last, removed, left):
    for _ in range(5):
        save(services, "t")
    save(services, "u")
    assert services.bus.handle(commands.PruneThread("t", keep_last)) == removed
    assert (sequences(services, "t"), sequences(services, "u")) == (left, [1])


def test_numbering_goes_on_after_pruning(services):
    for _ in range(4):
        save(services, "t")
    services.bus.handle(commands.PruneThread("t", 1))
    save(services, "t")
    assert sequences(services, "t") == [5, 4]


@pytest.mark.parametrize("keep_last", [-1, True, 1.5, "2", None])
def test_pruning_refuses_a_keep_last_that_is_not_a_non_negative_integer(services, keep_last):
    save(services, "t")
    with pytest.raises(InvalidInput, match="keep_last"):
        services.bus.handle(commands.PruneThread("t", keep_last))
    assert sequences(services, "t") == [1]


@pytest.mark.parametrize("thread_id", ["", "x" * 256, "a\x00", None])
def test_every_use_case_refuses_a_thread_id_that_cannot_be_stored(services, thread_id):
    calls = [
        lambda: services.checkpoints.latest(thread_id),
        lambda: services.checkpoints.history(thread_id),
        lambda: services.bus.handle(commands.DeleteThread(thread_id)),
        lambda: services.bus.handle(commands.PruneThread(thread_id, 1)),
        lambda: save(services, thread_id),
    ]
    for call in calls:
        with pytest.raises(InvalidInput, match="thread_id"):
            call()
