"""One contract for the conversations use cases, run on every Unit of Work (memory, SQLite,
PostgreSQL, MariaDB): users, conversations, messages, cascades, paging and uniqueness."""

from datetime import timedelta

import pytest

from memcore.application.conversations import commands
from memcore.domain.shared.errors import AlreadyExists, ConcurrencyError, InvalidInput, NotFound, StorageTimeout
from tests.chat_fixtures import METADATA, chat_services

UNKNOWN = "0b7a4f55-3c2d-4e8f-9a1b-2c3d4e5f6a7b"


@pytest.fixture
def chat(uow_factory):
    services, _ = chat_services(uow_factory())
    return services


def user(chat, **fields):
    return chat.bus.handle(commands.CreateUser(**fields))


def start(chat, user_id=None, title=None):
    return chat.bus.handle(commands.StartConversation(user_id=user_id, title=title))


def post(chat, conversation_id, content="hello", sender_type="user", role_metadata=None):
    return chat.bus.handle(commands.PostMessage(conversation_id, sender_type, content, role_metadata))


# -- users ---------------------------------------------------------------------------------------


def test_a_user_is_found_by_id_by_external_id_and_by_email_in_any_case(chat):
    ann = user(chat, external_id="auth|ann", name="Ann Müller", email="Ann.Mueller@Example.ORG")
    assert chat.users.get(ann.id) == ann
    assert chat.users.get(ann.id.upper()) == ann  # any standard UUID spelling
    assert chat.users.get_by_external_id("auth|ann") == ann
    assert chat.users.get_by_email("ann.mueller@example.org") == ann
    assert chat.users.get_by_email("ANN.MUELLER@EXAMPLE.ORG") == ann
    assert ann.email == "Ann.Mueller@Example.ORG"  # stored as given
    assert (chat.users.get(UNKNOWN), chat.users.get_by_external_id("auth|ANN"), chat.users.get_by_email("x@y.z")) == (
        None,
        None,
        None,
    )


def test_an_email_or_external_id_belongs_to_one_user_only(chat):
    user(chat, external_id="e1", email="bob@example.com")
    with pytest.raises(AlreadyExists):
        user(chat, email="BOB@example.COM")
    with pytest.raises(AlreadyExists):
        user(chat, external_id="e1")
    assert chat.users.count() == 1
    user(chat, external_id="E1")  # external ids compare exactly
    user(chat)  # many users without email or external id
    user(chat)
    assert chat.users.count() == 4


def test_bad_user_input_is_refused_before_anything_is_written(chat):
    for fields in ({"email": "not-an-email"}, {"email": "a@b"}, {"name": "x\x00y"}, {"external_id": ""},
                   {"id": "not-a-uuid"}, {"name": "n" * 256}):  # fmt: skip
        with pytest.raises(InvalidInput):
            user(chat, **fields)
    assert chat.users.count() == 0


def test_get_or_create_by_external_id_creates_once(chat):
    first, created = chat.bus.handle(commands.GetOrCreateUser("auth|1", name="One", email="one@example.com"))
    again, created_again = chat.bus.handle(commands.GetOrCreateUser("auth|1", name="Other"))
    assert (created, created_again) == (True, False)
    assert again == first and again.name == "One"
    assert chat.users.count() == 1


def test_updating_a_user_checks_uniqueness_and_keeps_the_old_values_on_refusal(chat):
    ann = user(chat, email="ann@example.com")
    bob = user(chat, email="bob@example.com", name="Bob")
    updated = chat.bus.handle(commands.UpdateUser(bob.id, {"name": "Robert", "email": "Robert@Example.com"}))
    assert updated.name == "Robert" and chat.users.get_by_email("robert@example.com") == updated
    assert updated.updated_at > bob.updated_at and updated.created_at == bob.created_at
    with pytest.raises(AlreadyExists):
        chat.bus.handle(commands.UpdateUser(bob.id, {"email": "ANN@example.com", "name": "Bobby"}))
    assert chat.users.get(bob.id) == updated
    assert chat.users.get_by_email("ann@example.com") == ann
    with pytest.raises(InvalidInput):
        chat.bus.handle(commands.UpdateUser(bob.id, {"id": ann.id}))
    with pytest.raises(NotFound):
        chat.bus.handle(commands.UpdateUser(UNKNOWN, {"name": "x"}))


