"""Rules of User, Conversation, Message and KnowledgeChunk."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from memcore.domain.conversations.events import ConversationArchived, ConversationStarted, MessagePosted, UserCreated
from memcore.domain.conversations.model import MAX_VERSION, Conversation, KnowledgeChunk, Message, User, check_uuid
from memcore.domain.shared.errors import InvalidInput

T0 = datetime(2025, 1, 1, tzinfo=UTC)
LATER = T0 + timedelta(minutes=1)


def test_ids_are_uuids_written_canonically():
    value = uuid.uuid4()
    assert check_uuid("id", value) == str(value)
    assert check_uuid("id", str(value).upper()) == str(value)
    assert check_uuid("id", "{" + str(value) + "}") == str(value)
    for bad in ("", "user-1", 42, None, "0" * 31):
        with pytest.raises(InvalidInput):
            check_uuid("id", bad)
    assert User(id=str(value).upper()).id == str(value)


def test_an_email_is_checked_and_keeps_a_lower_case_key_in_step():
    user = User.create(email="Ann@Example.ORG", external_id="ext")
    assert (user.email, user.email_key) == ("Ann@Example.ORG", "ann@example.org")
    assert user.events == [UserCreated(user.id, "ext")]
    user.email = "BOB@example.org"
    assert user.email_key == "bob@example.org"
    user.email = None
    assert user.email_key is None
    for bad in ("plain", "a@b", "a b@c.de", "@c.de", "a@@c.de", "x" * 251 + "@c.de", 7):
        with pytest.raises(InvalidInput):
            User(email=bad)


def test_updating_a_user_applies_all_changes_or_none():
    user = User(name="Ann", email="ann@example.org", created_at=T0, updated_at=T0)
    with pytest.raises(InvalidInput):
        user.update({"name": "Annie", "email": "broken"}, LATER)
    assert (user.name, user.email, user.updated_at) == ("Ann", "ann@example.org", T0)
    with pytest.raises(InvalidInput):
        user.update({"created_at": LATER}, LATER)
    user.update({"name": "Annie", "external_id": None}, LATER)
    assert (user.name, user.updated_at) == ("Annie", LATER)


def test_posting_gives_the_message_the_next_sequence_and_raises_the_version():
    conversation = Conversation.start(title="t", created_at=T0, updated_at=T0)
    first = conversation.post("user", "hi", T0, {"tokens": 3})
    second = conversation.post("assistant", "hello", T0)
    assert (first.sequence, second.sequence, conversation.version) == (1, 2, 3)
    assert conversation.new_messages == [first, second]
    assert conversation.updated_at == T0
    assert conversation.events == [
        ConversationStarted(conversation.id, None),
        MessagePosted(conversation.id, first.id, "user"),
        MessagePosted(conversation.id, second.id, "assistant"),
    ]


def test_an_archived_conversation_takes_a_post_only_when_told_to_and_stays_archived():
    conversation = Conversation(created_at=T0, updated_at=T0)
    conversation.archive(LATER)
    message = conversation.post("user", "for the record", LATER, even_if_archived=True)
    assert (conversation.status, conversation.new_messages) == ("archived", [message])


def test_an_archived_conversation_refuses_posts_and_archiving_again_changes_nothing():
    conversation = Conversation(created_at=T0, updated_at=T0)
    conversation.archive(LATER)
    assert (conversation.status, conversation.version, conversation.updated_at) == ("archived", 2, LATER)
    conversation.archive(LATER + timedelta(seconds=1))
    assert (conversation.version, conversation.updated_at) == (2, LATER)
    assert conversation.events == [ConversationArchived(conversation.id)]
    with pytest.raises(InvalidInput):
        conversation.post("user", "too late", LATER)
    assert conversation.new_messages == [] and conversation.version == 2
    conversation.reopen(LATER)
    conversation.post("user", "back", LATER)
    assert conversation.version == 4


def test_renaming_to_the_same_title_changes_nothing():
    conversation = Conversation(title="same", created_at=T0, updated_at=T0)
    conversation.rename("same", LATER)
    assert (conversation.version, conversation.updated_at) == (1, T0)
    conversation.rename(None, LATER)
    assert (conversation.title, conversation.version) == (None, 2)


def test_a_message_of_another_conversation_cannot_be_removed():
    conversation, other = Conversation(), Conversation()
    stranger = other.post("user", "x", T0)
    with pytest.raises(InvalidInput):
        conversation.remove_message(stranger, T0)
    own = conversation.post("user", "y", T0)
    conversation.remove_message(own, LATER)
    assert conversation.removed_messages == [own.id]


def test_message_rules():
    conversation = Conversation()
    bad = [("bot", "x", None), ("user", "", None), ("user", None, None), ("user", "a\x00", None),
           ("user", "x", {"k": {1, 2}}), ("user", "x", "meta")]  # fmt: skip
    for sender, content, meta in bad:
        with pytest.raises(InvalidInput):
            conversation.post(sender, content, T0, meta)
    with pytest.raises(InvalidInput):
        conversation.post("user", "x", datetime(2025, 1, 1))  # naive
    assert conversation.version == 1
    with pytest.raises(InvalidInput):
        Message(conversation.id, "user", "x", sequence=-1)


def test_the_version_cannot_pass_its_limit():
    conversation = Conversation(version=MAX_VERSION)
    with pytest.raises(InvalidInput):
        conversation.post("user", "x", T0)
    with pytest.raises(InvalidInput):
        Conversation(version=MAX_VERSION + 1)


def test_knowledge_chunk_rules_and_replacing_content():
    chunk = KnowledgeChunk("docs", "a#0", "old", created_at=T0, updated_at=T0)
    newer = KnowledgeChunk("docs", "a#0", "new", title="T", chunk_metadata={"p": 1}, updated_at=LATER)
    chunk.replace_content(newer)
    assert (chunk.content, chunk.title, chunk.chunk_metadata, chunk.updated_at, chunk.created_at) == (
        "new", "T", {"p": 1}, LATER, T0)  # fmt: skip
    assert chunk.key == ("docs", "a#0") and chunk.id != newer.id
    for fields in ({"source": ""}, {"external_id": "x" * 256}, {"content": None}, {"chunk_metadata": None},
                   {"chunk_metadata": {"n": float("inf")}}):  # fmt: skip
        with pytest.raises(InvalidInput):
            KnowledgeChunk(**{"source": "s", "external_id": "e", "content": "c", **fields})
