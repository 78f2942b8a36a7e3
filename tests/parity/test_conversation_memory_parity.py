"""The in-memory conversation memory and SQLConversationMemory on each dialect, driven with the same
random operations and compared after each one (items as role, content, payload and whether each
is a summary: ids and times are each side's own)."""

import itertools

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from memcore.infrastructure.compat.conversation_memory import InMemoryConversationMemory, SQLConversationMemory
from memcore.infrastructure.sqlalchemy.database import Database
from tests.conftest import empty_tables
from tests.parity.common import PARITY_SETTINGS, TEXT, TRICKY, Clock, outcome
from tests.store_fixtures import url_of

SESSIONS = st.sampled_from(["s", "s", "S", "s ", "ü", ""])  # mostly "s"; "" is refused
ROLES = st.sampled_from(["user", "assistant", "system", "tool", ""])
PAYLOADS = st.none() | st.dictionaries(TRICKY | TEXT, st.integers(-(2**60), 2**60) | TEXT, max_size=2)
ITEMS = st.lists(st.fixed_dictionaries({"role": ROLES, "content": TRICKY | TEXT, "payload": PAYLOADS}), max_size=4)
LIMITS = st.none() | st.integers(-1, 6)


def _view(result):
    kind, value = result
    if kind != "ok" or not isinstance(value, list):
        return result
    return kind, [
        (i.role, i.content, i.payload, i.tokens, i.summary_of is not None) if hasattr(i, "role") else i for i in value
    ]


def _one(result):
    kind, value = result
    if kind == "ok" and value is not None and hasattr(value, "role"):
        return kind, (value.role, value.content, value.payload, value.tokens)
    return result


class MemoryParity(RuleBasedStateMachine):
    engine = None

    def __init__(self) -> None:
        super().__init__()
        empty_tables(self.engine)
        self.db = Database(url_of(self.engine))
        self.fake = InMemoryConversationMemory(clock=Clock())
        self.sql = SQLConversationMemory(self.db, clock=Clock())
        self.summaries: dict[str, list[str]] = {}
        self.count = itertools.count()

    def teardown(self) -> None:
        self.db.close()

    def both(self, call, view=_view):
        expected, actual = view(outcome(lambda: call(self.fake))), view(outcome(lambda: call(self.sql)))
        assert actual == expected
        return expected

    @rule(session=SESSIONS, items=ITEMS)
    def add(self, session, items):
        self.both(lambda m: m.add_items(session, items))

    @rule(session=SESSIONS, limit=LIMITS)
    def get(self, session, limit):
        self.both(lambda m: m.get_items(session, limit))

    @rule(session=SESSIONS)
    def pop(self, session):
        self.both(lambda m: m.pop_item(session), _one)

    @rule(session=SESSIONS)
    def clear(self, session):
        self.both(lambda m: m.clear_session(session), lambda r: r)

    @rule(session=SESSIONS, max_items=LIMITS, max_tokens=LIMITS)
    def window(self, session, max_items, max_tokens):
        self.both(lambda m: m.window(session, max_items=max_items, max_tokens=max_tokens))

    @rule(session=SESSIONS, text=TRICKY | TEXT)
    def summarize(self, session, text):
        self.both(lambda m: m.summarize(session, text), _one)

    @rule(session=SESSIONS)
    def history(self, session):
        self.both(lambda m: m.history(session))

    @invariant()
    def same_sessions(self):
        self.both(lambda m: m.list_sessions(), lambda r: r)


def test_conversation_memory_parity(sql_engine):
    MemoryParity.engine = sql_engine
    run_state_machine_as_test(MemoryParity, settings=PARITY_SETTINGS)
