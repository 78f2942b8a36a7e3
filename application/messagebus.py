"""Dispatches commands to their handler, then the events the touched aggregates raised."""

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.shared.errors import ConcurrencyError, ConnectionLost, TransactionConflict
from memcore.domain.shared.events import DomainEvent

log = logging.getLogger(__name__)

CommandHandler = Callable[[Any], Any]
EventHandler = Callable[[DomainEvent], None]
# What leaves nothing written and may go away when run again from a fresh transaction: the
# database aborted the transaction (serialization failure, deadlock), or the connection broke
# before COMMIT. A break during COMMIT (CommitOutcomeUnknown) is never retried. A stale version
# (ConcurrencyError) is retried only for handlers whose `rerun_when_stale` says their result does
# not depend on what the loser read (posting); for others it tells the caller of a lost update.
RETRIED = (TransactionConflict, ConnectionLost)
LOST_RETRIES = 2  # a restart breaks every pooled connection at once, and the pool renews them all


def backoff(attempt: int) -> float:
    """Seconds before retry `attempt`: random, so racing writers fall out of step; at most 50 ms."""
    return random.uniform(0, min(0.05, 0.001 * 2**attempt))


class MessageBus:
    """Runs one command per `handle` call and returns its result.

    A command that failed with one of RETRIED is run again from the start (a fresh transaction,
    which re-reads what changed), up to `retries` more times: this makes SERIALIZABLE isolation
    safe and survives a server restart. Its handler must do all its work in one `with uow:` block
    (as every handler does), so a failed run leaves nothing behind.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        command_handlers: Mapping[type, CommandHandler],
        event_handlers: Mapping[type, Sequence[EventHandler]] | None = None,
        retries: int = 10,
    ) -> None:
        self.uow = uow
        self.command_handlers = dict(command_handlers)
        self.event_handlers = {k: list(v) for k, v in (event_handlers or {}).items()}
        self.retries = retries

    def handle(self, command: Any) -> Any:
        try:
            handler = self.command_handlers[type(command)]
        except KeyError:
            raise TypeError(f"no handler for {type(command).__name__}") from None
        retried = (ConcurrencyError, ConnectionLost) if getattr(handler, "rerun_when_stale", False) else RETRIED
        lost = 0
        for attempt in range(self.retries + 1):
            try:
                result = handler(command)
                break
            except retried as exc:
                lost += isinstance(exc, ConnectionLost)
                if attempt == self.retries or lost > LOST_RETRIES:
                    raise
                log.info("retrying %s after %s", type(command).__name__, type(exc).__name__)
                time.sleep(backoff(attempt))
        self._publish(list(self.uow.collect_new_events()))
        return result

    def subscribe(self, event_type: type, handler: EventHandler) -> None:
        self.event_handlers.setdefault(event_type, []).append(handler)

    def _publish(self, events: list[DomainEvent]) -> None:
        while events:
            event = events.pop(0)
            for handler in self.event_handlers.get(type(event), []):
                try:
                    handler(event)
                except Exception:  # an event handler never undoes a committed command
                    log.exception("event handler %r failed on %r", handler, event)
            events.extend(self.uow.collect_new_events())
