"""Wires the use cases around one Unit of Work; the container and the tests both call this."""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import attrs

from memcore.application.checkpoints import commands as checkpoint_commands
from memcore.application.checkpoints import handlers as checkpoint_handlers
from memcore.application.checkpoints.queries import CheckpointQueries
from memcore.application.conflicts import commands, handlers, queries
from memcore.application.conversations import commands as chat_commands
from memcore.application.conversations import handlers as chat_handlers
from memcore.application.conversations.queries import ConversationQueries, KnowledgeQueries, UserQueries
from memcore.application.ideas import commands as idea_commands
from memcore.application.ideas import handlers as idea_handlers
from memcore.application.ideas.handlers import LegacyIdeaSource
from memcore.application.ideas.queries import IdeaQueries
from memcore.application.memory import commands as memory_commands
from memcore.application.memory import handlers as memory_handlers
from memcore.application.memory.queries import CatalogQueries, MemoryQueries
from memcore.application.memory.transaction import MemoryTransaction
from memcore.application.messagebus import EventHandler, MessageBus
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.conflicts.model import DEFAULT_MAX_ATTEMPTS, new_id, utc_now
from memcore.domain.conversations.model import new_id as new_uuid


@attrs.frozen
class Services:
    """What a host application embeds: the bus for commands and the query use cases."""

    bus: MessageBus
    get_conflict: queries.GetConflict
    pending_conflicts: queries.PendingConflicts
    count_conflicts: queries.CountConflicts
    ideas: IdeaQueries
    checkpoints: CheckpointQueries
    memory: MemoryQueries
    catalog: CatalogQueries
    memory_transaction: Callable[[], MemoryTransaction]
    users: UserQueries
    conversations: ConversationQueries
    knowledge: KnowledgeQueries


def _no_legacy_reader(path: str) -> LegacyIdeaSource:
    raise TypeError("build_services was given no open_legacy_source")


def build_services(
    uow: UnitOfWork,
    clock: Callable[[], datetime] = utc_now,
    id_factory: Callable[[], str] = new_id,
    max_failed_attempts: int = DEFAULT_MAX_ATTEMPTS,
    event_handlers: Mapping[type, Sequence[EventHandler]] | None = None,
    open_legacy_source: Callable[[str], LegacyIdeaSource] = _no_legacy_reader,
    uuid_factory: Callable[[], str] = new_uuid,
) -> Services:
    """`id_factory` names conflicts; `uuid_factory` the users, conversations, messages and chunks."""
    bus = MessageBus(
        uow,
        {
            commands.RecordConflict: handlers.RecordConflictHandler(uow, clock, id_factory),
            commands.ResolveConflict: handlers.ResolveConflictHandler(uow, clock),
            commands.RecordFailedAttempt: handlers.RecordFailedAttemptHandler(uow, max_failed_attempts),
            commands.EscalateConflict: handlers.EscalateConflictHandler(uow),
            commands.ClearUserConflicts: handlers.ClearUserConflictsHandler(uow),
            idea_commands.AddIdea: idea_handlers.AddIdeaHandler(uow, clock),
            idea_commands.AddIdeas: idea_handlers.AddIdeasHandler(uow, clock),
            idea_commands.UpsertIdea: idea_handlers.UpsertIdeaHandler(uow, clock),
            idea_commands.RemoveIdeas: idea_handlers.RemoveIdeasHandler(uow),
            idea_commands.ImportLegacyIdeas: idea_handlers.ImportLegacyIdeasHandler(uow, clock, open_legacy_source),
            checkpoint_commands.SaveCheckpoint: checkpoint_handlers.SaveCheckpointHandler(uow, clock),
            checkpoint_commands.DeleteThread: checkpoint_handlers.DeleteThreadHandler(uow),
            checkpoint_commands.PruneThread: checkpoint_handlers.PruneThreadHandler(uow),
            memory_commands.StoreMemory: memory_handlers.StoreMemoryHandler(uow, clock),
            memory_commands.StoreMemories: memory_handlers.StoreMemoriesHandler(uow, clock),
            memory_commands.DeleteMemory: memory_handlers.DeleteMemoryHandler(uow),
            memory_commands.ApplyMemoryOperations: memory_handlers.ApplyMemoryOperationsHandler(uow, clock),
            memory_commands.TrackCatalogEntry: memory_handlers.TrackCatalogEntryHandler(uow, clock),
            memory_commands.DeleteCatalogEntry: memory_handlers.DeleteCatalogEntryHandler(uow),
            memory_commands.CreateSnapshot: memory_handlers.CreateSnapshotHandler(uow, clock),
            memory_commands.StoreCatalogBatch: memory_handlers.StoreCatalogBatchHandler(uow, clock),
            memory_commands.CleanupExpired: memory_handlers.CleanupExpiredHandler(uow, clock),
            **_conversation_handlers(uow, clock, uuid_factory),
        },
        event_handlers,
    )
    return Services(
        bus=bus,
        get_conflict=queries.GetConflict(uow),
        pending_conflicts=queries.PendingConflicts(uow),
        count_conflicts=queries.CountConflicts(uow),
        ideas=IdeaQueries(uow),
        checkpoints=CheckpointQueries(uow),
        memory=MemoryQueries(uow),
        catalog=CatalogQueries(uow),
        memory_transaction=lambda: MemoryTransaction(uow, clock),
        users=UserQueries(uow),
        conversations=ConversationQueries(uow),
        knowledge=KnowledgeQueries(uow),
    )


def _conversation_handlers(uow: UnitOfWork, clock: Callable[[], datetime], id_factory: Callable[[], str]) -> dict:
    update = chat_handlers.UpdateConversationHandler(uow, clock)
    return {
        chat_commands.CreateUser: chat_handlers.CreateUserHandler(uow, clock, id_factory),
        chat_commands.GetOrCreateUser: chat_handlers.GetOrCreateUserHandler(uow, clock, id_factory),
        chat_commands.UpdateUser: chat_handlers.UpdateUserHandler(uow, clock),
        chat_commands.DeleteUser: chat_handlers.DeleteUserHandler(uow),
        chat_commands.StartConversation: chat_handlers.StartConversationHandler(uow, clock, id_factory),
        chat_commands.UpdateConversation: update,
        chat_commands.RenameConversation: update,
        chat_commands.ArchiveConversation: update,
        chat_commands.DeleteConversation: chat_handlers.DeleteConversationHandler(uow),
        chat_commands.PostMessage: chat_handlers.PostMessageHandler(uow, clock, id_factory),
        chat_commands.DeleteMessage: chat_handlers.DeleteMessageHandler(uow, clock),
        chat_commands.UpsertKnowledgeChunk: chat_handlers.UpsertKnowledgeChunkHandler(uow, clock, id_factory),
        chat_commands.BulkUpsertKnowledgeChunks: chat_handlers.BulkUpsertKnowledgeChunksHandler(uow, clock, id_factory),
        chat_commands.DeleteKnowledgeChunk: chat_handlers.DeleteKnowledgeChunkHandler(uow),
    }
