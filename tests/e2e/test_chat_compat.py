"""The drop-in chat database API, as code written for the original uses it, on every dialect."""

import enum
import threading
import uuid

import pytest

from memcore.application.conversations.commands import PostMessage
from memcore.domain.conversations.model import Conversation, KnowledgeChunk, Message, User
from memcore.domain.shared.errors import AlreadyExists, InvalidInput, MemcoreError, NotFound
from memcore.infrastructure.compat import chat
from memcore.infrastructure.compat.chat import (
    add_message,
    archive_conversation,
    bulk_upsert_knowledge_chunks,
    create_conversation,
    create_user,
    delete_conversation,
    delete_knowledge_chunk,
    delete_message,
    delete_user,
    get_conversation_by_id,
    get_conversation_message_count,
    get_knowledge_chunk_by_external_id,
    get_knowledge_chunk_by_id,
    get_message_by_id,
    get_or_create_user_by_external_id,
    get_session,
    get_user_by_email,
    get_user_by_external_id,
    get_user_by_id,
    list_all_conversations,
    list_all_knowledge_chunks,
    list_conversations_for_user,
    list_messages_for_conversation,
    list_users,
    search_knowledge_chunks_by_source,
    update_conversation,
    update_user,
    upsert_knowledge_chunk,
)

MISSING = str(uuid.UUID(int=7))


class MessageSenderType(str, enum.Enum):  # noqa: UP042 -- spelled as the original did
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


@pytest.fixture(autouse=True)
def configured(sql_engine, monkeypatch):
    """The drop-in API on this dialect's empty, migrated database, configured as a host app would."""
    monkeypatch.setenv("DATABASE_URL", sql_engine.url.render_as_string(hide_password=False))
    chat.dispose_engine()
    chat.init_db()  # a no-op on a current schema
    yield
    chat.dispose_engine()


def test_users_are_created_found_paged_updated_and_deleted():
    with get_session() as session:
        ann = create_user(session, email="Ann@Example.org", name="Ann", external_id="auth0|ann")
        bob = create_user(session, name="Bob")
        assert isinstance(ann, User) and uuid.UUID(ann.id)
    with get_session() as session:
        assert get_user_by_id(session, ann.id).name == "Ann"
        assert get_user_by_id(session, uuid.UUID(ann.id)).id == ann.id  # UUID objects, as the original took
        assert get_user_by_email(session, "ann@EXAMPLE.org").id == ann.id
        assert get_user_by_external_id(session, "auth0|ann").id == ann.id
        again, created = get_or_create_user_by_external_id(session, "auth0|ann", name="Other")
        assert (again.id, again.name, created) == (ann.id, "Ann", False)
        cy, created = get_or_create_user_by_external_id(session, "auth0|cy", email="cy@example.org", name="Cy")
        assert created and cy.email == "cy@example.org"
        assert [u.id for u in list_users(session)] == [ann.id, bob.id, cy.id]
        assert [u.id for u in list_users(session, limit=1, offset=1)] == [bob.id]
        updated = update_user(session, bob.id, email="bob@example.org")
        assert (updated.name, updated.email) == ("Bob", "bob@example.org")
        cy_id = cy.id  # a deleted user's entity goes stale for good
        assert delete_user(session, cy_id) is True
    assert (again.name, updated.email) == ("Ann", "bob@example.org")  # the others are readable after the session
    with get_session() as session:
        assert get_user_by_email(session, "BOB@example.org").id == bob.id
        assert get_user_by_id(session, cy_id) is None
        assert len(list_users(session, limit=100, offset=0)) == 2


