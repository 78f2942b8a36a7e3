"""Drop-in for ia_modules' conversation memory: `from memcore.compat.ia_memory import SQLConversationMemory, Message`
(was `from ia_modules.memory.sql import SQLConversationMemory`), over
`memcore.compat.nexusql.DatabaseManager`."""

from memcore.infrastructure.compat.ia_memory import *  # noqa: F403
from memcore.infrastructure.compat.ia_memory import __all__ as __all__
