"""One contract for the memory use cases, repository and Unit of Work, run against every adapter."""

from datetime import UTC, datetime, timedelta

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.memory.commands import ApplyMemoryOperations, DeleteMemory, StoreMemories, StoreMemory
from memcore.domain.memory.model import MemoryEntry
from memcore.domain.memory.ports import key_prefix, metadata_has
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field, Query
from tests.unit.builders import T0, FakeClock

VALUES = [
    {"name": "Ann", "nested": {"list": [1, 2.5, None, True, {"deep": ["x", "日本"]}]}, "": "empty key"},
    ["a", 1, None, False, [], {}],
    'plain text with "quotes" and \\ backslash',
    "",
    0,
    -(2**63),
    2**64 + 1,
    1.5e308,
    5e-324,
    -0.5,
    True,
    False,
    None,
    {},
    [],
    {"emoji": "🚀 \U0001d518", "ctrl": "\x01\t\n", "ü": "Grüße"},
]


@pytest.fixture
def services(uow_factory):
    return build_services(uow_factory(), clock=FakeClock())


def store(services, key, value, metadata=None):
    return services.bus.handle(StoreMemory(key, value, metadata))


@pytest.mark.parametrize("value", VALUES, ids=[f"v{i}" for i in range(len(VALUES))])
def test_every_json_value_round_trips_exactly(services, value):
    assert store(services, "k", value, {"m": value}) is True
    view = services.memory.get("k")
    assert view.value == value and type(view.value) is type(value)
    assert view.metadata == {"m": value}
    found = services.memory.get_value("k")
    assert found == (value, {"m": value}) and type(found[0]) is type(value)


def test_get_value_reads_value_and_metadata_of_the_current_entry_only(services):
    assert services.memory.get_value("missing") is None
    store(services, "k", [1, "a"], None)
    store(services, "k", {"new": True}, {"m": 2})
    assert services.memory.get_value("k") == ({"new": True}, {"m": 2})
    with pytest.raises(InvalidInput):
        services.memory.get_value("")


def test_metadata_none_and_empty_object_are_kept_apart(services):
    store(services, "none", 1, None)
    store(services, "empty", 1, {})
    assert services.memory.get("none").metadata is None
    assert services.memory.get("empty").metadata == {}


def test_storing_reports_created_then_replaced_and_keeps_created_at(services):
    assert store(services, "user:1", {"v": 1}, {"a": 1}) is True
    assert store(services, "user:1", {"v": 2}, None) is False
    view = services.memory.get("user:1")
    assert (view.value, view.metadata) == ({"v": 2}, None)
    assert view.created_at == T0 and view.updated_at == T0 + timedelta(seconds=1)
    assert services.memory.count() == 1


def test_a_frozen_clock_still_tells_created_from_replaced(uow_factory):
    services = build_services(uow_factory(), clock=lambda: T0)
    assert [store(services, "k", "same") for _ in range(3)] == [True, False, False]
    assert services.bus.handle(StoreMemories([StoreMemory("k", "same"), StoreMemory("j", 1)])) == [False, True]


def test_retrieving_a_missing_key_gives_none_and_deleting_says_whether_it_was_there(services):
    assert services.memory.get("missing") is None
    store(services, "k", 1)
    assert services.bus.handle(DeleteMemory("k")) is True
    assert services.bus.handle(DeleteMemory("k")) is False
    assert services.memory.get("k") is None


def test_keys_are_unicode_case_sensitive_and_up_to_512_characters(services):
    keys = ["a", "A", "a ", "ä", "日本:ユーザー", "🚀", "x" * 512]
    for i, key in enumerate(keys):
        assert store(services, key, i) is True
    assert [services.memory.get(key).value for key in keys] == list(range(len(keys)))
    assert [view.key for view in services.memory.iterate(batch_size=2)] == sorted(keys)


@pytest.mark.parametrize(
    ("key", "value", "metadata"),
    [
        ("", 1, None),
        (None, 1, None),
        ("x" * 513, 1, None),
        ("nul\x00", 1, None),
        ("\ud800", 1, None),
        (42, 1, None),
        ("k", float("nan"), None),
        ("k", {"a": float("inf")}, None),
        ("k", {"a": "nul\x00"}, None),
        ("k", ["\udfff"], None),
        ("k", {1: "int key"}, None),
        ("k", object(), None),
        ("k", 1, {"a": "\x00"}),
        ("k", 1, ["not", "an", "object"]),
        ("k", 1, "text"),
    ],
)
def test_unstorable_input_is_refused_before_anything_is_written(services, key, value, metadata):
    store(services, "existing", "kept")
    with pytest.raises(InvalidInput):
        store(services, key, value, metadata)
    assert services.memory.count() == 1
    assert services.memory.get("existing").value == "kept"


def test_a_batch_with_one_bad_entry_stores_nothing(services):
    batch = [StoreMemory("a", 1), StoreMemory("b", float("nan")), StoreMemory("c", 3)]
    with pytest.raises(InvalidInput, match="#1"):
        services.bus.handle(StoreMemories(batch))
    assert services.memory.count() == 0


def test_operations_apply_together_or_not_at_all(services):
    store(services, "old", 0)
    results = services.bus.handle(
        ApplyMemoryOperations([StoreMemory("a", 1), DeleteMemory("old"), StoreMemory("a", 2), DeleteMemory("zz")])
    )
    assert results == [True, True, False, False]
    assert [(v.key, v.value) for v in services.memory.iterate()] == [("a", 2)]
    with pytest.raises(InvalidInput):
        services.bus.handle(ApplyMemoryOperations([DeleteMemory("a"), StoreMemory("", 1)]))
    assert services.memory.get("a").value == 2