def test_missing_ids_give_none_and_false():
    with get_session() as session:
        assert get_user_by_id(session, MISSING) is None
        assert get_user_by_email(session, "nobody@example.org") is None
        assert get_user_by_external_id(session, "nobody") is None
        assert update_user(session, MISSING, name="x") is None
        assert delete_user(session, MISSING) is False
        assert get_conversation_by_id(session, MISSING) is None
        assert update_conversation(session, MISSING, title="x") is None
        assert archive_conversation(session, MISSING) is None
        assert delete_conversation(session, MISSING) is False
        assert get_message_by_id(session, MISSING) is None
        assert delete_message(session, MISSING) is False
        assert get_knowledge_chunk_by_id(session, MISSING) is None
        assert get_knowledge_chunk_by_external_id(session, "nothing") is None
        assert delete_knowledge_chunk(session, MISSING) is False
        assert get_conversation_message_count(session, MISSING) == 0


def test_a_chat_is_started_posted_to_paged_archived_and_deleted():
    with get_session() as session:
        user = create_user(session, external_id="u-1")
        first = create_conversation(session, user_id=user.id, title="Trip to Lisbon")
        second = create_conversation(session, user_id=user.id)
        anonymous = create_conversation(session, title="Anonymous")
        done = create_conversation(session, user_id=user.id, title="Old", status="archived")
        assert isinstance(first, Conversation) and (first.status, done.status) == ("active", "archived")
        posted = [
            add_message(session, first.id, "user", "Find me a hotel 🏨"),
            add_message(session, first.id, MessageSenderType.ASSISTANT, "Here are three.",
                        role_metadata={"tokens": {"prompt": 812, "completion": 64}, "retrieved": ["kb-1", "kb-2"]}),
            add_message(session, first.id, "user", "The second, please"),
            add_message(session, first.id, "system", "booking tool called"),
        ]  # fmt: skip
        assert isinstance(posted[0], Message) and posted[1].role_metadata["tokens"]["prompt"] == 812
    with get_session() as session:
        listed = list_messages_for_conversation(session, first.id)
        assert [m.id for m in listed] == [m.id for m in posted]
        assert [m.content for m in list_messages_for_conversation(session, first.id, limit=2, offset=1)] == [
            "Here are three.",
            "The second, please",
        ]
        users_only = list_messages_for_conversation(session, first.id, sender_type="user")
        assert [m.content for m in users_only] == ["Find me a hotel 🏨", "The second, please"]
        assert get_message_by_id(session, posted[1].id).role_metadata["retrieved"] == ["kb-1", "kb-2"]
        assert get_conversation_message_count(session, first.id) == 4
        mine = list_conversations_for_user(session, user.id)
        assert {c.id for c in mine} == {first.id, second.id, done.id}
        assert [c.created_at for c in mine] == sorted((c.created_at for c in mine), reverse=True)
        assert [c.id for c in list_conversations_for_user(session, user.id, status="archived")] == [done.id]
        assert {c.id for c in list_all_conversations(session, limit=10)} == {first.id, second.id, anonymous.id, done.id}
        assert len(list_all_conversations(session, status="active", limit=2, offset=0)) == 2
        renamed = update_conversation(session, second.id, title="Dinner")
        assert (renamed.title, renamed.status) == ("Dinner", "active")
        assert archive_conversation(session, first.id).status == "archived"
        assert archive_conversation(session, first.id).status == "archived"  # twice is harmless
        assert delete_message(session, posted[3].id) is True
    with get_session() as session:
        late = add_message(session, first.id, "user", "one more?")  # archived takes posts, as in the original
        assert get_conversation_by_id(session, first.id).status == "archived"
        assert get_conversation_message_count(session, first.id) == 4
        assert get_message_by_id(session, late.id).content == "one more?"
        assert update_conversation(session, first.id, status="active").status == "active"
        assert delete_conversation(session, first.id) is True
        assert get_message_by_id(session, posted[0].id) is None  # its messages went with it
        assert delete_user(session, user.id) is True
    with get_session() as session:
        assert get_conversation_by_id(session, second.id) is None  # the user's conversations went too
        assert get_conversation_by_id(session, anonymous.id).title == "Anonymous"


