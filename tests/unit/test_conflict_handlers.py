"""The conflicts use cases on the in-memory Unit of Work, driven through the message bus."""

import itertools
from datetime import timedelta

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.conflicts import commands
from memcore.domain.conflicts.events import ConflictEscalated, ConflictRecorded, ConflictResolved
from memcore.domain.shared.errors import AlreadyExists, InvalidInput, NotFound
from memcore.infrastructure.inmemory.unit_of_work import InMemoryUnitOfWork
from tests.unit.builders import T0, FakeClock, conflict_fields


@pytest.fixture
def uow():
    return InMemoryUnitOfWork()


@pytest.fixture
def services(uow):
    counter = itertools.count(1)
    return build_services(uow, clock=FakeClock(), id_factory=lambda: f"c-{next(counter)}", max_failed_attempts=2)


def record(services, **overrides):
    return services.bus.handle(commands.RecordConflict(**conflict_fields(**overrides)))


def resolve(services, conflict_id, decision="keep_b"):
    command = commands.ResolveConflict(conflict_id, decision=decision, resolution_type="manual", resolved_by="alice")
    return services.bus.handle(command)


def test_recording_a_conflict_stores_it_with_a_new_id_and_the_clock_time(services):
    conflict_id = record(services, clarification_hint="where do you live?", metadata={"source": "chat"})
    view = services.get_conflict(conflict_id)
    assert conflict_id == "c-1"
    assert (view.user_id, view.memory_a_id, view.memory_b_id) == ("user-1", "mem-a", "mem-b")
    assert (view.status, view.created_at, view.resolution_attempts) == ("pending", T0, 0)
    assert (view.clarification_hint, view.metadata) == ("where do you live?", {"source": "chat"})


def test_recording_keeps_a_given_id_and_creation_time(services):
    created = T0 - timedelta(days=3)
    assert record(services, id="imported", created_at=created) == "imported"
    assert services.get_conflict("imported").created_at == created


def test_getting_an_unknown_conflict_returns_none(services):
    assert services.get_conflict("nope") is None


def test_a_conflict_view_is_a_copy_of_the_stored_conflict(services):
    conflict_id = record(services, metadata={"k": "v"})
    services.get_conflict(conflict_id).metadata["k"] = "changed"
    assert services.get_conflict(conflict_id).metadata == {"k": "v"}


def test_pending_conflicts_come_most_important_then_oldest_then_by_id(services):
    record(services, id="low", avg_importance=0.2)
    record(services, id="high-new", avg_importance=0.9, created_at=T0 + timedelta(hours=1))
    record(services, id="high-old", avg_importance=0.9, created_at=T0)
    record(services, id="tie-b", avg_importance=0.5, created_at=T0)
    record(services, id="tie-a", avg_importance=0.5, created_at=T0)
    pending = services.pending_conflicts("user-1")
    assert [view.id for view in pending] == ["high-old", "high-new", "tie-a", "tie-b", "low"]
    assert [view.id for view in services.pending_conflicts("user-1", limit=2)] == ["high-old", "high-new"]


def test_pending_conflicts_leave_out_other_users_and_settled_conflicts(services):
    mine, settled, escalated = record(services), record(services), record(services)
    record(services, user_id="user-2")
    resolve(services, settled)
    services.bus.handle(commands.EscalateConflict(escalated))
    assert [view.id for view in services.pending_conflicts("user-1")] == [mine]


def test_resolving_a_conflict_records_the_winner(services):
    conflict_id = record(services)
    assert resolve(services, conflict_id, "keep_b") == "mem-b"
    view = services.get_conflict(conflict_id)
    assert (view.status, view.winning_memory_id, view.resolution_type) == ("resolved", "mem-b", "manual")
    assert view.resolved_at == T0 + timedelta(seconds=1)  # the clock's second reading
    assert view.metadata["resolved_by"] == "alice"


def test_resolving_twice_is_refused_and_keeps_the_first_resolution(services):
    conflict_id = record(services)
    resolve(services, conflict_id, "keep_a")
    with pytest.raises(InvalidInput):
        resolve(services, conflict_id, "keep_b")
    assert services.get_conflict(conflict_id).winning_memory_id == "mem-a"


