"""Dispatches commands to their handler, then the events the touched aggregates raised."""

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.shared.errors import TransactionConflict
from memcore.domain.shared.events import DomainEvent

log = logging.getLogger(__name__)

CommandHandler = Callable[[Any], Any]
EventHandler = Callable[[DomainEvent], None]


class MessageBus:
    """Runs one command per `handle` call and returns its result.

    A command whose transaction the database aborted (serialization failure, deadlock) is run
    again from the start, up to `retries` more times, which makes SERIALIZABLE isolation safe.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        command_handlers: Mapping[type, CommandHandler],
        event_handlers: Mapping[type, Sequence[EventHandler]] | None = None,
        retries: int = 3,
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
        for attempt in range(self.retries + 1):
            try:
                result = handler(command)
                break
            except TransactionConflict:
                if attempt == self.retries:
                    raise
                log.info("retrying %s after a transaction conflict", type(command).__name__)
                time.sleep(random.uniform(0, 0.002 * 2**attempt))  # out of step with the other writer
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