def test_a_failing_session_rolls_back_everything_it_did():
    with pytest.raises(AlreadyExists), get_session() as session:
        user = create_user(session, email="dup@example.org")
        create_conversation(session, user_id=user.id)
        create_user(session, email="DUP@example.org")
    with get_session() as session:
        assert list_users(session) == [] and list_all_conversations(session) == []


def test_an_error_raised_in_the_block_rolls_back_too():
    with pytest.raises(RuntimeError), get_session() as session:
        create_user(session, name="Ghost")
        raise RuntimeError("the host app failed")
    with get_session() as session:
        assert list_users(session) == []


def test_a_refused_call_changes_nothing_and_the_session_goes_on():
    with get_session() as session:
        conversation = create_conversation(session, title="Support")
        add_message(session, conversation.id, "user", "Hi")
        with pytest.raises(InvalidInput):
            add_message(session, conversation.id, "robot", "beep")
        with pytest.raises(NotFound):
            add_message(session, MISSING, "user", "to nowhere")
        with pytest.raises(NotFound):
            create_conversation(session, user_id=MISSING)
        add_message(session, conversation.id, "assistant", "Hello! How can I help?")
    with get_session() as session:
        assert [m.content for m in list_messages_for_conversation(session, conversation.id)] == [
            "Hi",
            "Hello! How can I help?",
        ]
        assert len(list_all_conversations(session)) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: get_user_by_id(s, "not-a-uuid"), "user_id is not a UUID"),
        (lambda s: create_user(s, email="no-at-sign"), "not an email address"),
        (lambda s: create_conversation(s, status="paused"), "unknown status 'paused'"),
        (lambda s: list_all_conversations(s, status="paused"), "unknown status 'paused'"),
        (lambda s: add_message(s, create_conversation(s).id, "user", ""), "content"),
        (lambda s: upsert_knowledge_chunk(s, source="", content="x", external_id="a"), "source"),
        (lambda s: bulk_upsert_knowledge_chunks(s, [{"source": "kb", "content": "x", "colour": "red"}]), "colour"),
    ],
)
def test_bad_input_raises_memcore_errors(call, message):
    with pytest.raises(InvalidInput, match=message), get_session() as session:
        call(session)


def test_knowledge_chunks_are_upserted_found_and_deleted():
    with get_session() as session:
        faq = upsert_knowledge_chunk(session, source="faq", content="Refunds take 5 days.", external_id="refunds#0",
                                     title="Refunds", chunk_metadata={"lang": "en"})  # fmt: skip
        assert isinstance(faq, KnowledgeChunk)
        same = upsert_knowledge_chunk(session, source="faq", content="Refunds take 3 days.", external_id="refunds#0")
        assert (same.id, same.content, same.title, same.chunk_metadata) == (
            faq.id,
            "Refunds take 3 days.",
            "Refunds",  # left out: kept, as the original did
            {"lang": "en"},
        )
        loose = upsert_knowledge_chunk(session, source="faq", content="No external id")
        again = upsert_knowledge_chunk(session, source="faq", content="No external id")
        assert loose.id != again.id  # without an external id every call adds a chunk
        other = upsert_knowledge_chunk(session, source="blog", content="Refunds, a story", external_id="refunds#0")
    assert (faq.title, faq.content, other.source) == ("Refunds", "Refunds take 3 days.", "blog")  # after the session
    faq, loose, again, other = (c.id for c in (faq, loose, again, other))
    with get_session() as session:
        assert get_knowledge_chunk_by_id(session, faq).content == "Refunds take 3 days."
        assert get_knowledge_chunk_by_external_id(session, "refunds#0", source="blog").id == other
        assert get_knowledge_chunk_by_external_id(session, "refunds#0").id == other  # "blog" < "faq"
        assert [c.id for c in search_knowledge_chunks_by_source(session, "faq")] == [faq, loose, again]
        assert [c.id for c in search_knowledge_chunks_by_source(session, "faq", limit=1, offset=2)] == [again]
        assert len(list_all_knowledge_chunks(session)) == 4
        assert delete_knowledge_chunk(session, loose) is True
        assert len(list_all_knowledge_chunks(session, limit=100, offset=0)) == 3


