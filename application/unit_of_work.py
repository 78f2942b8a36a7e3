"""The Unit of Work port: one transaction, one attribute per repository."""

from collections.abc import Iterator
from typing import Protocol, Self

from memcore.application.checkpoints.views import CheckpointViews
from memcore.application.conflicts.views import ConflictViews
from memcore.application.conversations.views import ConversationViews, KnowledgeViews, UserViews
from memcore.application.ideas.views import IdeaViews
from memcore.application.memory.views import CatalogViews, MemoryViews
from memcore.domain.checkpoints.ports import CheckpointRepository
from memcore.domain.conflicts.ports import ConflictRepository
from memcore.domain.conversations.ports import ConversationRepository, KnowledgeRepository, UserRepository
from memcore.domain.ideas.ports import IdeaRepository
from memcore.domain.memory.ports import CatalogRepository, CatalogSnapshotRepository, MemoryRepository
from memcore.domain.shared.events import DomainEvent


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
