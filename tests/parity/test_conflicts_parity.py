"""Hypothesis drives the in-memory fake and each SQL adapter with the same random operations.

After every step both sides must hold the same conflicts, and every operation must give the same
result or the same domain error on both.
"""

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from memcore.application.conflicts import commands
from memcore.domain.conflicts.model import DECISIONS, RESOLUTION_TYPES, STATUSES
from memcore.domain.shared.specification import Query
from tests.conftest import SQL_DIALECTS, dialect_param
from tests.parity.common import (
    PARITY_SETTINGS,
    TEXT,
    TRICKY,
    TRICKY_VALUES,
    WHEN,
    ParityMachine,
    orderings,
    specifications,
)

IDS = st.sampled_from([f"id-{i}" for i in range(6)] + ["ID-0", "id-0 ", "gen-0", "gen-1"])
USERS = st.sampled_from(["alice", "Alice", "alice ", "bob", "bøb"])
SCORES = st.floats(0.0, 1.0, allow_nan=False) | st.sampled_from([0.0, 0.5, 1.0, 0.1 + 0.2])

FIELD_VALUES = {
    "id": IDS,
    "user_id": USERS,
    "memory_a_id": TRICKY,
    "category": TRICKY | TEXT,
    "clarification_hint": TRICKY | TEXT,
    "status": st.sampled_from(STATUSES),
    "similarity_score": SCORES,
    "avg_importance": SCORES | st.integers(0, 1),
    "resolution_attempts": st.integers(0, 4),
    "is_singleton_category": st.booleans(),
    "created_at": WHEN,
    "resolved_at": WHEN,
    "winning_memory_id": TRICKY,
}
TEXT_FIELDS = ["id", "user_id", "memory_a_id", "category", "clarification_hint", "status", "winning_memory_id"]


SPECS = specifications(FIELD_VALUES, set(TEXT_FIELDS), booleans={"is_singleton_category"})
ORDERS = orderings(FIELD_VALUES)


class ConflictParity(ParityMachine):
    @initialize(
        seeds=st.lists(
            st.tuples(st.sampled_from([f"id-{i}" for i in range(6)]), USERS, st.none() | TRICKY, SCORES, WHEN),
            min_size=2,
            max_size=8,
        )
    )
    def seed(self, seeds):
        """Start each run with data: several users, NULL and non-NULL hints, equal scores."""
        for n, (conflict_id, user, hint, importance, created) in enumerate(seeds):
            command = commands.RecordConflict(
                id=conflict_id, user_id=user, memory_a_id=f"a{n}", memory_b_id=f"b{n}", category=TRICKY_VALUES[n % 8],
                clarification_hint=hint, similarity_score=0.5, avg_importance=importance, created_at=created,
            )  # fmt: skip
            self.both(lambda s, command=command: s.bus.handle(command))

    @rule(
        conflict_id=st.sampled_from([None, *(f"id-{i}" for i in range(6)), "ID-0", "id-0 "]),
        user=USERS,
        a=TRICKY,
        b=TRICKY,
        category=TRICKY | TEXT,
        hint=st.none() | TEXT,
        similarity=SCORES,
        importance=SCORES,
        status=st.sampled_from(STATUSES),
        attempts=st.integers(0, 3),
        created=st.none() | WHEN,
        metadata=st.dictionaries(TEXT, st.none() | st.integers(-(2**53), 2**53) | TEXT | SCORES, max_size=2),
    )
    def record(
        self, conflict_id, user, a, b, category, hint, similarity, importance, status, attempts, created, metadata
    ):
        command = commands.RecordConflict(
            id=conflict_id, user_id=user, memory_a_id=a, memory_b_id=b, category=category,
            clarification_hint=hint, similarity_score=similarity, avg_importance=importance, status=status,
            resolution_attempts=attempts, created_at=created, metadata=metadata,
        )  # fmt: skip
        self.both(lambda s: s.bus.handle(command))

    @rule(
        conflict_id=IDS,
        decision=st.sampled_from(DECISIONS),
        kind=st.sampled_from(RESOLUTION_TYPES),
        notes=st.none() | TEXT,
    )
    def resolve(self, conflict_id, decision, kind, notes):
        command = commands.ResolveConflict(conflict_id, decision, kind, "judge", notes=notes)
        self.both(lambda s: s.bus.handle(command))

    @rule(conflict_id=IDS)
    def escalate(self, conflict_id):
        self.both(lambda s: s.bus.handle(commands.EscalateConflict(conflict_id)))

    @rule(conflict_id=IDS)
    def fail_attempt(self, conflict_id):
        self.both(lambda s: s.bus.handle(commands.RecordFailedAttempt(conflict_id)))

    @rule(user=USERS, status=st.none() | st.sampled_from(STATUSES))
    def clear(self, user, status):
        self.both(lambda s: s.bus.handle(commands.ClearUserConflicts(user, status)))

    @rule(user=USERS, limit=st.none() | st.integers(0, 4))
    def pending(self, user, limit):
        self.both(lambda s: s.pending_conflicts(user, limit=limit))

    @rule(user=USERS, status=st.none() | st.sampled_from(STATUSES))
    def count(self, user, status):
        self.both(lambda s: s.count_conflicts(user, status))

    @rule(spec=SPECS, order=ORDERS, limit=st.none() | st.integers(0, 5), offset=st.integers(0, 3))
    def query(self, spec, order, limit, offset):
        query = Query(where=spec, order_by=order, limit=limit, offset=offset)

        def run(services):
            with services.bus.uow as uow:
                return [c.id for c in uow.conflicts.list(query)], uow.conflicts.count(spec)

        self.both(run)

    @invariant()
    def same_conflicts(self):
        def everything(services):
            with services.bus.uow as uow:
                return [
                    {k: v for k, v in vars(c).items() if not k.startswith("_") and k != "events"}
                    for c in uow.conflicts.list(Query())
                ]

        self.both(everything)


@pytest.mark.parametrize("dialect", [dialect_param(d) for d in SQL_DIALECTS])
def test_fake_and_sql_adapter_agree(dialect, engines):
    ConflictParity.engine = engines[dialect]
    run_state_machine_as_test(ConflictParity, settings=PARITY_SETTINGS)
