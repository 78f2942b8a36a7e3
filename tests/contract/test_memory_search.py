"""Full-text search, the same contract on every adapter: what matches, ranking, and hostile input."""

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.memory.commands import DeleteMemory, StoreMemories, StoreMemory
from memcore.domain.memory.text import words
from memcore.domain.shared.errors import InvalidInput
from tests.unit.builders import FakeClock

ENTRIES = [
    StoreMemory("user:1:profile", {"name": "Alice Walker", "bio": {"likes": ["gardening", "tomatoes"]}}, {"u": "1"}),
    StoreMemory("user:2:profile", {"name": "Bob Stone", "bio": "Grows TOMATOES and peppers"}, {"u": "2"}),
    StoreMemory("note:garden", ["tomatoes need sun", {"deep": [{"deeper": "compost heap"}]}], None),
    StoreMemory("recipe:salsa", "Tomatoes, peppers, onions — café style", {"u": "1", "kind": "recipe"}),
    StoreMemory("numbers", {"pi": 3.14159, "answer": 42, "flag": True, "nothing": None}, {}),
    StoreMemory("keys:only", {"tomatoes": 1, "gardening": 2}, None),
]
HOSTILE = [
    '"',
    '""',
    "'",
    'tomatoes"',
    '"tomatoes',
    "tomatoes AND peppers",
    "tomatoes OR",
    "OR",
    "AND",
    "NOT",
    "NEAR",
    "NEAR(tomatoes peppers)",
    "tomatoes NEAR/2 peppers",
    "*",
    "tomat*",
    "-tomatoes",
    "+tomatoes -peppers",
    "(tomatoes",
    "tomatoes)",
    "((()))",
    "{tomatoes}",
    "name:alice",
    "^tomatoes",
    "tomatoes:*",
    "!tomatoes",
    "tomatoes & | ! <->",
    "'; DROP TABLE ltm_entries; --",
    "\\",
    "%",
    "_",
    "@@",
    "🍅",
    "🍅 tomatoes 🚀",
    "\U0001d518",
    "\t\n ",
    "",
    "a" * 5000,
    "x\x00y",
    "\ud800 tomatoes",
    "tomatoes",
]


@pytest.fixture
def services(uow_factory):
    services = build_services(uow_factory(), clock=FakeClock())
    services.bus.handle(StoreMemories(ENTRIES))
    return services


def found(services, query=None, metadata_filter=None, limit=10):
    return [hit.entry.key for hit in services.memory.search(query, metadata_filter, limit)]


def test_a_word_is_found_in_the_key_and_in_strings_at_any_depth_case_insensitively(services):
    assert set(found(services, "tomatoes")) == {"user:1:profile", "user:2:profile", "note:garden", "recipe:salsa"}
    assert set(found(services, "TOMATOES")) == set(found(services, "tomatoes"))
    assert found(services, "compost") == ["note:garden"]
    assert found(services, "salsa") == ["recipe:salsa"]  # from the key
    assert found(services, "profile") == ["user:1:profile", "user:2:profile"]  # equal ranks: key order
    assert found(services, "café") == ["recipe:salsa"]


def test_every_word_of_the_query_must_match(services):
    assert set(found(services, "tomatoes peppers")) == {"user:2:profile", "recipe:salsa"}
    assert found(services, "tomatoes walker gardening") == ["user:1:profile"]
    assert found(services, "tomatoes unicorn") == []


def test_numbers_booleans_and_object_keys_are_not_indexed(services):
    assert found(services, "true") == []
    assert found(services, "nothing") == []
    assert set(found(services, "gardening")) == {"user:1:profile"}  # not keys:only, whose keys hold it


def test_search_filters_by_metadata_and_limits(services):
    assert set(found(services, "tomatoes", {"u": "1"})) == {"user:1:profile", "recipe:salsa"}
    assert found(services, "tomatoes", {"u": "1", "kind": "recipe"}) == ["recipe:salsa"]
    assert found(services, "tomatoes", {"u": 1}) == []
    assert len(found(services, "tomatoes", limit=2)) == 2
    assert found(services, "tomatoes", limit=0) == []


def test_a_limit_keeps_the_best_of_the_whole_ranking(services):
    # MariaDB picks the best rows on its search table when nothing else filters: the same rows.
    services.bus.handle(StoreMemory("zz:many", "tomatoes tomatoes tomatoes", {"u": "1"}))
    ranked = found(services, "tomatoes", limit=100)
    assert ranked[0] == "zz:many" and len(ranked) == 5
    for n in range(len(ranked) + 1):
        assert found(services, "tomatoes", limit=n) == ranked[:n]
    filtered = found(services, "tomatoes", {"u": "1"}, limit=100)
    assert found(services, "tomatoes", {"u": "1"}, limit=2) == filtered[:2] == [k for k in ranked if k in filtered][:2]


def test_without_a_query_the_newest_entries_come_first_and_carry_no_score(services):
    services.bus.handle(StoreMemory("user:1:profile", {"name": "changed"}, {"u": "1"}))
    hits = services.memory.search(None, None, 3)
    assert [hit.entry.key for hit in hits] == ["user:1:profile", "keys:only", "note:garden"]  # same time: by key
    assert all(hit.score is None for hit in hits)
    assert found(services, "", {"u": "1"}) == ["user:1:profile", "recipe:salsa"]


