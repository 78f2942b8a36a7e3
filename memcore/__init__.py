"""memcore: the persistence core AI-agent and chat applications embed.

    import memcore

    with memcore.connect("sqlite:///app.db") as app:      # or postgresql://…, mysql://…, memory://
        app.migrate()
        app.handle(memcore.StoreMemory("user:1:name", "Ann"))
        app.memory.get_value("user:1:name")

`connect` / `connect_async` build the application; the commands, views, errors and queries are
here and in `memcore.commands`, `memcore.views`, `memcore.errors` and `memcore.query`; the drop-in
APIs of the stores memcore replaces are under `memcore.compat`. Importing memcore connects to
nothing and loads no database driver.
"""

from typing import TYPE_CHECKING, Any

from memcore import views
from memcore.commands import *  # noqa: F403
from memcore.commands import __all__ as _commands
from memcore.errors import *  # noqa: F403
from memcore.errors import __all__ as _errors
from memcore.query import Field, Query

if TYPE_CHECKING:
    from memcore.infrastructure.app import AsyncMemcore as AsyncMemcore
    from memcore.infrastructure.app import Memcore as Memcore
    from memcore.infrastructure.app import connect as connect
    from memcore.infrastructure.app import connect_async as connect_async

__version__ = "0.1.0"

_APP = ("AsyncMemcore", "Memcore", "connect", "connect_async")

__all__ = ["__version__", *_APP, "Field", "Query", "views", *_errors, *_commands]


def __getattr__(name: str) -> Any:
    # The application pulls in SQLAlchemy and the container: loaded on first use, not at import.
    if name in _APP:
        from memcore.infrastructure import app

        return getattr(app, name)
    raise AttributeError(f"module 'memcore' has no attribute {name!r}")
