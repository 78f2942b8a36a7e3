"""Drop-in for the idea store: `SessionFactory(url).session()` and `SQLAlchemyIdeaInspirationRepository(session)`."""

from memcore.infrastructure.compat.ideas import *  # noqa: F403
from memcore.infrastructure.compat.ideas import __all__ as __all__
