"""SqlAlchemyUnitOfWork: one transaction, its ORM session made on first use, driver errors translated."""

import contextlib
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Self

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import FlushError

from memcore.domain.shared.errors import CommitOutcomeUnknown, ConnectionLost
from memcore.domain.shared.events import DomainEvent
from memcore.infrastructure.sqlalchemy.engine import WRITER, invalidate_pool, sqlite_begin_sql
from memcore.infrastructure.sqlalchemy.errors import translate, translate_driver, translating
from memcore.infrastructure.sqlalchemy.mappers import flag_changed_json
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from memcore.infrastructure.sqlalchemy.repositories.catalog import (
    SqlAlchemyCatalogRepository,
    SqlAlchemyCatalogSnapshotRepository,
)
from memcore.infrastructure.sqlalchemy.repositories.checkpoints import SqlAlchemyCheckpointRepository
from memcore.infrastructure.sqlalchemy.repositories.conflicts import SqlAlchemyConflictRepository
from memcore.infrastructure.sqlalchemy.repositories.conversations import SqlAlchemyConversationRepository
from memcore.infrastructure.sqlalchemy.repositories.ideas import SqlAlchemyIdeaRepository
from memcore.infrastructure.sqlalchemy.repositories.knowledge import SqlAlchemyKnowledgeRepository
from memcore.infrastructure.sqlalchemy.repositories.memory import SqlAlchemyMemoryRepository
from memcore.infrastructure.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from memcore.infrastructure.sqlalchemy.sqlite_lock import begin_waiting
from memcore.infrastructure.sqlalchemy.views.catalog import SqlAlchemyCatalogViews
from memcore.infrastructure.sqlalchemy.views.checkpoints import SqlAlchemyCheckpointViews
from memcore.infrastructure.sqlalchemy.views.conflicts import SqlAlchemyConflictViews
from memcore.infrastructure.sqlalchemy.views.conversations import SqlAlchemyChatViews
from memcore.infrastructure.sqlalchemy.views.ideas import SqlAlchemyIdeaViews
from memcore.infrastructure.sqlalchemy.views.memory import SqlAlchemyMemoryViews

_views_by_engine: "weakref.WeakKeyDictionary[Engine, dict[type, Any]]" = weakref.WeakKeyDictionary()
_writers: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()


def _writer(engine: Engine) -> Engine:
    """The engine whose connections begin as writers (BEGIN IMMEDIATE on SQLite, engine.py)."""
    writer = _writers.get(engine)
    if writer is None:
        writer = _writers[engine] = engine.execution_options(**{WRITER: True})
    return writer


def _views(engine: Engine, kind: type) -> Any:
    # One per engine: a fast reader keeps a connection per thread, which must not multiply.
    if engine not in _views_by_engine:
        _views_by_engine[engine] = {}
        if not event.contains(engine, "engine_disposed", _forget_views):
            event.listen(engine, "engine_disposed", _forget_views)
    built = _views_by_engine[engine]
    if kind not in built:
        built[kind] = kind(engine)
    return built[kind]


def _forget_views(engine: Engine) -> None:
    """On `engine.dispose()`: close the views' reading connections (checked out, so the pool's
    dispose leaves them open) and forget the views; using the engine again builds new ones."""
    for views in _views_by_engine.pop(engine, {}).values():
        reader = getattr(views, "reader", None)
        if reader is not None:
            reader.close_all()


_REPOSITORIES: dict[str, Callable[[Any], Any]] = {
    "conflicts": SqlAlchemyConflictRepository,
    "ideas": SqlAlchemyIdeaRepository,
    "checkpoints": SqlAlchemyCheckpointRepository,
    "conversations": SqlAlchemyConversationRepository,
    "users": lambda uow: SqlAlchemyUserRepository(uow, uow.conversations),
    "knowledge": SqlAlchemyKnowledgeRepository,
    "memory": SqlAlchemyMemoryRepository,
    "catalog": SqlAlchemyCatalogRepository,
    "catalog_snapshots": SqlAlchemyCatalogSnapshotRepository,
}


