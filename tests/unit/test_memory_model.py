"""Rules of the memory context's entities, values, filters and words."""

import hashlib
import sys
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from memcore.domain.memory.model import (
    CatalogEntry,
    CatalogSnapshot,
    MemoryDraft,
    MemoryEntry,
    catalog_id,
    check_snapshot_id,
)
from memcore.domain.memory.ports import (
    MetadataEquals,
    _after,
    check_filters,
    key_prefix,
    metadata_has,
    metadata_matches,
)
from memcore.domain.memory.text import indexed_text, matches, query_words, strings_in, words
from memcore.domain.memory.values import check_json_value, check_key
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Everything, Field
from memcore.infrastructure.sqlalchemy import search
from tests.unit.builders import T0


def entry(**fields):
    return MemoryEntry(**{"key": "k", "value": 1, "created_at": T0, "updated_at": T0, **fields})


def test_a_memory_entry_keeps_a_private_copy_of_its_value():
    value = {"list": [1, {"a": "b"}]}
    made = entry(value=value)
    value["list"].append(2)
    assert made.value == {"list": [1, {"a": "b"}]}


def test_tuples_become_lists_and_enum_like_subclasses_plain_values():
    import enum

    class Colour(enum.StrEnum):
        RED = "red"

    assert entry(value=(1, (2,), Colour.RED)).value == [1, [2], "red"]
    assert type(entry(value=Colour.RED).value) is str


@pytest.mark.parametrize(
    "bad",
    [float("nan"), float("-inf"), {"k": {1, 2}}, {2: "x"}, "a\x00", ["\udc00"], {"\x00": 1}, 2**15000, b"bytes"],
    ids=lambda value: type(value).__name__,
)
def test_values_json_cannot_carry_are_refused(bad):
    with pytest.raises(InvalidInput):
        check_json_value("value", bad)


def test_nesting_deeper_than_64_levels_is_refused():
    deep: list = []
    for _ in range(70):
        deep = [deep]
    with pytest.raises(InvalidInput, match="deeper"):
        check_json_value("value", deep)


def test_keys_are_non_empty_storable_strings_of_at_most_512_characters():
    assert check_key("x" * 512) == "x" * 512
    for bad in ("", None, "x" * 513, "a\x00", "\ud800", 5):
        with pytest.raises(InvalidInput):
            check_key(bad)


def test_a_draft_is_checked_by_the_entry_rules_and_frozen():
    value = {"list": [1, (2,)]}
    draft = MemoryDraft(key="k", value=value, created_at=T0, updated_at=T0, metadata={"m": 1})
    value["list"].append(3)
    assert draft.value == {"list": [1, [2]]}  # a private plain copy, as the entity keeps
    made = draft.entry()
    assert isinstance(made, MemoryEntry)
    assert (made.key, made.value, made.metadata, made.created_at) == ("k", {"list": [1, [2]]}, {"m": 1}, T0)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        draft.value = 2  # type: ignore[misc]
    fields = {"key": "k", "value": 1, "created_at": T0, "updated_at": T0}
    for bad in ({"key": ""}, {"value": float("nan")}, {"metadata": [1]}, {"created_at": T0.replace(tzinfo=None)}):
        with pytest.raises(InvalidInput):
            MemoryDraft(**{**fields, **bad})


def test_replacing_keeps_created_at_and_assignment_is_checked():
    made = entry()
    made.replace({"new": True}, {"m": 1}, T0 + timedelta(seconds=5))
    assert (made.value, made.metadata, made.created_at) == ({"new": True}, {"m": 1}, T0)
    with pytest.raises(InvalidInput):
        made.value = float("nan")
    with pytest.raises(InvalidInput):
        made.metadata = ["not", "an", "object"]


def test_catalog_ids_are_the_sha256_of_the_key_and_cannot_disagree_with_it():
    tracked = CatalogEntry(key="blob", content_hash="h", byte_size=0, created_at=T0, updated_at=T0)
    assert tracked.id == catalog_id("blob") == hashlib.sha256(b"blob").hexdigest()
    assert len(tracked.id) == 64 and tracked.id == tracked.id.lower()
    with pytest.raises(InvalidInput):
        CatalogEntry(key="blob", content_hash="h", byte_size=0, created_at=T0, updated_at=T0, id=catalog_id("other"))


