"""Drop-in for the chat database layer's module-level API (`init_db`, `get_session`, `add_message`, ...)."""

from memcore.infrastructure.compat.chat import *  # noqa: F403
from memcore.infrastructure.compat.chat import __all__ as __all__