class SqlAlchemyUnitOfWork:
    """`with uow:` begins; `commit()` commits; leaving the block rolls back what is left.

    The ORM session is made when something first needs it (reads of mapped aggregates, the
    drop-in API). A unit of work whose work all takes the lean route (repositories/cursor.py:
    posting to a conversation, storing a memory or catalog entry, a bulk load of ideas) runs its
    transaction on a pooled DB-API connection instead, skipping the session's transaction
    machinery; a session needed later joins that same transaction.

    On SQLite a unit of work begins as a writer (BEGIN IMMEDIATE): concurrent writers queue for
    the lock within the busy timeout instead of failing over a stale snapshot. Reads that need no
    transaction go through the views. A connection found broken is invalidated (see
    `invalidate_pool`); a break before COMMIT raises ConnectionLost (nothing written, the bus runs
    the command again), a break during COMMIT raises CommitOutcomeUnknown (never retried).
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory
        self.engine: Engine = session_factory.kw["bind"]
        self._bind = _writer(self.engine) if self.engine.dialect.name == "sqlite" else self.engine
        self._open = False
        self._session: Session | None = None
        self._pooled: Any = None  # the DB-API connection of a transaction begun without a session
        self._joined: Connection | None = None  # the session's connection when it joined one
        self._seen_repositories: list[Any] = []
        self.conflict_views = _views(self.engine, SqlAlchemyConflictViews)
        self.idea_views = _views(self.engine, SqlAlchemyIdeaViews)
        self.checkpoint_views = SqlAlchemyCheckpointViews(self.engine)
        self.memory_views = _views(self.engine, SqlAlchemyMemoryViews)
        self.catalog_views = _views(self.engine, SqlAlchemyCatalogViews)
        chat_views = _views(self.engine, SqlAlchemyChatViews)
        self.user_views = chat_views.users
        self.conversation_views = chat_views.conversations
        self.knowledge_views = chat_views.knowledge

    @property
    def dialect(self) -> Dialect:
        return self.engine.dialect

    @property
    def session(self) -> Session | None:
        """The transaction's ORM session, made on first use; None outside `with uow:`. Objects the
        repositories inserted on the lean route join it first (see SqlAlchemyRepository.settle)."""
        if self._session is None and self._open:
            with translating():
                if self._pooled is None:
                    self._session = self.session_factory(bind=self._bind)
                else:  # join the transaction begun on the pooled connection
                    self._joined = Connection(self.engine, self._pooled)
                    self._pooled = None
                    self._session = self.session_factory(bind=self._joined)
        if self._session is not None:
            for repository in self._seen_repositories:
                if isinstance(repository, SqlAlchemyRepository):
                    repository.settle(self._session)
        return self._session

    @property
    def made_session(self) -> Session | None:
        """The session if something has made it (unlike `session`, this never makes one)."""
        return self._session

    def driver_connection(self) -> Any:
        """The DB-API connection of the transaction: the session's if it has one, else a pooled
        connection on which this begins the transaction. Driver errors are the caller's to translate."""
        if self._session is not None:
            with translating():
                return self._session.connection().connection.driver_connection
        if self._pooled is None:
            pooled = self.engine.raw_connection()
            if self.dialect.name == "sqlite":  # pysqlite leaves BEGIN to us (engine.py)
                try:
                    driver = pooled.driver_connection
                    begin_waiting(lambda: driver.execute(sqlite_begin_sql(writer=True)), driver)
                except BaseException:
                    pooled.close()
                    raise
            self._pooled = pooled
        return self._pooled.driver_connection

    def invalidate(self, exc: BaseException) -> None:
        """The transaction's connection broke: it is dropped, never pooled again (see invalidate_pool)."""
        if self._pooled is not None:
            invalidate_pool(self.engine, self._pooled, exc)
        elif self._joined is not None:
            with contextlib.suppress(Exception):
                self._joined.invalidate(exc)
        elif self._session is not None:
            with contextlib.suppress(Exception):
                self._session.connection().invalidate(exc)

    def __enter__(self) -> Self:
        self._open = True
        for name in _REPOSITORIES:  # the last transaction's repositories go; new ones come on first use
            self.__dict__.pop(name, None)
        self._seen_repositories = []
        return self

    def __getattr__(self, name: str) -> Any:
        """A repository, made when the transaction first uses it (most use only one or two)."""
        make = _REPOSITORIES.get(name)
        if make is None or not self.__dict__.get("_open"):
            raise AttributeError(name)
        with translating():
            repository = make(self)
        setattr(self, name, repository)
        self._seen_repositories.append(repository)
        return repository

    def _release_cursors(self) -> None:
        # The session hands its connection back to the pool when the transaction ends.
        for repository in self._seen_repositories:
            repository.close()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self._open
        self._open = False
        self._release_cursors()
        # close() rolls back whatever was not committed and detaches the loaded objects
        # without expiring them, so views built from them stay readable.
        session, joined, self._session, self._joined = self._session, self._joined, None, None
        with translating():
            self._end_lean(commit=False)
            if session is not None:
                session.close()
            if joined is not None:
                joined.close()
        if isinstance(exc, (SQLAlchemyError, FlushError)):
            raise translate(exc) from exc

    def _end_lean(self, commit: bool) -> None:
        """End what the lean route began: a pooled connection commits or rolls back and returns to
        the pool (the next statement begins anew). When a session joined that transaction it has
        ended only what it began itself (nothing, if it ran no statement), so the joined DB-API
        connection ends the rest (a no-op when the session already did)."""
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            driver = pooled
        elif self._joined is not None and not self._joined.invalidated:
            driver = self._joined.connection
        else:
            return
        try:
            if not driver.is_valid:  # broken and dropped (invalidate): the server ended the transaction
                if commit:
                    raise ConnectionLost("lost the database connection before the commit; nothing was written")
                return
            driver.commit() if commit else driver.rollback()
        except self.dialect.loaded_dbapi.Error as exc:
            gone = self.dialect.is_disconnect(exc, driver.driver_connection, None)
            if gone:
                invalidate_pool(self.engine, driver, exc)
            error = translate_driver(exc, self.dialect, "COMMIT" if commit else "ROLLBACK", gone)
            raise (_commit_unknown(error) if commit and isinstance(error, ConnectionLost) else error) from exc
        finally:
            if pooled is not None:
                pooled.close()  # the pool resets (or discards) a connection left in a bad state

    def flush(self) -> None:
        """Write everything pending (changed JSON, posted messages, version checks) without committing."""
        assert self._open, "flush() outside `with uow:`"
        with translating():
            for repository in self._seen_repositories:  # what the lean route holds (conversations, inserts)
                repository.flush()
            if self._session is not None:
                flag_changed_json(self._session.identity_map.values())
                self._session.flush()

    def commit(self) -> None:
        assert self._open, "commit() outside `with uow:`"
        with translating():
            try:
                self.flush()
                self._release_cursors()
                try:
                    if self._session is not None:
                        self._session.commit()
                except (SQLAlchemyError, FlushError) as exc:
                    error = translate(exc)
                    raise (_commit_unknown(error) if isinstance(error, ConnectionLost) else error) from exc
                self._end_lean(commit=True)
            except Exception:
                self.rollback()
                raise

    def rollback(self) -> None:
        assert self._open
        self._release_cursors()
        for repository in self._seen_repositories:
            repository.rolled_back()
        with translating():
            if self._session is not None:
                self._session.rollback()
            self._end_lean(commit=False)

    def collect_new_events(self) -> Iterator[DomainEvent]:
        for repository in self._seen_repositories:
            for aggregate in repository.seen:
                while aggregate.events:
                    yield aggregate.events.pop(0)


def _commit_unknown(lost: Exception) -> CommitOutcomeUnknown:
    return CommitOutcomeUnknown(
        f"{lost}; the connection broke during COMMIT, so the write may or may not be stored "
        "(read it back before writing it again)"
    )