def test_conflicts_are_counted_per_user_and_status(services):
    first, _, third = record(services), record(services), record(services)
    record(services, user_id="user-2")
    resolve(services, first)
    services.bus.handle(commands.EscalateConflict(third))
    assert services.count_conflicts("user-1") == 3
    counts = {status: services.count_conflicts("user-1", status) for status in ("pending", "resolved", "escalated")}
    assert counts == {"pending": 1, "resolved": 1, "escalated": 1}
    assert services.count_conflicts("nobody") == 0


def test_escalating_counts_an_attempt(services):
    conflict_id = record(services)
    assert services.bus.handle(commands.EscalateConflict(conflict_id)) == 1
    assert services.bus.handle(commands.EscalateConflict(conflict_id)) == 2
    assert services.get_conflict(conflict_id).status == "escalated"


def test_failed_attempts_escalate_automatically_at_the_configured_maximum(services):
    conflict_id = record(services)
    statuses = [services.bus.handle(commands.RecordFailedAttempt(conflict_id)) for _ in range(3)]
    assert statuses == ["pending", "escalated", "escalated"]
    assert services.get_conflict(conflict_id).resolution_attempts == 3


def test_clearing_removes_only_that_users_conflicts_optionally_by_status(services):
    resolved = record(services)
    record(services)
    record(services)
    other = record(services, user_id="user-2")
    resolve(services, resolved)
    assert services.bus.handle(commands.ClearUserConflicts("user-1", status="resolved")) == 1
    assert services.get_conflict(resolved) is None
    assert services.count_conflicts("user-1") == 2
    assert services.bus.handle(commands.ClearUserConflicts("user-1")) == 2
    assert services.count_conflicts("user-1") == 0
    assert services.get_conflict(other) is not None


@pytest.mark.parametrize(
    "command",
    [
        commands.ResolveConflict("missing", decision="keep_a", resolution_type="manual", resolved_by="alice"),
        commands.EscalateConflict("missing"),
        commands.RecordFailedAttempt("missing"),
    ],
)
def test_commands_on_an_unknown_conflict_raise_not_found(services, command):
    with pytest.raises(NotFound):
        services.bus.handle(command)


def test_recording_a_duplicate_id_is_refused_and_keeps_the_stored_conflict(services):
    record(services, id="dup", category="first")
    with pytest.raises(AlreadyExists):
        record(services, id="dup", category="second")
    assert services.get_conflict("dup").category == "first"
    assert services.count_conflicts("user-1") == 1


def test_an_unknown_status_is_refused_when_counting_or_clearing(services):
    record(services)
    with pytest.raises(InvalidInput):
        services.count_conflicts("user-1", "open")
    with pytest.raises(InvalidInput):
        services.bus.handle(commands.ClearUserConflicts("user-1", status="open"))
    assert services.count_conflicts("user-1") == 1


def test_events_are_delivered_once_each_after_commit(services, uow):
    delivered, visible = [], []

    def on_event(event):
        delivered.append(event)
        with InMemoryUnitOfWork(uow.store) as reader:  # a second transaction sees only committed state
            visible.append(reader.conflicts.get(event.conflict_id).status)

    for event_type in (ConflictRecorded, ConflictResolved, ConflictEscalated):
        services.bus.subscribe(event_type, on_event)
    first, second = record(services), record(services)
    resolve(services, first, "keep_a")
    services.bus.handle(commands.RecordFailedAttempt(second))
    services.bus.handle(commands.RecordFailedAttempt(second))
    assert delivered == [
        ConflictRecorded(first, "user-1"),
        ConflictRecorded(second, "user-1"),
        ConflictResolved(first, "user-1", "keep_a", "mem-a"),
        ConflictEscalated(second, "user-1", 2),
    ]
    assert visible == ["pending", "pending", "resolved", "escalated"]


def test_a_refused_command_publishes_no_event(services):
    conflict_id = record(services)
    resolve(services, conflict_id)
    delivered = []
    for event_type in (ConflictRecorded, ConflictResolved, ConflictEscalated):
        services.bus.subscribe(event_type, delivered.append)
    for command in (commands.EscalateConflict(conflict_id), commands.RecordFailedAttempt(conflict_id)):
        with pytest.raises(InvalidInput):
            services.bus.handle(command)
    with pytest.raises(InvalidInput):
        resolve(services, conflict_id)
    with pytest.raises(AlreadyExists):
        record(services, id=conflict_id)
    assert delivered == []
