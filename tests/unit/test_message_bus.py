"""MessageBus: rollback of failing commands, event-handler isolation, retry of transaction conflicts."""

import attrs
import pytest

from memcore.application.messagebus import MessageBus
from memcore.domain.conflicts.events import ConflictRecorded
from memcore.domain.conflicts.model import MemoryConflict
from memcore.domain.shared.errors import NotFound, TransactionConflict
from memcore.infrastructure.inmemory.unit_of_work import InMemoryUnitOfWork
from tests.unit.builders import conflict_fields


@attrs.frozen
class Store:
    conflict_id: str
    fail: bool = False
    raise_event: bool = False


class Boom(Exception):
    pass


def store_handler(uow):
    """Adds a conflict and commits, unless told to fail first."""

    def handle(cmd: Store) -> str:
        make = MemoryConflict.record if cmd.raise_event else MemoryConflict
        with uow:
            uow.conflicts.add(make(**conflict_fields(id=cmd.conflict_id)))
            if cmd.fail:
                raise Boom("after the write, before the commit")
            uow.commit()
        return cmd.conflict_id

    return handle


def stored_ids(uow):
    with InMemoryUnitOfWork(uow.store) as reader:
        return sorted(reader.conflicts.rows)


@pytest.fixture
def uow():
    return InMemoryUnitOfWork()


@pytest.fixture
def bus(uow):
    return MessageBus(uow, {Store: store_handler(uow)})


def test_a_command_that_fails_inside_its_handler_leaves_nothing_stored(bus, uow):
    with pytest.raises(Boom):
        bus.handle(Store("c-1", fail=True))
    assert stored_ids(uow) == []


def test_a_failed_command_publishes_none_of_the_events_it_raised(bus, uow):
    delivered = []
    bus.subscribe(ConflictRecorded, delivered.append)
    with pytest.raises(Boom):
        bus.handle(Store("lost", fail=True, raise_event=True))
    bus.handle(Store("kept", raise_event=True))
    assert delivered == [ConflictRecorded("kept", "user-1")]
    assert stored_ids(uow) == ["kept"]


def test_a_failing_event_handler_does_not_undo_the_command_or_stop_other_handlers(bus, uow):
    delivered = []

    def broken(event):
        raise RuntimeError("handler bug")

    bus.subscribe(ConflictRecorded, broken)
    bus.subscribe(ConflictRecorded, delivered.append)
    assert bus.handle(Store("c-1", raise_event=True)) == "c-1"
    assert delivered == [ConflictRecorded("c-1", "user-1")]
    assert stored_ids(uow) == ["c-1"]


def test_a_command_without_a_handler_is_refused(bus):
    with pytest.raises(TypeError, match="no handler"):
        bus.handle(object())


def flaky(failures: int, error: Exception):
    calls = []

    def handle(cmd):
        calls.append(cmd)
        if len(calls) <= failures:
            raise error
        return f"done after {len(calls)} calls"

    return handle, calls


def test_a_transaction_conflict_is_retried_until_the_handler_succeeds(uow):
    handler, calls = flaky(2, TransactionConflict("serialization failure"))
    bus = MessageBus(uow, {Store: handler}, retries=3)
    assert bus.handle(Store("c-1")) == "done after 3 calls"
    assert len(calls) == 3


def test_a_persistent_transaction_conflict_gives_up_after_the_retries(uow):
    handler, calls = flaky(100, TransactionConflict("serialization failure"))
    bus = MessageBus(uow, {Store: handler}, retries=2)
    with pytest.raises(TransactionConflict):
        bus.handle(Store("c-1"))
    assert len(calls) == 3  # the first run and two retries


def test_other_errors_are_not_retried(uow):
    handler, calls = flaky(1, NotFound("no such conflict"))
    bus = MessageBus(uow, {Store: handler}, retries=3)
    with pytest.raises(NotFound):
        bus.handle(Store("c-1"))
    assert len(calls) == 1


def test_a_retried_command_writes_once(uow):
    attempts = []
    write = store_handler(uow)

    def handle(cmd):
        attempts.append(cmd)
        with uow:
            uow.conflicts.add(MemoryConflict(**conflict_fields(id=f"attempt-{len(attempts)}")))
            if len(attempts) == 1:
                raise TransactionConflict("deadlock")
            uow.commit()
        return write(cmd)

    bus = MessageBus(uow, {Store: handle})
    bus.handle(Store("final"))
    assert stored_ids(uow) == ["attempt-2", "final"]


def test_a_connection_lost_before_commit_is_run_again_but_not_without_end(uow):
    from memcore.domain.shared.errors import ConnectionLost

    handler, calls = flaky(1, ConnectionLost("lost the database connection"))
    assert MessageBus(uow, {Store: handler}).handle(Store("c-1")) == "done after 2 calls"
    handler, calls = flaky(100, ConnectionLost("lost the database connection"))
    with pytest.raises(ConnectionLost):
        MessageBus(uow, {Store: handler}, retries=10).handle(Store("c-1"))
    assert len(calls) == 3  # a server that stays down fails the call after two more tries


def test_a_commit_whose_outcome_is_unknown_is_never_retried(uow):
    from memcore.domain.shared.errors import CommitOutcomeUnknown

    handler, calls = flaky(1, CommitOutcomeUnknown("the connection broke during COMMIT"))
    with pytest.raises(CommitOutcomeUnknown):
        MessageBus(uow, {Store: handler}).handle(Store("c-1"))
    assert len(calls) == 1


def test_a_stale_version_is_retried_only_for_handlers_that_say_so(uow):
    from memcore.domain.shared.errors import ConcurrencyError

    handler, calls = flaky(1, ConcurrencyError("stale"))
    with pytest.raises(ConcurrencyError):
        MessageBus(uow, {Store: handler}).handle(Store("c-1"))
    assert len(calls) == 1

    class Rerunnable:
        rerun_when_stale = True

        def __init__(self) -> None:
            self.handle, self.calls = flaky(2, ConcurrencyError("stale"))

        def __call__(self, cmd: Store) -> str:
            return self.handle(cmd)

    rerunnable = Rerunnable()
    assert MessageBus(uow, {Store: rerunnable}).handle(Store("c-2")) == "done after 3 calls"
