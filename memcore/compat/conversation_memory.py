"""Conversation memory for agents: `SQLConversationMemory(Database(url))` and its asyncio twin."""

from memcore.infrastructure.compat.conversation_memory import *  # noqa: F403
from memcore.infrastructure.compat.conversation_memory import __all__ as __all__
