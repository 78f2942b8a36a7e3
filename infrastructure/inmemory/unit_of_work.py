"""InMemoryUnitOfWork: transactions over a shared in-memory store, with real rollback."""

from collections.abc import Iterator
from typing import Self

from application.conflicts.views import RepositoryConflictViews
from domain.shared.events import DomainEvent
from infrastructure.inmemory.conflicts import InMemoryConflictRepository
from infrastructure.inmemory.store import InMemoryStore, merge, snapshot


class InMemoryUnitOfWork:
    """Each transaction works on a private copy; commit applies its row changes, anything else drops them."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store if store is not None else InMemoryStore()
        self.conflicts = InMemoryConflictRepository({})
        self._base: dict = {}
        self._reader: InMemoryUnitOfWork | None = None

    @property
    def conflict_views(self) -> RepositoryConflictViews:
        # A unit of work of its own: reads see committed data, never this transaction's.
        if self._reader is None:
            self._reader = InMemoryUnitOfWork(self.store)
        return RepositoryConflictViews(self._reader)

    def __enter__(self) -> Self:
        self._base = snapshot(self.store.conflicts)
        self.conflicts = InMemoryConflictRepository(snapshot(self._base))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def commit(self) -> None:
        merge(self._base, self.conflicts.rows, self.store.conflicts, "conflict")
        self._base = snapshot(self.conflicts.rows)

    def rollback(self) -> None:
        self.conflicts.rows = snapshot(self._base)

    def collect_new_events(self) -> Iterator[DomainEvent]:
        for conflict in self.conflicts.seen:
            while conflict.events:
                yield conflict.events.pop(0)
