"""The in-memory fake and each SQL adapter, driven with the same random memory operations.

Search results are compared as sets, on queries made of words every engine indexes the same way
(three letters or more, no InnoDB stopword), in text where every engine sees them as words (PostgreSQL's
parser reads `Echo/2` as one file-path token, so keys join words with `:` or spaces); ranking orders
differ per engine and are not compared.
"""

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from memcore.application.memory.commands import ApplyMemoryOperations, DeleteMemory, StoreMemories, StoreMemory
from tests.conftest import SQL_DIALECTS, dialect_param
from tests.parity.common import PARITY_SETTINGS, TEXT, ParityMachine

VOCABULARY = ["apple", "Banana", "CHERRY", "delta", "echo", "foxtrot", "golf", "hotel", "ünïcode", "日本語"]
WORD = st.sampled_from(VOCABULARY)
SENTENCE = st.lists(WORD, min_size=1, max_size=4).map(" ".join) | st.lists(WORD, max_size=3).map(", ".join)
KEYS = st.sampled_from(["k", "K", "k ", "ä", "user:1", "user:10", "apple:1", "Echo:2", "\U0001d518", "x" * 512])
SCALARS = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
LEAVES = SCALARS | SENTENCE | TEXT.filter(lambda t: not any(c.isalnum() for c in t))
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT | WORD, inner, max_size=3),
    max_leaves=6,
)
META_KEYS = st.sampled_from(["n", "ü"])
META_VALUES = st.sampled_from([1, 1.0, 2, "1", "a", "A", True, False, None, [1], {"a": 1}])
METADATA = st.none() | st.dictionaries(META_KEYS, META_VALUES, max_size=2)
FILTER = st.none() | st.dictionaries(META_KEYS, st.sampled_from([1, 2, "1", "a", True, False, None]), min_size=1)
BAD_KEYS = st.sampled_from(["", "x" * 513, "nul\x00"])
STORE = st.builds(StoreMemory, KEYS, VALUES, METADATA)
DELETE = st.builds(DeleteMemory, KEYS)


def dicts(views):
    return [view.to_dict() for view in views]


class MemoryParity(ParityMachine):
    @initialize(commands=st.lists(STORE, min_size=4, max_size=10))
    def seed(self, commands):
        self.both(lambda s: s.bus.handle(StoreMemories(commands)))

    @rule(command=STORE)
    def store(self, command):
        self.both(lambda s: s.bus.handle(command))

    @rule(command=DELETE)
    def delete(self, command):
        self.both(lambda s: s.bus.handle(command))

    @rule(commands=st.lists(STORE, max_size=4), bad=st.none() | BAD_KEYS)
    def store_many(self, commands, bad):
        batch = commands + ([StoreMemory(bad, 1)] if bad is not None else [])
        self.both(lambda s: s.bus.handle(StoreMemories(batch)))

    @rule(operations=st.lists(STORE | DELETE, max_size=5), bad=st.none() | BAD_KEYS)
    def apply_operations(self, operations, bad):
        batch = operations + ([DeleteMemory(bad)] if bad is not None else [])
        self.both(lambda s: s.bus.handle(ApplyMemoryOperations(batch)))

    @rule(operations=st.lists(STORE | DELETE, max_size=4), fail=st.booleans())
    def transaction(self, operations, fail):
        def run(services):
            try:
                with services.memory_transaction() as tx:
                    seen = []
                    for operation in operations:
                        if isinstance(operation, StoreMemory):
                            seen.append(tx.store(operation.key, operation.value, operation.metadata))
                        else:
                            seen.append(tx.delete(operation.key))
                        view = tx.retrieve(operation.key)
                        seen.append(None if view is None else view.to_dict())
                    if fail:
                        raise RuntimeError("roll back")
                    return seen
            except RuntimeError:
                return "rolled back"

        self.both(run)

    @rule(key=KEYS | BAD_KEYS)
    def get(self, key):
        self.both(lambda s: (lambda v: None if v is None else v.to_dict())(s.memory.get(key)))

    @rule(words=st.lists(WORD, min_size=1, max_size=2), metadata_filter=FILTER)
    def search(self, words, metadata_filter):
        query = " ".join(words)
        self.both(lambda s: sorted(h.entry.key for h in s.memory.search(query, metadata_filter, limit=100)))

    @rule(metadata_filter=FILTER, limit=st.integers(0, 4))
    def newest(self, metadata_filter, limit):
        self.both(lambda s: [(h.entry.to_dict(), h.score) for h in s.memory.search(None, metadata_filter, limit)])

    @rule(batch_size=st.integers(1, 4))
    def iterate(self, batch_size):
        self.both(lambda s: dicts(s.memory.iterate(batch_size)))

    @invariant()
    def same_entries(self):
        self.both(lambda s: (dicts(s.memory.iterate()), s.memory.count()))


@pytest.mark.parametrize("dialect", [dialect_param(d) for d in SQL_DIALECTS])
def test_fake_and_sql_adapter_agree_on_memory(dialect, engines):
    MemoryParity.engine = engines[dialect]
    run_state_machine_as_test(MemoryParity, settings=PARITY_SETTINGS)
