"""InMemoryUnitOfWork: transactions over a shared in-memory store, with real rollback."""

from collections.abc import Iterator
from typing import Self

from application.conflicts.views import RepositoryConflictViews
from application.ideas.views import RepositoryIdeaViews
from domain.shared.events import DomainEvent
from infrastructure.inmemory.conflicts import InMemoryConflictRepository
from infrastructure.inmemory.ideas import InMemoryIdeaRepository
from infrastructure.inmemory.store import InMemoryStore, merge, snapshot


class InMemoryUnitOfWork:
    """Each transaction works on a private copy; commit applies its row changes, anything else drops them."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store if store is not None else InMemoryStore()
        self.conflicts = InMemoryConflictRepository({})
        self.ideas = InMemoryIdeaRepository({}, self.store.idea_ids)
        self._base: dict = {}
        self._idea_base: dict = {}
        self._reader: InMemoryUnitOfWork | None = None

    @property
    def conflict_views(self) -> RepositoryConflictViews:
        # A unit of work of its own: reads see committed data, never this transaction's.
        if self._reader is None:
            self._reader = InMemoryUnitOfWork(self.store)
        return RepositoryConflictViews(self._reader)

    @property
    def idea_views(self) -> RepositoryIdeaViews:
        if self._reader is None:
            self._reader = InMemoryUnitOfWork(self.store)
        return RepositoryIdeaViews(self._reader)

    def __enter__(self) -> Self:
        self._base = snapshot(self.store.conflicts)
        self.conflicts = InMemoryConflictRepository(snapshot(self._base))
        self._idea_base = snapshot(self.store.ideas)
        self.ideas = InMemoryIdeaRepository(snapshot(self._idea_base), self.store.idea_ids)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def commit(self) -> None:
        # Check both before applying either, so a refused commit changes nothing.
        merge(self._base, self.conflicts.rows, {**self.store.conflicts}, "conflict")
        merge(self._idea_base, self.ideas.rows, {**self.store.ideas}, "idea", unique="source_id")
        merge(self._base, self.conflicts.rows, self.store.conflicts, "conflict")
        merge(self._idea_base, self.ideas.rows, self.store.ideas, "idea", unique="source_id")
        self._base = snapshot(self.conflicts.rows)
        self._idea_base = snapshot(self.ideas.rows)

    def rollback(self) -> None:
        self.conflicts.rows = snapshot(self._base)
        self.ideas.rows = snapshot(self._idea_base)

    def collect_new_events(self) -> Iterator[DomainEvent]:
        for aggregate in [*self.conflicts.seen, *self.ideas.seen]:
            while aggregate.events:
                yield aggregate.events.pop(0)
