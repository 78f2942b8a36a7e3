"""InMemoryUnitOfWork: transactions over a shared in-memory store, with real rollback."""

from collections.abc import Iterator
from typing import Self

import attrs

from domain.conflicts.model import MemoryConflict
from domain.shared.events import DomainEvent
from infrastructure.inmemory.conflicts import InMemoryConflictRepository, snapshot


@attrs.define
class InMemoryStore:
    """The committed state several units of work can share, like one database."""

    conflicts: dict[str, MemoryConflict] = attrs.field(factory=dict)


class InMemoryUnitOfWork:
    """Each transaction works on a private copy; commit publishes it, anything else drops it."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store if store is not None else InMemoryStore()
        self.conflicts = InMemoryConflictRepository({})
        self.committed = False

    def __enter__(self) -> Self:
        self.conflicts = InMemoryConflictRepository(snapshot(self.store.conflicts))
        self.committed = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self.store.conflicts = snapshot(self.conflicts.rows)
        self.committed = True

    def rollback(self) -> None:
        self.conflicts.rows = snapshot(self.store.conflicts)

    def collect_new_events(self) -> Iterator[DomainEvent]:
        for conflict in self.conflicts.seen:
            while conflict.events:
                yield conflict.events.pop(0)
