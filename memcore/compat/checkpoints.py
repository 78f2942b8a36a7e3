"""Drop-in for the async pipeline checkpointer: `SQLCheckpointer(AsyncDatabase(url))`."""

from memcore.infrastructure.compat.checkpoints import *  # noqa: F403
from memcore.infrastructure.compat.checkpoints import __all__ as __all__
