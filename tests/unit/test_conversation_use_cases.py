"""Conversations use cases on the in-memory Unit of Work, including the races they must survive."""

from datetime import timedelta

import pytest

from memcore.application.conversations import commands
from memcore.domain.shared.errors import AlreadyExists, ConcurrencyError, InvalidInput
from memcore.infrastructure.inmemory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from tests.chat_fixtures import chat_services


class RivalBeforeCommit(InMemoryUnitOfWork):
    """Before its first commit, another unit of work on the same store commits `rival(uow)`."""

    def __init__(self, store: InMemoryStore, rival) -> None:
        super().__init__(store)
        self.rival, self.commits = rival, 0

    def commit(self) -> None:
        self.commits += 1
        if self.commits == 1:
            with InMemoryUnitOfWork(self.store) as other:
                self.rival(other)
                other.commit()
        super().commit()


def test_get_or_create_that_loses_the_race_returns_the_winners_user():
    from memcore.domain.conversations.model import User

    store = InMemoryStore()
    winner = User(external_id="auth|1", name="winner")
    uow = RivalBeforeCommit(store, lambda other: other.users.add(winner))
    services, _ = chat_services(uow)
    found, created = services.bus.handle(commands.GetOrCreateUser("auth|1", name="loser"))
    assert (found.id, found.name, created) == (winner.id, "winner", False)
    assert services.users.count() == 1


def test_get_or_create_still_reports_a_clash_on_the_email():
    from memcore.domain.conversations.model import User

    store = InMemoryStore()
    uow = RivalBeforeCommit(store, lambda other: other.users.add(User(email="same@example.org")))
    services, _ = chat_services(uow)
    with pytest.raises(AlreadyExists):
        services.bus.handle(commands.GetOrCreateUser("auth|2", email="SAME@example.org"))


def test_a_post_that_loses_a_race_is_posted_again_after_the_rivals():
    store = InMemoryStore()
    setup, clock = chat_services(InMemoryUnitOfWork(store))
    conversation = setup.bus.handle(commands.StartConversation())

    def rival_post(other):
        other.conversations.get(conversation.id).post("assistant", "rival", clock())

    services, _ = chat_services(RivalBeforeCommit(store, rival_post))
    mine = services.bus.handle(commands.PostMessage(conversation.id, "user", "mine"))
    listed = services.conversations.messages(conversation.id)
    assert [m.content for m in listed] == ["rival", "mine"]
    assert listed[-1].id == mine.id and mine.sequence == 2
    assert services.conversations.get(conversation.id).version == 3


def test_a_rename_that_loses_a_race_is_refused_not_retried():
    store = InMemoryStore()
    setup, clock = chat_services(InMemoryUnitOfWork(store))
    conversation = setup.bus.handle(commands.StartConversation(title="start"))

    def rival_archive(other):
        other.conversations.get(conversation.id).archive(clock())

    services, _ = chat_services(RivalBeforeCommit(store, rival_archive))
    with pytest.raises(ConcurrencyError):
        services.bus.handle(commands.RenameConversation(conversation.id, "mine"))
    stored = services.conversations.get(conversation.id)
    assert (stored.title, stored.status) == ("start", "archived")


def test_bulk_upsert_names_the_bad_item_and_writes_nothing():
    services, _ = chat_services(InMemoryUnitOfWork())
    items = [{"source": "s", "external_id": "1", "content": "ok"}, {"source": "s", "content": "no id"}]
    with pytest.raises(InvalidInput, match="#1"):
        services.bus.handle(commands.BulkUpsertKnowledgeChunks(items))
    assert services.knowledge.count() == 0


def test_a_bulk_upsert_stamps_every_chunk_with_one_time():
    services, _ = chat_services(InMemoryUnitOfWork(), step=timedelta(seconds=5))
    items = [{"source": "s", "external_id": f"{i}", "content": "c"} for i in (3, 1, 2)]
    services.bus.handle(commands.BulkUpsertKnowledgeChunks(items, batch_size=2))
    listed = services.knowledge.list_by_source("s")
    assert [c.external_id for c in listed] == ["1", "2", "3"]
    assert len({(c.created_at, c.updated_at) for c in listed}) == 1


def test_queries_refuse_bad_paging_and_unknown_filters():
    services, _ = chat_services(InMemoryUnitOfWork())
    with pytest.raises(InvalidInput):
        services.users.list(limit=-1)
    with pytest.raises(InvalidInput):
        services.conversations.list_all(offset=-5)
    with pytest.raises(InvalidInput):
        services.knowledge.search("x", limit=-1)
    with pytest.raises(InvalidInput):
        services.knowledge.list_by_source("")
    with pytest.raises(InvalidInput):
        services.conversations.get("not-a-uuid")
