"""The in-memory fake and each SQL adapter, driven with the same random operations on users,
conversations, messages and knowledge chunks, and compared after every step.

Both sides draw ids from the same sequence and times from the same clock, so their views are equal
field for field. Rules name users, conversations, messages and chunks by an index into what was
created so far (or an id that never existed).
"""

import uuid

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from memcore.application.conversations import commands
from tests.conftest import SQL_DIALECTS, dialect_param
from tests.parity.common import PARITY_SETTINGS, TEXT, TRICKY, ParityMachine

EXTERNAL_IDS = st.none() | st.sampled_from(["e1", "E1", "e1 ", "é", "e2"])
EMAILS = st.none() | st.sampled_from(["a@x.io", "A@X.IO", "b@x.io", "ä@x.io", "Ä@x.io", "bad"])
NAMES = st.none() | TRICKY | TEXT
SENDERS = st.sampled_from(["user", "assistant", "system", "robot"])
CONTENTS = TRICKY | TEXT
JSON_VALUES = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | TRICKY
METADATA = st.none() | st.dictionaries(TRICKY | TEXT, JSON_VALUES | st.lists(JSON_VALUES, max_size=2), max_size=3)
STATUSES = st.none() | st.sampled_from(["active", "archived", "closed"])
WORDS = ["alpha", "beta", "gamma", "delta"]
PROSE = st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join)
SOURCES = st.sampled_from(["docs", "web", "Docs"])
CHUNK_IDS = st.sampled_from(["a#0", "a#1", "b#0", "B#0"])
CHUNKS = st.fixed_dictionaries(
    {"source": SOURCES, "external_id": CHUNK_IDS, "content": PROSE},
    optional={"title": st.none() | PROSE, "chunk_metadata": METADATA},
)
PICK = st.integers(0, 6)
PAGES = st.tuples(st.integers(0, 4), st.integers(0, 3))


def nth(ids: list[str], index: int) -> str:
    """Mostly one of `ids` (the newest ones more often); index 6 and above: an id never used."""
    return ids[-1 - index % len(ids)] if ids and index < 6 else str(uuid.UUID(int=10**9 + index))