def test_a_transaction_sees_its_own_writes_and_commits_on_exit(services):
    store(services, "a", "before")
    with services.memory_transaction() as tx:
        assert tx.retrieve("a").value == "before"
        assert tx.store("a", "after") is False
        assert tx.retrieve("a").value == "after"
        assert tx.delete("a") is True
        assert tx.retrieve("a") is None
        assert tx.store("a", "again") is True
        assert tx.store("b", {"n": 1}) is True
        assert services.memory.get("b") is None  # not committed yet
    assert services.memory.get("a").value == "again"
    assert services.memory.get("b").value == {"n": 1}


def test_an_exception_in_a_transaction_rolls_everything_back(services):
    store(services, "a", "before")
    with pytest.raises(RuntimeError), services.memory_transaction() as tx:
        tx.store("a", "changed")
        tx.store("new", 1)
        tx.delete("a")
        raise RuntimeError("boom")
    assert services.memory.get("a").value == "before"
    assert services.memory.get("new") is None
    with pytest.raises(InvalidInput), services.memory_transaction() as tx:
        tx.store("fine", 1)
        tx.store("", 2)
    assert services.memory.get("fine") is None


def test_iterating_pages_through_every_entry_in_key_order(services):
    keys = [f"k{i:03d}" for i in range(23)]
    services.bus.handle(StoreMemories([StoreMemory(key, {"i": i}) for i, key in enumerate(reversed(keys))]))
    for size in (1, 5, 23, 100):
        assert [view.key for view in services.memory.iterate(batch_size=size)] == keys
    assert services.memory.get_many(["k001", "nope", "k001"]) == {
        "k001": services.memory.get("k001"),
        "nope": None,
    }


def test_specifications_filter_by_key_prefix_metadata_and_time(uow_factory):
    services = build_services(uow_factory(), clock=FakeClock())
    rows = [
        ("user:1:profile", {"kind": "profile", "n": 1, "ok": True}),
        ("user:1:notes", {"kind": "notes", "n": 1.0, "ok": 1}),
        ("user:10:profile", {"kind": "profile", "n": "1", "ok": None}),
        ("user;2", {"kind": ["profile"], "n": [1]}),
        ("team:1", None),
        ("user:\U0010ffff", {"kind": {"profile": 1}}),
    ]
    for key, metadata in rows:
        store(services, key, 0, metadata)
    with uow_factory() as uow:

        def keys(spec):
            return [entry.key for entry in uow.memory.list(Query(where=spec, order_by=[Field("key").asc()]))]

        assert keys(key_prefix("user:1")) == ["user:10:profile", "user:1:notes", "user:1:profile"]  # "0" < ":"
        assert keys(key_prefix("user:")) == ["user:10:profile", "user:1:notes", "user:1:profile", "user:\U0010ffff"]
        assert keys(key_prefix("USER")) == []
        assert keys(metadata_has("kind", "profile")) == ["user:10:profile", "user:1:profile"]
        assert keys(metadata_has("n", 1)) == ["user:1:notes", "user:1:profile"]
        assert keys(metadata_has("n", "1")) == ["user:10:profile"]
        assert keys(metadata_has("ok", True)) == ["user:1:profile"]
        assert keys(metadata_has("ok", None)) == ["user:10:profile"]
        assert keys(~metadata_has("ok", True)) == [k for k, _ in sorted(rows) if k != "user:1:profile"]
        assert keys(metadata_has("kind", "profile") & key_prefix("user:10")) == ["user:10:profile"]
        assert keys(Field("created_at") >= T0 + timedelta(seconds=4)) == ["team:1", "user:\U0010ffff"]
        assert uow.memory.count(metadata_has("kind", "notes")) == 1
        with pytest.raises(InvalidInput):
            uow.memory.list(Field("metadata") == '{"kind": "profile"}')
        with pytest.raises(InvalidInput):
            metadata_has("kind", ["profile"])


def test_the_repository_round_trips_an_entry_and_tracks_in_place_changes(uow_factory):
    created = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    with uow_factory() as uow:
        assert uow.memory.put(MemoryEntry("k", {"list": [1]}, created, created, {"m": 1})) is True
        uow.commit()
    with uow_factory() as uow:
        entry = uow.memory.get("k")
        assert (entry.value, entry.metadata, entry.created_at) == ({"list": [1]}, {"m": 1}, created)
        entry.value["list"].append(2)
        entry.metadata["n"] = 2
        uow.commit()
    with uow_factory() as uow:
        entry = uow.memory.get("k")
        assert (entry.value, entry.metadata) == ({"list": [1, 2]}, {"m": 1, "n": 2})
        assert uow.memory.remove(key_prefix("k")) == 1
    with uow_factory() as uow:  # not committed
        assert uow.memory.get("k") is not None


def test_an_entry_loaded_in_the_transaction_can_be_replaced_by_json_null(uow_factory):
    moment = datetime(2024, 1, 2, tzinfo=UTC)
    with uow_factory() as uow:
        uow.memory.put(MemoryEntry("changed", 1, moment, moment, None))
        uow.memory.put(MemoryEntry("put", 1, moment, moment, None))
        uow.commit()
    with uow_factory() as uow:
        uow.memory.get("changed").value = None  # saved by the flush, through the mapped column
        assert uow.memory.get("put") is not None
        assert uow.memory.put(MemoryEntry("put", None, moment, moment, {"m": None})) is False
        uow.commit()
    with uow_factory() as uow:
        assert (uow.memory.get("changed").value, uow.memory.get("put").value) == (None, None)
        assert uow.memory.get("put").metadata == {"m": None}
