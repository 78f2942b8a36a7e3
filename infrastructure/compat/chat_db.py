"""The chat drop-in's engine and sessions (the replaced module's `db_config`): configured from the
environment when first needed, never at import; see infrastructure/compat/chat.py."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from memcore.infrastructure.compat.chat_session import ChatSession, JoinedUnitOfWork, reload_stale
from memcore.infrastructure.container import Container, container_for
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.mappers import start_mappers

_lock = threading.Lock()
_container: Container | None = None


def _current() -> Container:
    global _container
    with _lock:
        if _container is None:
            container = container_for(None)
            container.engine()  # the engine resource starts here, mappers included
            _container = container
        return _container


def get_engine() -> Engine:
    """The engine the environment configures, built on first use and then shared."""
    return _current().engine()


def get_database_url() -> str:
    """The URL the environment configures (the rules above), as the replaced module resolved it."""
    return Settings.from_env().url


def create_database_engine(url: str | None = None) -> Engine:
    """A new engine on `url` (else the environment's), set up as memcore sets every engine up; the
    caller disposes it. The shared one is get_engine()."""
    start_mappers()
    return build_engine(Settings.from_env().with_url(url))


def dispose_engine() -> None:
    """Close the engine's connections and forget it; the next call reads the environment again."""
    global _container
    with _lock:
        container, _container = _container, None
    if container is not None:
        container.shutdown_resources()


@contextmanager
def get_session() -> Iterator[ChatSession]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    container = _current()
    with container.uow() as uow:
        services = container.services(uow=JoinedUnitOfWork(uow))
        services.bus.retries = 0  # a use case inside a caller's transaction cannot be rerun alone
        yield ChatSession(uow, services)
        assert uow.session is not None
        reload_stale(uow.session)
        uow.commit()


session_scope = get_session  # the replaced module's other name for it


def init_db() -> None:
    """Create memcore's schema, the chat tables included, or bring it up to date (idempotent)."""
    migrate.upgrade(get_engine())


def drop_db() -> None:
    """Drop memcore's tables (every migration undone): the chat tables and those of the other contexts."""
    migrate.downgrade(get_engine(), "base")


def reset_db() -> None:
    """An empty, current schema: drop_db() then init_db()."""
    drop_db()
    init_db()