def test_users_are_listed_oldest_first_in_stable_pages(chat):
    made = [user(chat, name=f"u{i}") for i in range(7)]
    pages = [chat.users.list(limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [u.id for page in pages for u in page] == [u.id for u in made]
    assert [len(page) for page in pages] == [3, 3, 1, 0]


def test_deleting_a_user_deletes_their_conversations_and_messages(chat):
    ann, bob = user(chat, name="ann"), user(chat, name="bob")
    mine, theirs = start(chat, ann.id), start(chat, bob.id)
    post(chat, mine.id, "a")
    post(chat, theirs.id, "b")
    assert chat.bus.handle(commands.DeleteUser(ann.id)) is True
    assert chat.bus.handle(commands.DeleteUser(ann.id)) is False
    assert chat.users.get(ann.id) is None
    assert chat.conversations.get(mine.id) is None
    assert chat.conversations.count_messages(mine.id) == 0
    assert [m.content for m in chat.conversations.messages(theirs.id)] == ["b"]


# -- conversations -------------------------------------------------------------------------------


def test_a_conversation_for_an_unknown_user_is_refused(chat):
    with pytest.raises(NotFound):
        start(chat, UNKNOWN)
    assert chat.conversations.list_all() == []


def test_conversations_of_a_user_come_newest_first_filtered_by_status(chat):
    ann = user(chat)
    made = [start(chat, ann.id, f"c{i}") for i in range(5)]
    other = start(chat, user(chat).id)
    chat.bus.handle(commands.ArchiveConversation(made[1].id))
    listed = chat.conversations.list_for_user(ann.id)
    assert [c.title for c in listed] == ["c4", "c3", "c2", "c1", "c0"]
    assert [c.title for c in chat.conversations.list_for_user(ann.id, status="archived")] == ["c1"]
    assert [c.title for c in chat.conversations.list_for_user(ann.id, status="active", limit=2, offset=1)] == [
        "c3",
        "c2",
    ]
    assert [c.id for c in chat.conversations.list_all()] == [other.id, *[c.id for c in reversed(made)]]
    with pytest.raises(InvalidInput):
        chat.conversations.list_for_user(ann.id, status="deleted")


def test_renaming_and_archiving_raise_the_version_and_archiving_twice_is_harmless(chat):
    conversation = start(chat, title="first")
    renamed = chat.bus.handle(commands.RenameConversation(conversation.id, "Ünïcode title 🚀"))
    archived = chat.bus.handle(commands.ArchiveConversation(conversation.id))
    again = chat.bus.handle(commands.ArchiveConversation(conversation.id))
    assert (conversation.version, renamed.version, archived.version) == (1, 2, 3)
    assert again == archived == chat.conversations.get(conversation.id)
    assert archived.title == "Ünïcode title 🚀" and archived.status == "archived"
    reopened = chat.bus.handle(commands.UpdateConversation(conversation.id, {"status": "active", "title": None}))
    assert (reopened.status, reopened.title, reopened.version) == ("active", None, 5)
    with pytest.raises(InvalidInput):
        chat.bus.handle(commands.UpdateConversation(conversation.id, {"user_id": UNKNOWN}))


def test_posting_to_an_archived_conversation_is_refused_and_writes_nothing(chat):
    conversation = start(chat)
    post(chat, conversation.id, "before")
    chat.bus.handle(commands.ArchiveConversation(conversation.id))
    version = chat.conversations.get(conversation.id).version
    with pytest.raises(InvalidInput):
        post(chat, conversation.id, "after")
    assert [m.content for m in chat.conversations.messages(conversation.id)] == ["before"]
    assert chat.conversations.get(conversation.id).version == version
    with pytest.raises(NotFound):
        post(chat, UNKNOWN)


def test_deleting_a_conversation_deletes_its_messages(chat):
    conversation, kept = start(chat), start(chat)
    message = post(chat, conversation.id)
    post(chat, kept.id)
    assert chat.bus.handle(commands.DeleteConversation(conversation.id)) is True
    assert chat.bus.handle(commands.DeleteConversation(conversation.id)) is False
    assert chat.conversations.get_message(message.id) is None
    assert chat.conversations.count_messages(kept.id) == 1


# -- messages ------------------------------------------------------------------------------------


def test_messages_come_oldest_first_with_sender_filter_and_stable_pages(chat):
    conversation = start(chat)
    senders = ["system", "user", "assistant", "user", "assistant", "user", "assistant"]
    posted = [post(chat, conversation.id, f"m{i}", sender) for i, sender in enumerate(senders)]
    assert [m.id for m in chat.conversations.messages(conversation.id)] == [m.id for m in posted]
    pages = [chat.conversations.messages(conversation.id, limit=3, offset=o) for o in (0, 3, 6)]
    assert [m.content for page in pages for m in page] == [f"m{i}" for i in range(7)]
    by_user = chat.conversations.messages(conversation.id, sender_type="user", limit=2, offset=1)
    assert [m.content for m in by_user] == ["m3", "m5"]
    assert chat.conversations.count_messages(conversation.id) == 7
    with pytest.raises(InvalidInput):
        chat.conversations.messages(conversation.id, sender_type="robot")


def test_messages_posted_in_the_same_microsecond_keep_their_posting_order(uow_factory):
    services, _ = chat_services(uow_factory(), step=timedelta(0))
    conversation = services.bus.handle(commands.StartConversation())
    posted = [
        services.bus.handle(
            commands.PostMessage(conversation.id, "user", f"m{i}", id=f"{9 - i}" * 8 + "-0000-4000-8000-" + "0" * 12)
        )
        for i in range(6)
    ]  # ids descending, so only the sequence can give the order
    listed = services.conversations.messages(conversation.id)
    assert len({m.created_at for m in listed}) == 1
    assert [m.content for m in listed] == [m.content for m in posted]
    assert [m.sequence for m in listed] == sorted(m.sequence for m in listed)


def test_message_content_and_metadata_round_trip_exactly(chat):
    conversation = start(chat)
    large = "Grüße, 世界 👋 \U0001d518 " * 60_000 + "end"
    cases = [("x", None), ("line\n\ttab 'quote' \"dq\" \\ back", {}), (large, METADATA)]
    posted = [post(chat, conversation.id, content, "assistant", meta) for content, meta in cases]
    for message, (content, meta) in zip(posted, cases, strict=True):
        stored = chat.conversations.get_message(message.id)
        assert stored == message
        assert (stored.content, stored.role_metadata) == (content, meta)
    assert [m.role_metadata for m in chat.conversations.messages(conversation.id)] == [None, {}, METADATA]


def test_bad_messages_are_refused(chat):
    conversation = start(chat)
    for sender, content, meta in (("user", "", None), ("robot", "x", None), ("user", "a\x00b", None),
                                  ("user", "x", {"k": float("nan")}), ("user", "x", ["not", "a", "dict"]),
                                  ("user", "x", {1: "int key"})):  # fmt: skip
        with pytest.raises(InvalidInput):
            post(chat, conversation.id, content, sender, meta)
    assert chat.conversations.count_messages(conversation.id) == 0
    assert chat.conversations.get(conversation.id).version == 1


def test_deleting_a_message_removes_only_it(chat):
    conversation = start(chat)
    first, second = post(chat, conversation.id, "one"), post(chat, conversation.id, "two")
    assert chat.bus.handle(commands.DeleteMessage(first.id)) is True
    assert chat.bus.handle(commands.DeleteMessage(first.id)) is False
    assert chat.bus.handle(commands.DeleteMessage(UNKNOWN)) is False
    assert [m.id for m in chat.conversations.messages(conversation.id)] == [second.id]
    with pytest.raises(InvalidInput):
        chat.bus.handle(commands.DeleteMessage("nope"))


# -- optimistic concurrency (interleaved units of work; real concurrency: tests/integration) ------


def _on_sqlite(uow) -> bool:
    return getattr(getattr(uow, "engine", None), "dialect", None) is not None and uow.engine.dialect.name == "sqlite"


def _impatient_rival(uow):
    """A unit of work on the same SQLite file that gives up waiting for the write lock after 0.1 s."""
    from sqlalchemy.orm import sessionmaker

    from memcore.infrastructure.settings import Settings
    from memcore.infrastructure.sqlalchemy.engine import build_engine
    from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

    engine = build_engine(Settings(url=uow.engine.url.render_as_string(hide_password=False), busy_timeout_ms=100))
    return SqlAlchemyUnitOfWork(sessionmaker(engine, expire_on_commit=False))


def test_the_second_of_two_units_of_work_changing_a_conversation_gets_a_concurrency_error(uow_factory):
    """On SQLite a unit of work holds the write lock from its first statement, so the second cannot
    even read until the first ends (StorageTimeout once its busy timeout runs out): it writes nothing
    either way."""
    services, clock = chat_services(uow_factory())
    conversation = services.bus.handle(commands.StartConversation(title="shared"))
    first = uow_factory()
    second = _impatient_rival(first) if _on_sqlite(first) else uow_factory()
    with first, second:
        mine = first.conversations.get(conversation.id)
        if _on_sqlite(first):
            with pytest.raises(StorageTimeout):
                second.conversations.get(conversation.id)
            theirs = None
        else:
            theirs = second.conversations.get(conversation.id)
        mine.rename("mine", clock())
        mine.post("user", "from the first", clock())
        if theirs is not None:
            theirs.post("user", "from the second", clock())
            theirs.archive(clock())
        first.commit()
        if theirs is not None:
            with pytest.raises(ConcurrencyError):
                second.commit()
    stored = services.conversations.get(conversation.id)
    assert (stored.title, stored.status, stored.version) == ("mine", "active", 3)
    assert [m.content for m in services.conversations.messages(conversation.id)] == ["from the first"]


def test_a_deleted_conversation_cannot_be_written_by_a_stale_unit_of_work(uow_factory):
    services, clock = chat_services(uow_factory())
    conversation = services.bus.handle(commands.StartConversation())
    with uow_factory() as stale:
        loaded = stale.conversations.get(conversation.id)
        if _on_sqlite(stale):  # the stale one holds the write lock: the delete waits, then times out
            rival = chat_services(_impatient_rival(stale))[0]
            with pytest.raises(StorageTimeout):
                rival.bus.handle(commands.DeleteConversation(conversation.id))
            stale.rollback()
            services.bus.handle(commands.DeleteConversation(conversation.id))
        else:
            services.bus.handle(commands.DeleteConversation(conversation.id))
            loaded.post("user", "too late", clock())
            with pytest.raises(ConcurrencyError):
                stale.commit()
    assert services.conversations.get(conversation.id) is None


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_post_and_a_user_in_one_unit_of_work_are_written_together_or_not_at_all(uow_factory, outcome):
    # The post comes first (on SQL it begins the transaction without the ORM session), the user
    # second (the session joins that transaction): one commit writes both, a rollback neither.
    from memcore.domain.conversations.model import User

    services, clock = chat_services(uow_factory())
    conversation = services.bus.handle(commands.StartConversation())
    with uow_factory() as uow:
        uow.conversations.get(conversation.id).post("user", "together", clock())
        uow.conversations.flush()
        uow.users.add(User.create(external_id="joined"))
        getattr(uow, outcome)()
    kept = outcome == "commit"
    assert (services.users.get_by_external_id("joined") is not None) == kept
    assert [m.content for m in services.conversations.messages(conversation.id)] == (["together"] if kept else [])
    assert services.conversations.get(conversation.id).version == (2 if kept else 1)


def test_a_post_rolled_back_is_not_written_by_a_later_commit_of_the_same_unit_of_work(uow_factory):
    services, clock = chat_services(uow_factory())
    conversation = services.bus.handle(commands.StartConversation())
    with uow_factory() as uow:
        uow.conversations.get(conversation.id).post("user", "rolled back", clock())
        uow.rollback()
        uow.conversations.get(conversation.id).post("user", "kept", clock())
        uow.commit()
    assert [m.content for m in services.conversations.messages(conversation.id)] == ["kept"]
    assert services.conversations.get(conversation.id).version == 2


def test_events_are_raised_for_created_users_started_conversations_archives_and_posts(uow_factory):
    services, _ = chat_services(uow_factory())
    seen = []
    from memcore.domain.conversations import events

    for kind in (events.UserCreated, events.ConversationStarted, events.ConversationArchived, events.MessagePosted):
        services.bus.subscribe(kind, seen.append)
    ann = services.bus.handle(commands.CreateUser(external_id="ann"))
    conversation = services.bus.handle(commands.StartConversation(user_id=ann.id))
    message = services.bus.handle(commands.PostMessage(conversation.id, "user", "hi"))
    services.bus.handle(commands.ArchiveConversation(conversation.id))
    services.bus.handle(commands.ArchiveConversation(conversation.id))
    assert seen == [
        events.UserCreated(ann.id, "ann"),
        events.ConversationStarted(conversation.id, ann.id),
        events.MessagePosted(conversation.id, message.id, "user"),
        events.ConversationArchived(conversation.id),
    ]
