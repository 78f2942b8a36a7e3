"""The frozen views the query use cases return, and the events a host can subscribe to."""

from memcore.application.checkpoints.views import CheckpointView
from memcore.application.conflicts.views import ConflictView
from memcore.application.conversations.views import ConversationView, KnowledgeChunkView, MessageView, UserView
from memcore.application.ideas.queries import GroupStats, ScoreBucket
from memcore.application.ideas.views import GroupTotals, IdeaView
from memcore.application.memory.views import CatalogEntryView, MemoryEntryView, SearchHit, SnapshotView
from memcore.domain.conflicts.events import ConflictEscalated, ConflictRecorded, ConflictResolved
from memcore.domain.conversations.events import ConversationArchived, ConversationStarted, MessagePosted, UserCreated
from memcore.domain.shared.events import DomainEvent

__all__ = [
    "CatalogEntryView",
    "CheckpointView",
    "ConflictEscalated",
    "ConflictRecorded",
    "ConflictResolved",
    "ConflictView",
    "ConversationArchived",
    "ConversationStarted",
    "ConversationView",
    "DomainEvent",
    "GroupStats",
    "GroupTotals",
    "IdeaView",
    "KnowledgeChunkView",
    "MemoryEntryView",
    "MessagePosted",
    "MessageView",
    "ScoreBucket",
    "SearchHit",
    "SnapshotView",
    "UserCreated",
    "UserView",
]