def test_catalog_entries_expire_at_their_time():
    tracked = CatalogEntry(key="b", content_hash="h", byte_size=1, created_at=T0, updated_at=T0, expires_at=T0)
    assert tracked.is_expired(T0) and not tracked.is_expired(T0 - timedelta(microseconds=1))


def test_snapshot_ids_are_canonical_uuids():
    snapshot = CatalogSnapshot(name="n", created_at=T0, entry_count=0, total_bytes=0)
    assert check_snapshot_id(snapshot.id) == snapshot.id
    for bad in ("x", snapshot.id.upper(), 5):
        with pytest.raises(InvalidInput):
            check_snapshot_id(bad)


def test_metadata_filters_keep_types_apart_but_compare_numbers_by_value():
    holder = entry(metadata={"n": 1, "b": True, "s": "1", "z": None, "list": [1]})
    assert metadata_has("n", 1.0).is_satisfied_by(holder)
    assert not metadata_has("n", True).is_satisfied_by(holder)
    assert not metadata_has("b", 1).is_satisfied_by(holder)
    assert not metadata_has("s", 1).is_satisfied_by(holder)
    assert metadata_has("z", None).is_satisfied_by(holder)
    assert not metadata_has("missing", None).is_satisfied_by(holder)
    assert not metadata_has("list", 1).is_satisfied_by(holder)
    assert not metadata_has("n", 1).is_satisfied_by(entry(metadata=None))
    assert isinstance(metadata_has("k", "v"), MetadataEquals)
    assert metadata_matches(None) == Everything() and metadata_matches({}) == Everything()
    for bad in ({"k": [1]}, {"k": {"a": 1}}, {"k": float("nan")}, {1: "v"}, "k=v"):
        with pytest.raises(InvalidInput):
            metadata_matches(bad)


def test_metadata_is_compared_only_through_metadata_has():
    check_filters(metadata_has("k", 1) & ~metadata_has("j", "x"))
    with pytest.raises(InvalidInput):
        check_filters((Field("key") == "a") | ~(Field("metadata") == "{}"))


def test_a_key_prefix_is_also_a_range_on_the_key():
    spec = key_prefix("user:")
    assert spec.is_satisfied_by(entry(key="user:1")) and not spec.is_satisfied_by(entry(key="user;"))
    assert key_prefix("") == Everything() and key_prefix(None) == Everything()
    assert _after("ab") == "ac"
    assert _after("a\ud7ff") == "a\ue000"  # never a lone surrogate
    assert _after("a" + chr(sys.maxunicode)) == "b"
    assert _after(chr(sys.maxunicode)) is None
    top = key_prefix(chr(sys.maxunicode))
    assert top.is_satisfied_by(entry(key=chr(sys.maxunicode) + "x"))


def test_words_are_letter_and_digit_runs_in_lower_case():
    assert words("Hello, WORLD_wide 42x café-au-lait 🚀 日本語") == [
        "hello", "world", "wide", "42x", "café", "au", "lait", "日本語",
    ]  # fmt: skip
    assert query_words('"Tomatoes" AND tomatoes* -NEAR()') == ["tomatoes", "and", "near"]
    assert query_words("") == [] and query_words(None) == [] and query_words("🚀 *") == []
    assert list(strings_in({"a": ["x", {"b": "y"}, 1, None, True], "c": "z"})) == ["x", "y", "z"]
    assert indexed_text("user:1", {"name": "Ann"}) == "user:1 Ann"
    assert matches(["a", "b"], ["b"]) and not matches(["a"], ["a", "b"])


@pytest.mark.parametrize("text", ["Hello, WORLD_wide 42x", "café-au-lait 🚀 日本語", '"x" AND (y*) -z', "\t\n", ""])
def test_the_sql_side_splits_words_as_the_domain_does(text):
    assert search.words(text) == words(text)


def test_entries_refuse_naive_timestamps():
    with pytest.raises(InvalidInput):
        entry(created_at=datetime(2024, 1, 1))
    assert entry(created_at=datetime(2024, 1, 1, tzinfo=UTC)).created_at.tzinfo == UTC
