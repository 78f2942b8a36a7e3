"""The in-memory fake and each SQL adapter (the use cases on SQL, and SQLCheckpointer), driven with the
same random checkpoint operations and compared after every step.

Checkpoint ids are random UUIDs, so each side names a checkpoint by the order it was saved in (its
label): results are compared with checkpoint and parent ids replaced by labels, and rules pick a
checkpoint by its position in a thread's history.
"""

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy.orm import sessionmaker

from memcore.infrastructure.inmemory.unit_of_work import InMemoryUnitOfWork
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import SQL_DIALECTS, dialect_param, empty_tables
from tests.contract.test_checkpoints import UNKNOWN, AsyncCheckpoints, UseCaseCheckpoints, url_of
from tests.parity.common import PARITY_SETTINGS, TEXT, TRICKY, Clock, outcome, services_on

VALID_THREADS = ["t", "T", "t ", "ü", "\U0001d518"]
THREADS = st.sampled_from(["t", *VALID_THREADS, "t", ""])  # mostly "t", to grow long threads; "" is refused
PIPELINES = st.sampled_from(["p", "P", "p ", "ä", ""])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([2**53 + 1, -(2**63), 2**64])
    | st.floats(allow_nan=False, allow_infinity=False)
    | TRICKY
    | TEXT
)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                    max_leaves=6)  # fmt: skip
OBJECTS = st.dictionaries(TRICKY | TEXT, JSON, max_size=3)
# A checkpoint named by (thread, position from the newest), one that never existed, or a malformed id.
REFERENCES = st.sampled_from([("t", 0), ("t", 1), ("t", 2), ("t", 0), *((t, 0) for t in VALID_THREADS), ("t", 9),
                              "unknown", "NOT-A-UUID"])  # fmt: skip


class Side:
    """One implementation, and the labels of the checkpoints it saved."""

    def __init__(self, checkpoints) -> None:
        self.checkpoints, self.labels = checkpoints, {}

    def labelled(self, found):
        if found is None:
            return None
        return {**found, "checkpoint_id": self.labels[found["checkpoint_id"]],
                "parent_id": self.labels.get(found["parent_id"])}  # fmt: skip

    def resolve(self, reference):
        """The id a reference names on this side (an unknown UUID when the thread has no such checkpoint)."""
        if reference is None or reference == "NOT-A-UUID":
            return reference
        if reference == "unknown":
            return UNKNOWN
        thread_id, position = reference
        found = self.checkpoints.list(thread_id, limit=position + 1)
        return found[position]["checkpoint_id"] if position < len(found) else UNKNOWN

    def save(self, thread_id, pipeline_id, state, metadata, parent):
        checkpoint_id = self.checkpoints.save(thread_id, pipeline_id, state, metadata, self.resolve(parent))
        self.labels[checkpoint_id] = len(self.labels)
        return self.labels[checkpoint_id]


class CheckpointParity(RuleBasedStateMachine):
    engine = None  # set per implementation
    kind = None

    def __init__(self) -> None:
        super().__init__()
        empty_tables(self.engine)
        self.fake = Side(UseCaseCheckpoints(services_on(InMemoryUnitOfWork())))
        if self.kind == "use_cases":
            uow = SqlAlchemyUnitOfWork(sessionmaker(self.engine, expire_on_commit=False))
            self.real = Side(UseCaseCheckpoints(services_on(uow)))
        else:
            self.real = Side(AsyncCheckpoints(url_of(self.engine), Clock()))

    def teardown(self) -> None:
        if isinstance(self.real.checkpoints, AsyncCheckpoints):
            self.real.checkpoints.close()

    def both(self, call):
        expected, actual = outcome(lambda: call(self.fake)), outcome(lambda: call(self.real))
        assert actual == expected
        return expected

    @initialize(sizes=st.tuples(st.integers(1, 6), st.integers(0, 2)), pipeline_id=PIPELINES, state=OBJECTS)
    def seed(self, sizes, pipeline_id, state):
        """Start from a few checkpoints, so reads and prunes meet real threads from the first step."""
        for thread_id, size in zip(("t", "ü"), sizes, strict=True):
            for _ in range(size):
                self.both(lambda side, thread_id=thread_id: side.save(thread_id, pipeline_id, state, None, None))

    @rule(thread_id=THREADS, pipeline_id=PIPELINES, states=st.lists(OBJECTS, min_size=1, max_size=3),
          metadata=st.none() | OBJECTS)  # fmt: skip
    def save(self, thread_id, pipeline_id, states, metadata):
        for state in states:
            self.both(lambda side, state=state: side.save(thread_id, pipeline_id, state, metadata, None))

    @rule(parent=REFERENCES, thread_id=st.none() | THREADS, pipeline_id=PIPELINES, state=OBJECTS)
    def save_child(self, parent, thread_id, pipeline_id, state):
        """Mostly in the parent's own thread (None); else in any thread, where the parent is not found."""
        if thread_id is None:
            thread_id = parent[0] if isinstance(parent, tuple) else "t"
        self.both(lambda side: side.save(thread_id, pipeline_id, state, None, parent))

    @rule(thread_id=THREADS, keep_last=st.none() | st.integers(-1, 4))
    def delete_or_prune(self, thread_id, keep_last):
        if keep_last is None:
            self.both(lambda side: side.checkpoints.delete_thread(thread_id))
        else:
            self.both(lambda side: side.checkpoints.prune(thread_id, keep_last))

    @rule(thread_id=THREADS, pipeline_id=st.none() | PIPELINES)
    def latest(self, thread_id, pipeline_id):
        self.both(lambda side: side.labelled(side.checkpoints.load(thread_id, pipeline_id)))

    @rule(reference=REFERENCES)
    def get(self, reference):
        self.both(lambda side: side.labelled(side.checkpoints.get(side.resolve(reference))))

    @rule(thread_id=st.none() | THREADS, limit=st.integers(0, 4), before=st.none() | REFERENCES)
    def history(self, thread_id, limit, before):
        """Mostly of the thread `before` is in (None); else of any thread, where `before` is not found."""
        if thread_id is None:
            thread_id = before[0] if isinstance(before, tuple) else "t"
        self.both(
            lambda side: [side.labelled(f) for f in side.checkpoints.list(thread_id, limit, side.resolve(before))]
        )

    @invariant()
    def same_threads(self):
        self.both(lambda side: {t: [side.labelled(f) for f in side.checkpoints.list(t, 1000)] for t in VALID_THREADS})


IMPLEMENTATIONS = [
    pytest.param(kind, dialect, id=f"{kind}-{dialect}", marks=dialect_param(dialect).marks)
    for kind in ("use_cases", "checkpointer")
    for dialect in SQL_DIALECTS
]


@pytest.mark.parametrize(("kind", "dialect"), IMPLEMENTATIONS)
def test_fake_and_sql_adapter_agree_on_checkpoints(kind, dialect, engines):
    CheckpointParity.engine, CheckpointParity.kind = engines[dialect], kind
    run_state_machine_as_test(CheckpointParity, settings=PARITY_SETTINGS)
