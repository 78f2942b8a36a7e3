"""The application a host embeds: `connect(url)` builds it on the container, `close()` ends it.

`Memcore` fronts the composition root (infrastructure/container.py): commands go through
`handle`, the query views of every context are attributes, and `migrate()` brings the schema to
the head revision. Each thread gets its own Unit of Work and bus (a Unit of Work is one
transaction at a time), all on one engine and pool. `AsyncMemcore` is the asyncio counterpart:
the raw-SQL `AsyncDatabase` and the checkpointer are natively async, and the use cases run in a
worker thread so they never block the event loop.
"""

import asyncio
import threading
import weakref
from collections.abc import Callable
from typing import Any, Self, TypeVar

import attrs
from dependency_injector import providers

from memcore.application.bootstrap import Services
from memcore.application.checkpoints.queries import CheckpointQueries
from memcore.application.conflicts import queries as conflict_queries
from memcore.application.conversations.queries import ConversationQueries, KnowledgeQueries, UserQueries
from memcore.application.ideas.queries import IdeaQueries
from memcore.application.memory.queries import CatalogQueries, MemoryQueries
from memcore.application.memory.transaction import MemoryTransaction
from memcore.application.messagebus import EventHandler, MessageBus
from memcore.domain.shared.errors import InvalidInput, StorageUnavailable
from memcore.infrastructure.container import Container, container_for
from memcore.infrastructure.inmemory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from memcore.infrastructure.settings import Settings

IN_MEMORY_URL = "memory://"
_T = TypeVar("_T")


