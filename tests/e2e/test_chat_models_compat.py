"""What the chat drop-in keeps of the replaced models beside their columns, on every dialect."""

import pytest
from sqlalchemy import Engine

from memcore.infrastructure.compat import chat


@pytest.fixture(autouse=True)
def configured(sql_engine, monkeypatch):
    url = sql_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    chat.dispose_engine()
    yield url
    chat.dispose_engine()


def test_users_and_conversations_come_back_with_their_dynamic_relationships(configured):
    with chat.session_scope() as session:
        user = chat.create_user(session, name="Ann")
        first = chat.create_conversation(session, user_id=user.id, title="one")
        chat.create_conversation(session, user_id=user.id, title="two")
        chat.add_message(session, first.id, chat.MessageSenderType.USER, "hello")
        chat.add_message(session, first.id, chat.MessageSenderType.ASSISTANT, "hi")
        assert user.conversations.count() == 2  # asked afresh: the two made after the user was
        assert [c.title for c in chat.get_user_by_id(session, user.id).conversations] == ["one", "two"]
        found = chat.get_conversation_by_id(session, first.id)
        assert [m.sender_type for m in found.messages.all()] == ["user", "assistant"]
        assert (found.messages.first().content, found.messages[1].content) == ("hello", "hi")
        assert [c.messages.count() for c in chat.list_conversations_for_user(session, user.id)] == [0, 2]


def test_the_url_and_engine_helpers_of_the_replaced_module(configured):
    assert chat.get_database_url() == configured
    engine = chat.create_database_engine()
    try:
        assert isinstance(engine, Engine) and engine is not chat.get_engine()
        assert engine.url.render_as_string(hide_password=False) == configured
    finally:
        engine.dispose()
