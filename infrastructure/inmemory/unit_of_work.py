"""InMemoryUnitOfWork: transactions over a shared in-memory store, with real rollback."""

from collections.abc import Callable, Iterator
from typing import Any, Self

import attrs

from memcore.application.checkpoints.views import RepositoryCheckpointViews
from memcore.application.conflicts.views import RepositoryConflictViews
from memcore.application.conversations.views import (
    RepositoryConversationViews,
    RepositoryKnowledgeViews,
    RepositoryUserViews,
)
from memcore.application.ideas.views import RepositoryIdeaViews
from memcore.application.memory.views import RepositoryCatalogViews, RepositoryMemoryViews
from memcore.domain.shared.events import DomainEvent
from memcore.infrastructure.inmemory.checkpoints import InMemoryCheckpointRepository
from memcore.infrastructure.inmemory.conflicts import InMemoryConflictRepository
from memcore.infrastructure.inmemory.conversations import InMemoryConversationRepository, MessageRows
from memcore.infrastructure.inmemory.ideas import InMemoryIdeaRepository
from memcore.infrastructure.inmemory.knowledge import InMemoryKnowledgeRepository
from memcore.infrastructure.inmemory.memory import (
    InMemoryCatalogRepository,
    InMemoryCatalogSnapshotRepository,
    InMemoryMemoryRepository,
)
from memcore.infrastructure.inmemory.store import InMemoryStore, merge, snapshot
from memcore.infrastructure.inmemory.users import InMemoryUserRepository


@attrs.frozen
class _Table:
    """One repository of the unit of work: its rows in the store and what must stay unique.

    `make` gets the rows, the store and the unit of work, whose earlier tables are already made
    (a repository that cascades deletes reaches the tables it cascades to through it).
    """

    name: str
    what: str
    make: Callable[[dict, InMemoryStore, Any], Any]
    unique: tuple[tuple[str, ...], ...] = ()
    versioned: bool = False


TABLES = (
    _Table("conflicts", "conflict", lambda rows, store, uow: InMemoryConflictRepository(rows)),
    _Table("ideas", "idea", lambda rows, store, uow: InMemoryIdeaRepository(rows, store.idea_ids), (("source_id",),)),
    _Table("checkpoints", "checkpoint", lambda rows, store, uow: InMemoryCheckpointRepository(rows),
           (("thread_id", "sequence"),)),
    _Table("memory", "memory entry", lambda rows, store, uow: InMemoryMemoryRepository(rows)),
    _Table("catalog", "catalog entry", lambda rows, store, uow: InMemoryCatalogRepository(rows)),
    _Table("catalog_snapshots", "catalog snapshot",
           lambda rows, store, uow: InMemoryCatalogSnapshotRepository(rows)),
    _Table("messages", "message", lambda rows, store, uow: MessageRows(rows)),
    _Table("conversations", "conversation",
           lambda rows, store, uow: InMemoryConversationRepository(rows, uow.messages), versioned=True),
    _Table("users", "user", lambda rows, store, uow: InMemoryUserRepository(rows, uow.conversations),
           (("external_id",), ("email_key",))),
    _Table("knowledge", "knowledge chunk", lambda rows, store, uow: InMemoryKnowledgeRepository(rows),
           (("source", "external_id"),)),
)  # fmt: skip


class InMemoryUnitOfWork:
    """Each transaction works on a private copy; commit applies its row changes, anything else drops them."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store if store is not None else InMemoryStore()
        self._base: dict[str, dict] = {table.name: {} for table in TABLES}
        for table in TABLES:
            setattr(self, table.name, table.make({}, self.store, self))
        self._reader: InMemoryUnitOfWork | None = None

    def _committed(self) -> "InMemoryUnitOfWork":
        # A unit of work of its own: reads see committed data, never this transaction's.
        if self._reader is None:
            self._reader = InMemoryUnitOfWork(self.store)
        return self._reader

    @property
    def conflict_views(self) -> RepositoryConflictViews:
        return RepositoryConflictViews(self._committed())

    @property
    def idea_views(self) -> RepositoryIdeaViews:
        return RepositoryIdeaViews(self._committed())

    @property
    def checkpoint_views(self) -> RepositoryCheckpointViews:
        return RepositoryCheckpointViews(self._committed())

    @property
    def memory_views(self) -> RepositoryMemoryViews:
        return RepositoryMemoryViews(self._committed())

    @property
    def catalog_views(self) -> RepositoryCatalogViews:
        return RepositoryCatalogViews(self._committed())

    @property
    def user_views(self) -> RepositoryUserViews:
        return RepositoryUserViews(self._committed())

    @property
    def conversation_views(self) -> RepositoryConversationViews:
        return RepositoryConversationViews(self._committed())

    @property
    def knowledge_views(self) -> RepositoryKnowledgeViews:
        return RepositoryKnowledgeViews(self._committed())

    def __enter__(self) -> Self:
        for table in TABLES:
            self._base[table.name] = snapshot(getattr(self.store, table.name))
            setattr(self, table.name, table.make(snapshot(self._base[table.name]), self.store, self))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rollback()

    def commit(self) -> None:
        self.conversations.flush()  # the messages conversations posted become rows
        # Check every table on a scratch copy first, so a refused commit changes nothing.
        for apply_to_store in (False, True):
            for table in TABLES:
                committed = getattr(self.store, table.name)
                target = committed if apply_to_store else dict(committed)
                merge(self._base[table.name], getattr(self, table.name).rows, target, table.what, table.unique,
                      table.versioned)  # fmt: skip
        for table in TABLES:
            self._base[table.name] = snapshot(getattr(self, table.name).rows)

    def rollback(self) -> None:
        for table in TABLES:
            getattr(self, table.name).rows = snapshot(self._base[table.name])

    def collect_new_events(self) -> Iterator[DomainEvent]:
        for table in TABLES:
            for aggregate in getattr(self, table.name).seen:
                while aggregate.events:
                    yield aggregate.events.pop(0)