class ConversationParity(ParityMachine):
    def __init__(self) -> None:
        super().__init__()
        self.users: list[str] = []
        self.conversations: list[str] = []
        self.messages: list[str] = []
        self.chunks: list[str] = []

    def remember(self, ids: list[str], result) -> None:
        kind, value = result
        if kind == "ok":
            ids.append(value)

    def delete(self, ids: list[str], index: int, command: type) -> None:
        target = nth(ids, index)
        if self.both(lambda s: s.bus.handle(command(target))) == ("ok", True):
            ids.remove(target)

    @initialize(title=st.none() | TRICKY)
    def some_conversations(self, title):
        """Most steps then act on something that exists."""
        self.remember(self.users, self.both(lambda s: s.bus.handle(commands.CreateUser("e0")).id))
        for user_id in (None, self.users[0]):
            result = self.both(lambda s, u=user_id: s.bus.handle(commands.StartConversation(u, title)).id)
            self.remember(self.conversations, result)

    # -- users

    @rule(external_id=EXTERNAL_IDS, email=EMAILS, name=NAMES)
    def create_user(self, external_id, email, name):
        result = self.both(lambda s: s.bus.handle(commands.CreateUser(external_id, name, email)).id)
        self.remember(self.users, result)

    @rule(external_id=st.sampled_from(["e1", "e2", "e3"]), email=EMAILS)
    def get_or_create_user(self, external_id, email):
        result = self.both(lambda s: s.bus.handle(commands.GetOrCreateUser(external_id, email=email)))
        if result[0] == "ok" and result[1][1]:
            self.users.append(result[1][0].id)

    @rule(index=PICK, changes=st.dictionaries(st.sampled_from(["name", "email", "external_id"]), EMAILS, max_size=2))
    def update_user(self, index, changes):
        self.both(lambda s: s.bus.handle(commands.UpdateUser(nth(self.users, index), changes)))

    @rule(index=PICK)
    def delete_user(self, index):
        self.delete(self.users, index, commands.DeleteUser)

    # -- conversations and messages

    @rule(index=st.none() | PICK, title=st.none() | TRICKY | TEXT)
    def start(self, index, title):
        user_id = None if index is None else nth(self.users, index)
        result = self.both(lambda s: s.bus.handle(commands.StartConversation(user_id, title)).id)
        self.remember(self.conversations, result)

    @rule(index=PICK, sender=SENDERS, content=CONTENTS, metadata=METADATA)
    def post(self, index, sender, content, metadata):
        conversation_id = nth(self.conversations, index)
        result = self.both(lambda s: s.bus.handle(commands.PostMessage(conversation_id, sender, content, metadata)).id)
        self.remember(self.messages, result)

    @rule(index=PICK, sender=SENDERS, content=CONTENTS)
    def post_again(self, index, sender, content):  # posting is what a chat does most
        self.post(index, sender, content, None)

    @rule(index=PICK, title=st.none() | TRICKY, status=STATUSES)
    def update_conversation(self, index, title, status):
        changes = {"title": title} if status is None else {"title": title, "status": status}
        self.both(lambda s: s.bus.handle(commands.UpdateConversation(nth(self.conversations, index), changes)))

    @rule(index=PICK)
    def archive(self, index):
        self.both(lambda s: s.bus.handle(commands.ArchiveConversation(nth(self.conversations, index))))

    @rule(index=PICK)
    def delete_conversation(self, index):
        self.delete(self.conversations, index, commands.DeleteConversation)

    @rule(index=st.integers(0, 10))
    def delete_message(self, index):
        self.delete(self.messages, index, commands.DeleteMessage)

    # -- knowledge

    @rule(chunk=CHUNKS)
    def upsert_chunk(self, chunk):
        result = self.both(lambda s: s.bus.handle(commands.UpsertKnowledgeChunk(**chunk)))
        if result[0] == "ok" and result[1][1]:
            self.chunks.append(result[1][0].id)

    @rule(items=st.lists(CHUNKS | st.just({"source": ""}), max_size=5), size=st.integers(1, 3))
    def bulk_upsert(self, items, size):
        self.both(lambda s: s.bus.handle(commands.BulkUpsertKnowledgeChunks(items, size)))

    @rule(index=PICK)
    def delete_chunk(self, index):
        self.delete(self.chunks, index, commands.DeleteKnowledgeChunk)

    # -- reads

    @rule(index=PICK, status=STATUSES, page=PAGES)
    def conversations_of_a_user(self, index, status, page):
        self.both(lambda s: s.conversations.list_for_user(nth(self.users, index), status, *page))

    @rule(index=PICK, sender=st.none() | SENDERS, page=PAGES)
    def page_messages(self, index, sender, page):
        conversation_id = nth(self.conversations, index)
        self.both(lambda s: (s.conversations.messages(conversation_id, *page, sender_type=sender),
                             s.conversations.count_messages(conversation_id)))  # fmt: skip

    @rule(email=st.sampled_from(["a@x.io", "A@X.io", "ä@x.io", "b@x.io"]), external_id=st.sampled_from(["e1", "é"]))
    def find_users(self, email, external_id):
        self.both(lambda s: (s.users.get_by_email(email), s.users.get_by_external_id(external_id)))

    @rule(source=SOURCES, external_id=CHUNK_IDS, page=PAGES, in_source=st.booleans())
    def find_chunks(self, source, external_id, page, in_source):
        self.both(lambda s: (s.knowledge.list_by_source(source, *page),
                             s.knowledge.get_by_external_id(external_id, source if in_source else None)))  # fmt: skip

    @rule(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2), source=st.none() | SOURCES)
    def search(self, words, source):
        # Engines rank differently: compare what is found, not its order.
        self.both(lambda s: sorted(c.id for c in s.knowledge.search(" ".join(words), limit=50, source=source)))

    @invariant()
    def same_state(self):
        def everything(s):
            conversations = s.conversations.list_all(limit=1000)
            messages = [s.conversations.messages(c.id, limit=1000) for c in conversations]
            return s.users.list(limit=1000), conversations, messages, s.knowledge.list_all(limit=1000)

        self.both(everything)


@pytest.mark.parametrize("dialect", [dialect_param(d) for d in SQL_DIALECTS])
def test_fake_and_sql_adapter_agree_on_conversations(dialect, engines):
    ConversationParity.engine = engines[dialect]
    run_state_machine_as_test(ConversationParity, settings=PARITY_SETTINGS)
