"""Drop-in for the PrismQ idea model and store: `IdeaInspiration`, `ContentType`, `SessionFactory`, the repository."""

from memcore.infrastructure.compat.ideas import *  # noqa: F403
from memcore.infrastructure.compat.ideas import __all__ as __all__