def test_bulk_upsert_returns_the_stored_chunks_in_order_and_updates_in_place():
    items = [{"source": "docs", "external_id": f"guide.md#{i}", "content": f"Part {i} ✓", "title": f"P{i}",
              "chunk_metadata": {"i": i}} for i in range(1200)]  # fmt: skip
    with get_session() as session:
        first = bulk_upsert_knowledge_chunks(session, items)
        assert [c.external_id for c in first] == [i["external_id"] for i in items]
    changed = [{**item, "content": item["content"] + " (v2)"} for item in items[::-1]]
    with get_session() as session:
        second = bulk_upsert_knowledge_chunks(session, changed)
        assert [c.id for c in second] == [c.id for c in first[::-1]]
        assert second[0].content == "Part 1199 ✓ (v2)" and second[0].chunk_metadata == {"i": 1199}
    with pytest.raises(InvalidInput), get_session() as session:
        bulk_upsert_knowledge_chunks(session, [*items[:3], {"source": "docs", "external_id": "x", "content": None}])
    with get_session() as session:
        assert len(search_knowledge_chunks_by_source(session, "docs", limit=2000)) == 1200
        assert get_knowledge_chunk_by_external_id(session, "guide.md#0", "docs").content == "Part 0 ✓ (v2)"


def test_two_sessions_racing_to_get_or_create_one_external_id_end_with_one_user(sql_engine):
    """Both sessions read "no such user" before either writes. On PostgreSQL the loser then finds the
    winner's user; on MariaDB its transaction's snapshot cannot see it, so the loser's session fails
    with a MemcoreError (retry the session) and writes nothing. On SQLite a session holds the write
    lock from its first statement: the second waits for the first, then finds its user."""
    sqlite = sql_engine.dialect.name == "sqlite"
    barrier = threading.Barrier(1 if sqlite else 2)
    outcomes: list[object] = []

    def host_request(name: str) -> None:
        try:
            with get_session() as session:
                found = get_user_by_external_id(session, "auth0|racer")
                assert found is None or sqlite
                barrier.wait(timeout=10)
                user, created = get_or_create_user_by_external_id(session, "auth0|racer", name=name)
                outcomes.append((user.id, created))
        except MemcoreError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=host_request, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    with get_session() as session:
        users = list_users(session)
    assert len(users) == 1
    wins = [o for o in outcomes if isinstance(o, tuple)]
    assert (users[0].id, True) in wins
    if sql_engine.dialect.name in ("postgresql", "sqlite"):
        assert sorted(wins, key=lambda o: o[1]) == [(users[0].id, False), (users[0].id, True)]
    else:
        assert len(outcomes) == 2 and all(o == (users[0].id, False) or isinstance(o, MemcoreError)
                                          for o in outcomes if o != (users[0].id, True))  # fmt: skip


def test_a_post_refused_at_write_time_leaves_the_conversation_usable_in_the_same_session():
    with get_session() as session:
        conversation = create_conversation(session, title="Support")
        first = add_message(session, conversation.id, "user", "Hi")
    with get_session() as session:
        # The same message id again: the conversation's version is raised, then the INSERT is refused.
        with pytest.raises(AlreadyExists):
            session.services.bus.handle(PostMessage(conversation.id, "user", "again", id=first.id))
        second = add_message(session, conversation.id, "assistant", "Hello!")
    with get_session() as session:
        assert [m.id for m in list_messages_for_conversation(session, conversation.id)] == [first.id, second.id]
        assert get_conversation_by_id(session, conversation.id).version == 3  # two posts, nothing else
