"""The Unit of Work port: one transaction, one attribute per repository."""

from collections.abc import Iterator
from typing import Protocol, Self

from application.checkpoints.views import CheckpointViews
from application.conflicts.views import ConflictViews
from application.conversations.views import ConversationViews, KnowledgeViews, UserViews
from application.ideas.views import IdeaViews
from application.memory.views import CatalogViews, MemoryViews
from domain.checkpoints.ports import CheckpointRepository
from domain.conflicts.ports import ConflictRepository
from domain.conversations.ports import ConversationRepository, KnowledgeRepository, UserRepository
from domain.ideas.ports import IdeaRepository
from domain.memory.ports import CatalogRepository, CatalogSnapshotRepository, MemoryRepository
from domain.shared.events import DomainEvent


class UnitOfWork(Protocol):
    """`with uow:` opens a transaction; only `commit()` makes its writes durable.

    Leaving the block without commit, or with an exception, rolls back.
    """

    conflicts: ConflictRepository
    conflict_views: ConflictViews  # reads outside the transaction, for the query use cases
    ideas: IdeaRepository
    idea_views: IdeaViews
    checkpoints: CheckpointRepository
    checkpoint_views: CheckpointViews
    memory: MemoryRepository
    memory_views: MemoryViews
    catalog: CatalogRepository
    catalog_snapshots: CatalogSnapshotRepository
    catalog_views: CatalogViews
    users: UserRepository
    user_views: UserViews
    conversations: ConversationRepository
    conversation_views: ConversationViews
    knowledge: KnowledgeRepository
    knowledge_views: KnowledgeViews

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def collect_new_events(self) -> Iterator[DomainEvent]: ...
