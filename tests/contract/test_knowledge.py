"""One contract for the knowledge base on every Unit of Work: upserts by (source, external_id),
bulk upserts all or nothing, look-ups, paging, deletes and full-text search."""

import pytest

from memcore.application.conversations import commands
from memcore.domain.shared.errors import InvalidInput
from tests.chat_fixtures import METADATA, chat_services


@pytest.fixture
def chat(uow_factory):
    services, _ = chat_services(uow_factory())
    return services


def chunk(source="docs", external_id="a.md#0", content="text", **fields):
    return {"source": source, "external_id": external_id, "content": content, **fields}


def upsert(chat, **fields):
    return chat.bus.handle(commands.UpsertKnowledgeChunk(**chunk(**fields)))


def test_upserting_a_key_twice_updates_the_chunk_in_place(chat):
    created, was_created = upsert(chat, title="Intro", content="first", chunk_metadata={"page": 1})
    updated, again = upsert(chat, title=None, content="second", chunk_metadata=METADATA)
    assert (was_created, again) == (True, False)
    assert (updated.id, updated.created_at) == (created.id, created.created_at)
    assert updated.updated_at > created.updated_at
    assert (updated.title, updated.content, updated.chunk_metadata) == (None, "second", METADATA)
    assert chat.knowledge.get(created.id) == updated
    assert chat.knowledge.count() == 1


def test_the_same_external_id_in_two_sources_is_two_chunks(chat):
    docs, _ = upsert(chat, source="docs", external_id="x")
    web, _ = upsert(chat, source="web", external_id="x")
    assert docs.id != web.id
    assert chat.knowledge.get_by_external_id("x", source="web") == web
    assert chat.knowledge.get_by_external_id("x") == docs  # the first by source name
    assert chat.knowledge.get_by_external_id("X") is None
    assert chat.knowledge.get_by_external_id("x", source="Docs") is None


def test_bulk_upsert_inserts_then_updates_every_chunk(chat):
    items = [chunk(external_id=f"f.md#{i}", content=f"v1 {i}", chunk_metadata={"i": i}) for i in range(25)]
    assert chat.bus.handle(commands.BulkUpsertKnowledgeChunks(items, batch_size=10)) == 25
    first = {c.external_id: c for c in chat.knowledge.list_all(limit=100)}
    changed = [{**item, "content": item["content"].replace("v1", "v2"), "title": "T"} for item in items]
    assert chat.bus.handle(commands.BulkUpsertKnowledgeChunks(changed, batch_size=7)) == 25
    second = {c.external_id: c for c in chat.knowledge.list_all(limit=100)}
    assert second.keys() == first.keys() and len(second) == 25
    for key, before in first.items():
        after = second[key]
        assert (after.id, after.created_at) == (before.id, before.created_at)
        assert after.content == before.content.replace("v1", "v2") and after.title == "T"
        assert after.chunk_metadata == before.chunk_metadata


def test_in_a_bulk_upsert_the_last_of_a_repeated_key_wins(chat):
    items = [chunk(external_id="k", content="old"), chunk(external_id="other"), chunk(external_id="k", content="new")]
    assert chat.bus.handle(commands.BulkUpsertKnowledgeChunks(items)) == 2
    assert chat.knowledge.get_by_external_id("k").content == "new"


def test_one_bad_item_rejects_the_whole_bulk_upsert(chat):
    upsert(chat, external_id="kept", content="original")
    for bad in ({"content": "no key"}, chunk(source=""), chunk(content="a\x00b"), chunk(chunk_metadata=[1]),
                chunk(extra=1), "not a dict", chunk(source="s" * 256)):  # fmt: skip
        items = [chunk(external_id="kept", content="changed"), chunk(external_id="new"), bad]
        with pytest.raises(InvalidInput):
            chat.bus.handle(commands.BulkUpsertKnowledgeChunks(items))
    assert [(c.external_id, c.content) for c in chat.knowledge.list_all()] == [("kept", "original")]
    with pytest.raises(InvalidInput):
        chat.bus.handle(commands.BulkUpsertKnowledgeChunks([chunk()], batch_size=0))


def test_chunks_of_a_source_are_listed_oldest_first_in_stable_pages(chat):
    for i in range(6):
        upsert(chat, source="docs" if i % 3 else "web", external_id=f"e{i}", content=f"c{i}")
    pages = [chat.knowledge.list_by_source("docs", limit=2, offset=o) for o in (0, 2, 4)]
    assert [[c.external_id for c in page] for page in pages] == [["e1", "e2"], ["e4", "e5"], []]
    assert [c.external_id for c in chat.knowledge.list_all(limit=3, offset=2)] == ["e2", "e3", "e4"]
    assert (chat.knowledge.count("docs"), chat.knowledge.count("web"), chat.knowledge.count()) == (4, 2, 6)


def test_deleting_a_chunk(chat):
    created, _ = upsert(chat)
    assert chat.bus.handle(commands.DeleteKnowledgeChunk(created.id)) is True
    assert chat.bus.handle(commands.DeleteKnowledgeChunk(created.id)) is False
    assert chat.knowledge.get(created.id) is None


def test_large_unicode_chunks_round_trip(chat):
    content = "Ünïcode 世界 👋 \U0001d518 «quotes» 'single' \"double\" \\ " * 40_000
    created, _ = upsert(chat, title="Grüße", content=content, chunk_metadata=METADATA)
    stored = chat.knowledge.get(created.id)
    assert (stored.title, stored.content, stored.chunk_metadata) == ("Grüße", content, METADATA)


# -- full-text search: simple words of three letters or more, as every engine indexes them ----------


@pytest.fixture
def library(chat):
    chat.bus.handle(commands.BulkUpsertKnowledgeChunks([
        chunk(external_id="kafka", title="Kafka consumers", content="Consumer groups rebalance partitions."),
        chunk(external_id="redis", title="Redis", content="Keys expire; consumers of streams use groups."),
        chunk(source="web", external_id="blog", title="Zeppelin history", content="Airships crossed oceans."),
        chunk(external_id="syntax", content='Operators like "quoted" OR NEAR(*) stay plain words here.'),
    ]))  # fmt: skip
    return chat


def found(chat, text, **options):
    return sorted(c.external_id for c in chat.knowledge.search(text, **options))


def test_search_finds_chunks_holding_every_word_in_title_or_content(library):
    assert found(library, "consumers") == ["kafka", "redis"]
    assert found(library, "CONSUMERS groups") == ["kafka", "redis"]
    assert found(library, "consumers partitions") == ["kafka"]
    assert found(library, "zeppelin") == ["blog"]  # from the title
    assert found(library, "airships zeppelin") == ["blog"]
    assert found(library, "submarine") == []


def test_search_can_keep_to_one_source_and_a_limit(library):
    assert found(library, "consumers", source="web") == []
    assert found(library, "airships", source="web") == ["blog"]
    assert len(library.knowledge.search("consumers", limit=1)) == 1
    assert library.knowledge.search("consumers", limit=0) == []


def test_search_text_is_never_query_syntax(library):
    for text in ('"quoted', "NEAR(*)", "operators AND", "-plain", "words*", "'; DROP TABLE knowledge_chunks; --", ""):
        library.knowledge.search(text)  # never an error
    assert found(library, '"quoted" NEAR(*)') == ["syntax"]
    assert found(library, "*** ((( ") == []
    assert library.knowledge.count() == 4


def test_the_best_match_comes_first(library):
    library.bus.handle(commands.UpsertKnowledgeChunk("docs", "many", "rebalance rebalance rebalance rebalance"))
    assert library.knowledge.search("rebalance")[0].external_id == "many"