def resolve_settings(url: str | None, options: dict[str, Any]) -> Settings:
    """The environment's settings, with `url` and the named settings laid over them."""
    base = Settings.from_env().with_url(url)
    known = {field.name for field in attrs.fields(Settings)} - {"url"}
    unknown = set(options) - known
    if unknown:
        raise InvalidInput(f"unknown settings: {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    return attrs.evolve(base, **options)


class Memcore:
    """memcore on one database: `handle(command)`, the query views, `migrate()`, `close()`."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self._local = threading.local()
        self._lock = threading.Lock()
        self._buses: weakref.WeakSet[MessageBus] = weakref.WeakSet()
        self._event_handlers: dict[type, list[EventHandler]] = {}
        self._database: Any = None
        self._closed = False

    def __repr__(self) -> str:
        return f"Memcore({self.url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def settings(self) -> Settings:
        return self.container.settings()

    @property
    def url(self) -> str:
        """The database URL, its password masked."""
        return self.settings.masked_url

    @property
    def in_memory(self) -> bool:
        return self.settings.url == IN_MEMORY_URL

    # -- lifecycle

    def migrate(self, revision: str = "head") -> None:
        """Bring memcore's schema to `revision` (idempotent); the in-memory store needs none."""
        if self.in_memory:
            return
        from memcore.infrastructure.sqlalchemy import migrate

        migrate.upgrade(self._live().engine(), revision)

    def revision(self) -> str | None:
        """The schema revision the database is at (None: never migrated)."""
        if self.in_memory:
            return None
        from memcore.infrastructure.sqlalchemy import migrate

        return migrate.current(self._live().engine())

    def close(self) -> None:
        """Dispose of the pool; later calls raise StorageUnavailable. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._database is not None:
            self._database.close()
        self.container.shutdown_resources()

    # -- commands and events

    @property
    def services(self) -> Services:
        """This thread's use cases (built on first use)."""
        services = getattr(self._local, "services", None)
        if services is None:
            with self._lock:
                self._live()
                services = self.container.services(event_handlers=self._event_handlers)
                self._buses.add(services.bus)
            self._local.services = services
        elif self._closed:
            self._live()
        return services

    @property
    def bus(self) -> MessageBus:
        return self.services.bus

    def handle(self, command: Any) -> Any:
        """Run one command in its own transaction; returns its result, raises a MemcoreError."""
        return self.services.bus.handle(command)

    def subscribe(self, event_type: type, handler: EventHandler) -> None:
        """Call `handler(event)` after every commit that raised an `event_type` event, on every thread."""
        with self._lock:
            self._event_handlers.setdefault(event_type, []).append(handler)
            for bus in self._buses:
                bus.subscribe(event_type, handler)

    # -- query views

    @property
    def get_conflict(self) -> conflict_queries.GetConflict:
        return self.services.get_conflict

    @property
    def pending_conflicts(self) -> conflict_queries.PendingConflicts:
        return self.services.pending_conflicts

    @property
    def count_conflicts(self) -> conflict_queries.CountConflicts:
        return self.services.count_conflicts

    @property
    def ideas(self) -> IdeaQueries:
        return self.services.ideas

    @property
    def checkpoints(self) -> CheckpointQueries:
        return self.services.checkpoints

    @property
    def memory(self) -> MemoryQueries:
        return self.services.memory

    @property
    def catalog(self) -> CatalogQueries:
        return self.services.catalog

    def memory_transaction(self) -> MemoryTransaction:
        """Several memory writes as one: `with app.memory_transaction() as tx: tx.store(...)`."""
        return self.services.memory_transaction()

    @property
    def users(self) -> UserQueries:
        return self.services.users

    @property
    def conversations(self) -> ConversationQueries:
        return self.services.conversations

    @property
    def knowledge(self) -> KnowledgeQueries:
        return self.services.knowledge

    @property
    def database(self) -> Any:
        """The raw-SQL `Database` on the same URL (its own small pool), made on first use."""
        if self.in_memory:
            raise InvalidInput("the in-memory store has no SQL database")
        with self._lock:
            self._live()
            if self._database is None:
                from memcore.infrastructure.sqlalchemy.database import Database

                settings = self.settings
                self._database = Database(settings.url, **_engine_options(settings))
        return self._database

    def _live(self) -> Container:
        if self._closed:
            raise StorageUnavailable(f"memcore on {self.url} is closed")
        return self.container


def _engine_options(settings: Settings) -> dict[str, Any]:
    """The settings as the raw-SQL databases' keyword options (pool, timeouts, isolation, ...)."""
    options = attrs.asdict(settings)
    del options["url"]
    return options


def connect(url: str | None = None, **settings: Any) -> Memcore:
    """memcore on `url` (else DATABASE_URL / DB_* settings, else SQLite `memcore.db`).

    `settings` are the named settings of infrastructure/settings.py (`pool_size=10`, `echo=True`,
    `isolation_level="SERIALIZABLE"`, ...). `"memory://"` gives the in-memory adapters, for a host's
    tests. Nothing connects until first use; call `migrate()` once to create or upgrade the schema.
    """
    resolved = resolve_settings(url, settings)
    container = container_for(settings=resolved)
    if resolved.url == IN_MEMORY_URL:
        container.uow.override(providers.Factory(InMemoryUnitOfWork, store=providers.Singleton(InMemoryStore)))
    return Memcore(container)


class AsyncMemcore:
    """The asyncio counterpart of `Memcore`, on the same database.

    `database` (raw SQL) and `checkpointer` are async all the way to the driver; `handle(command)`
    and `query(fn)` run the synchronous use cases in a worker thread.
    """

    def __init__(self, app: Memcore) -> None:
        self.app = app
        self._database: Any = None
        self._checkpointer: Any = None

    def __repr__(self) -> str:
        return f"AsyncMemcore({self.app.url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        return self.app.url

    @property
    def database(self) -> Any:
        """The `AsyncDatabase` on the same URL, made on first use."""
        if self._database is None:
            if self.app.in_memory:
                raise InvalidInput("the in-memory store has no SQL database")
            self.app._live()
            from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase

            settings = self.app.settings
            self._database = AsyncDatabase(settings.url, **_engine_options(settings))
        return self._database

    @property
    def checkpointer(self) -> Any:
        """The async checkpointer (`SQLCheckpointer`) over `database`."""
        if self._checkpointer is None:
            from memcore.infrastructure.compat.checkpoints import SQLCheckpointer

            self._checkpointer = SQLCheckpointer(self.database)
        return self._checkpointer

    async def migrate(self, revision: str = "head") -> None:
        await asyncio.to_thread(self.app.migrate, revision)

    async def handle(self, command: Any) -> Any:
        """Run one command in a worker thread (its own Unit of Work), without blocking the loop."""
        return await asyncio.to_thread(self.app.handle, command)

    async def query(self, read: Callable[[Memcore], _T]) -> _T:
        """`await app.query(lambda m: m.memory.get("k"))`: a read on the use cases, in a worker thread."""
        return await asyncio.to_thread(read, self.app)

    def subscribe(self, event_type: type, handler: EventHandler) -> None:
        self.app.subscribe(event_type, handler)

    async def close(self) -> None:
        if self._database is not None:
            await self._database.close()
        await asyncio.to_thread(self.app.close)


def connect_async(url: str | None = None, **settings: Any) -> AsyncMemcore:
    """`async with memcore.connect_async(url) as app:` — see `connect` for the arguments."""
    return AsyncMemcore(connect(url, **settings))
