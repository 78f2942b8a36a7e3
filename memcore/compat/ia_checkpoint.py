"""Drop-in for ia_modules' checkpointer: `from memcore.compat.ia_checkpoint import SQLCheckpointer`
(was `from ia_modules.checkpoint import SQLCheckpointer`), over `memcore.compat.nexusql.DatabaseManager`."""

from memcore.infrastructure.compat.ia_checkpoint import *  # noqa: F403
from memcore.infrastructure.compat.ia_checkpoint import __all__ as __all__
