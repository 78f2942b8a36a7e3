"""Conversations under real concurrency: threads with their own connections on PostgreSQL and MariaDB."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.orm import sessionmaker

from memcore.application.bootstrap import build_services
from memcore.application.conversations import commands
from memcore.domain.shared.errors import ConcurrencyError
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import dialect_param, empty_tables

SERVERS = [dialect_param("postgresql"), dialect_param("mariadb")]


@pytest.fixture(params=SERVERS)
def factory(request, engines):
    engine = engines[request.param]
    empty_tables(engine)
    return sessionmaker(engine, expire_on_commit=False)


def services(factory):
    return build_services(SqlAlchemyUnitOfWork(factory))


def test_of_two_concurrent_units_of_work_changing_a_conversation_one_wins_and_the_other_writes_nothing(factory):
    conversation = services(factory).bus.handle(commands.StartConversation(title="shared"))
    loaded, done = threading.Barrier(2), threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def change(name: str) -> None:
        uow = SqlAlchemyUnitOfWork(factory)
        with uow:
            mine = uow.conversations.get(conversation.id)
            loaded.wait()  # both have read version 1
            from datetime import UTC, datetime

            mine.rename(name, datetime.now(UTC))
            mine.post("user", f"posted by {name}", datetime.now(UTC))
            try:
                uow.commit()
                outcomes[name] = "committed"
            except ConcurrencyError:
                outcomes[name] = "conflict"
        done.wait()

    threads = [threading.Thread(target=change, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["committed", "conflict"]
    (winner,) = [name for name, outcome in outcomes.items() if outcome == "committed"]
    reader = services(factory)
    stored = reader.conversations.get(conversation.id)
    assert (stored.title, stored.version) == (winner, 3)
    assert [m.content for m in reader.conversations.messages(conversation.id)] == [f"posted by {winner}"]


def test_racing_get_or_create_calls_make_one_user(factory):
    start = threading.Barrier(8)

    def get_or_create(_: int):
        mine = services(factory)
        start.wait()
        return mine.bus.handle(commands.GetOrCreateUser("auth|racer", name="Racer"))

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(get_or_create, range(8)))
    assert sum(created for _, created in results) == 1
    assert len({user.id for user, _ in results}) == 1
    assert services(factory).users.count() == 1


def test_concurrent_posts_to_one_conversation_are_all_kept_in_a_total_order(factory):
    conversation = services(factory).bus.handle(commands.StartConversation())
    start = threading.Barrier(6)

    def poster(n: int) -> list[str]:
        mine = services(factory)
        start.wait()
        return [mine.bus.handle(commands.PostMessage(conversation.id, "user", f"{n}-{i}")).id for i in range(8)]

    with ThreadPoolExecutor(6) as pool:
        posted = [message_id for ids in pool.map(poster, range(6)) for message_id in ids]
    reader = services(factory)
    listed = reader.conversations.messages(conversation.id, limit=1000)
    assert sorted(m.id for m in listed) == sorted(posted)
    assert len({m.sequence for m in listed}) == 48
    assert reader.conversations.get(conversation.id).version == 49


def test_concurrent_bulk_upserts_of_the_same_keys_leave_one_chunk_per_key(factory):
    start = threading.Barrier(4)
    items = [{"source": "docs", "external_id": f"k{i}", "content": f"c{i}"} for i in range(200)]

    def load(n: int) -> int:
        mine = services(factory)
        start.wait()
        batch = [{**item, "content": f"{item['content']} by {n}"} for item in (items if n % 2 else items[::-1])]
        return mine.bus.handle(commands.BulkUpsertKnowledgeChunks(batch, batch_size=50))

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(load, range(4))) == [200] * 4
    assert services(factory).knowledge.count() == 200
