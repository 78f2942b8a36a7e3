"""The write side of the replaced chat models, on every dialect: `session.add` / `delete` /
`flush`, and the dynamic relationships' `append` / `extend` / `remove` and query methods, written
as code for the original writes them (entities built by the caller, then handed to the session)."""

import uuid

import pytest

from memcore.domain.shared.errors import AlreadyExists, InvalidInput, NotFound
from memcore.domain.shared.specification import Field
from memcore.infrastructure.compat import chat


@pytest.fixture(autouse=True)
def configured(sql_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sql_engine.url.render_as_string(hide_password=False))
    chat.dispose_engine()
    yield
    chat.dispose_engine()


def count(model_name: str) -> int:
    with chat.session_scope() as session:
        if model_name == "users":
            return len(chat.list_users(session))
        return len(chat.list_all_conversations(session))


def test_entities_built_by_the_caller_are_written_by_session_add_and_read_as_stored():
    with chat.session_scope() as session:
        user = chat.User(email="ann@example.com", name="Ann")
        session.add(user)
        conversation = chat.Conversation(user_id=user.id, title="Trip")
        session.add(conversation)
        message = chat.Message(conversation_id=conversation.id, sender_type="user", content="hello")
        session.add(message)
        session.add(message)  # stored already: left as it is
        chunk = chat.KnowledgeChunk(source="readme", external_id="r#1", content="Install with pip.")
        session.add_all([chunk])
        session.flush()
        assert message.sequence >= 1 and conversation.version >= 1
        assert user.conversations.count() == 1 and conversation.messages.count() == 1
    with chat.session_scope() as session:
        assert chat.get_user_by_email(session, "ann@example.com").id == user.id
        assert chat.get_conversation_by_id(session, conversation.id).title == "Trip"
        assert [m.content for m in chat.get_conversation_by_id(session, conversation.id).messages] == ["hello"]
        assert chat.get_knowledge_chunk_by_external_id(session, "r#1").content == "Install with pip."


def test_appending_to_a_conversations_messages_posts_them_in_order():
    with chat.session_scope() as session:
        conversation = chat.create_conversation(session, title="t")
        conversation.messages.append(chat.Message(conversation_id=conversation.id, sender_type="user", content="a"))
        conversation.messages.extend(
            chat.Message(conversation_id=conversation.id, sender_type=kind, content=text)
            for kind, text in (("assistant", "b"), ("user", "c"))
        )
        chat.archive_conversation(session, conversation.id)
        conversation.messages.append(chat.Message(conversation_id=conversation.id, sender_type="system", content="d"))
        cid = conversation.id
    with chat.session_scope() as session:
        messages = chat.get_conversation_by_id(session, cid).messages
        assert [m.content for m in messages] == ["a", "b", "c", "d"]  # an archived one takes posts, as before
        assert [m.content for m in messages.filter_by(sender_type=chat.MessageSenderType.USER)] == ["a", "c"]
        assert [m.content for m in messages.filter(Field("sender_type") != "user").order_by(None)] == ["b", "d"]
        assert [m.content for m in messages.order_by(Field("sequence").desc()).limit(2)] == ["d", "c"]
        assert [m.content for m in messages.offset(1).limit(2)] == ["b", "c"]
        assert messages.filter_by(content="c").one_or_none().sender_type == "user"
        assert messages.filter_by(content="zzz").first() is None and len(messages) == 4


def test_appending_to_a_users_conversations_starts_them_for_that_user():
    with chat.session_scope() as session:
        user = chat.create_user(session, name="Bo")
        active = chat.Conversation(title="one")
        user.conversations.append(active)
        user.conversations.append(chat.Conversation(title="two", status="archived"))
        assert active.user_id == user.id
        uid = user.id
    with chat.session_scope() as session:
        found = chat.get_user_by_id(session, uid).conversations
        assert [(c.title, c.status) for c in found] == [("one", "active"), ("two", "archived")]
        assert [c.title for c in found.filter_by(status="archived")] == ["two"]
        # a conversation fetched from the user is itself related: its messages can be appended to
        first = found.first()
        first.messages.append(chat.Message(conversation_id=first.id, sender_type="user", content="hi"))
        assert chat.get_conversation_message_count(session, first.id) == 1


def test_removing_from_a_relationship_or_session_delete_deletes():
    with chat.session_scope() as session:
        user = chat.create_user(session, name="Cy")
        conversation = chat.create_conversation(session, user_id=user.id)
        kept = chat.add_message(session, conversation.id, "user", "keep")
        gone = chat.add_message(session, conversation.id, "user", "drop")
        conversation.messages.remove(gone)
        other = chat.create_conversation(session, user_id=user.id)
        user.conversations.remove(other)
        with pytest.raises(InvalidInput):
            user.conversations.remove(chat.create_conversation(session))  # not this user's
        ids = user.id, conversation.id, kept.id, other.id
    with chat.session_scope() as session:
        assert chat.get_message_by_id(session, gone.id) is None
        assert chat.get_conversation_by_id(session, ids[3]) is None
        assert [m.id for m in chat.get_conversation_by_id(session, ids[1]).messages] == [ids[2]]
        session.delete(chat.get_user_by_id(session, ids[0]))  # and, by cascade, what it owns
    with chat.session_scope() as session:
        assert chat.get_user_by_id(session, ids[0]) is None and chat.get_conversation_by_id(session, ids[1]) is None


def test_refused_writes_raise_and_write_nothing():
    with chat.session_scope() as session:
        chat.create_user(session, email="taken@example.com")
    users, conversations = count("users"), count("conversations")
    for bad in (
        lambda s: s.add(chat.Message(conversation_id=str(uuid.uuid4()), sender_type="user", content="x")),
        lambda s: s.add(chat.Conversation(user_id=str(uuid.uuid4()))),
        lambda s: s.add(chat.User(email="TAKEN@example.com")),
        lambda s: s.add("not an entity"),
        lambda s: s.delete(chat.User(name="never stored")),
        lambda s: chat.create_conversation(s).messages.append("not a message"),
        lambda s: chat.create_conversation(s).messages.filter("sender_type = 'user'"),
    ):
        with pytest.raises((AlreadyExists, InvalidInput, NotFound)), chat.session_scope() as session:
            bad(session)
    assert (count("users"), count("conversations")) == (users, conversations)