def test_scores_rank_the_better_match_first(services):
    services.bus.handle(StoreMemory("zz:many", "pepper peppers peppers peppers peppers", None))
    hits = services.memory.search("peppers")
    assert hits[0].entry.key == "zz:many"
    assert all(isinstance(hit.score, float) for hit in hits)
    assert hits[0].score >= hits[-1].score


def test_the_index_follows_replacements_and_deletions(services):
    services.bus.handle(StoreMemory("note:garden", "now about roses", None))
    services.bus.handle(DeleteMemory("recipe:salsa"))
    assert set(found(services, "tomatoes")) == {"user:1:profile", "user:2:profile"}
    assert found(services, "roses") == ["note:garden"]
    with services.memory_transaction() as tx:
        tx.store("new:one", {"text": "orchids bloom"})
        tx.delete("note:garden")
    assert found(services, "orchids") == ["new:one"]
    assert found(services, "roses") == []


@pytest.mark.parametrize("query", HOSTILE, ids=[f"q{i}" for i in range(len(HOSTILE))])
def test_hostile_query_text_is_only_ever_words(services, query):
    hits = found(services, query, limit=100)
    assert hits == found(services, " ".join(words(query)), limit=100)  # the words, and nothing else
    assert services.memory.count() == len(ENTRIES)  # nothing was dropped or changed


def test_hostile_text_finds_exactly_what_its_words_find(services):
    assert set(found(services, '"tomatoes" AND (peppers) -NOT*')) == set(found(services, "tomatoes peppers not"))
    assert found(services, "🍅 ((compost)) 🚀") == ["note:garden"]
    assert found(services, "'; DROP TABLE ltm_entries; --") == []
    assert found(services, "*") == found(services, None)


def test_a_query_that_is_not_text_is_refused(services):
    with pytest.raises(InvalidInput):
        services.memory.search(b"tomatoes")
    with pytest.raises(InvalidInput):
        services.memory.search("tomatoes", limit=-1)


def test_short_words_and_stopwords_are_the_documented_mariadb_difference(services, request):
    services.bus.handle(StoreMemory("stop", "to be or not to be, the ox", None))
    on_mariadb = request.node.callspec.params["uow_factory"] == "mariadb"
    assert found(services, "ox") == ([] if on_mariadb else ["stop"])  # under InnoDB's 3-letter minimum
    assert found(services, "the") == ([] if on_mariadb else ["stop"])  # an InnoDB stopword
    # MariaDB leaves such words out of a longer query; the other engines require them.
    assert found(services, "the tomatoes") == (found(services, "tomatoes") if on_mariadb else [])
    assert found(services, "not the") == ["stop"]  # MariaDB through "not" alone


ODD_METADATA = [
    StoreMemory("odd:quote", "q", {'a"b': "x", "a.b": 1, "n": 1}),
    StoreMemory("odd:real", "r", {"n": 1.0, "t": True, "z": None, "s": "1"}),
    StoreMemory("odd:array", "a", {"n": [1], "t": [True], "z": {"z": None}, "s": ["1"]}),
    StoreMemory("odd:false", "f", {"t": False, "n": 0, "s": ""}),
    StoreMemory("odd:escaped", "e", {"ü": "a", "a\\b": "c", "tab\tkey": "d", "😀": 2}),
]


@pytest.mark.parametrize(
    ("metadata_filter", "keys"),
    [
        ({'a"b': "x"}, ["odd:quote"]),  # a key no JSON path can name
        ({"a.b": 1}, ["odd:quote"]),  # a dot inside one key, not a nested path
        ({"n": 1}, ["odd:quote", "odd:real"]),  # numbers by value, never inside an array
        ({"n": 1.0}, ["odd:quote", "odd:real"]),
        ({"n": True}, []),  # a boolean is not the number 1
        ({"t": True}, ["odd:real"]),
        ({"t": 1}, []),
        ({"t": False}, ["odd:false"]),
        ({"n": 0}, ["odd:false"]),
        ({"z": None}, ["odd:real"]),  # null matches a null member, not a missing one or an object
        ({"s": "1"}, ["odd:real"]),  # a string is not the number, nor inside an array
        ({"s": ""}, ["odd:false"]),
        ({"missing": None}, []),
        ({"ü": "a"}, ["odd:escaped"]),  # keys the stored JSON writes escaped: no path finds them
        ({"a\\b": "c"}, ["odd:escaped"]),
        ({"tab\tkey": "d"}, ["odd:escaped"]),
        ({"😀": 2}, ["odd:escaped"]),
        ({"n": 1, "t": True}, ["odd:real"]),
    ],
)
def test_metadata_filters_keep_types_apart_on_odd_keys(uow_factory, metadata_filter, keys):
    services = build_services(uow_factory(), clock=FakeClock())
    services.bus.handle(StoreMemories(ODD_METADATA))
    assert sorted(found(services, None, metadata_filter)) == keys
