"""SqlAlchemyUnitOfWork: one session, one transaction, driver errors translated."""

import weakref
from collections.abc import Iterator
from typing import Any, Self

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import FlushError

from domain.shared.events import DomainEvent
from infrastructure.sqlalchemy.errors import translate, translating
from infrastructure.sqlalchemy.mappers import flag_changed_json
from infrastructure.sqlalchemy.repositories.catalog import (
    SqlAlchemyCatalogRepository,
    SqlAlchemyCatalogSnapshotRepository,
)
from infrastructure.sqlalchemy.repositories.checkpoints import SqlAlchemyCheckpointRepository
from infrastructure.sqlalchemy.repositories.conflicts import SqlAlchemyConflictRepository
from infrastructure.sqlalchemy.repositories.ideas import SqlAlchemyIdeaRepository
from infrastructure.sqlalchemy.repositories.memory import SqlAlchemyMemoryRepository
from infrastructure.sqlalchemy.views.catalog import SqlAlchemyCatalogViews
from infrastructure.sqlalchemy.views.checkpoints import SqlAlchemyCheckpointViews
from infrastructure.sqlalchemy.views.conflicts import SqlAlchemyConflictViews
from infrastructure.sqlalchemy.views.ideas import SqlAlchemyIdeaViews
from infrastructure.sqlalchemy.views.memory import SqlAlchemyMemoryViews

_views_by_engine: "weakref.WeakKeyDictionary[Engine, dict[type, Any]]" = weakref.WeakKeyDictionary()


def _views(engine: Engine, kind: type) -> Any:
    # One per engine: a fast reader keeps a connection per thread, which must not multiply.
    built = _views_by_engine.setdefault(engine, {})
    if kind not in built:
        built[kind] = kind(engine)
    return built[kind]


REPOSITORIES: dict[str, type] = {
    "conflicts": SqlAlchemyConflictRepository,
    "ideas": SqlAlchemyIdeaRepository,
    "checkpoints": SqlAlchemyCheckpointRepository,
    "memory": SqlAlchemyMemoryRepository,
    "catalog": SqlAlchemyCatalogRepository,
    "catalog_snapshots": SqlAlchemyCatalogSnapshotRepository,
}


class SqlAlchemyUnitOfWork:
    """`with uow:` begins; `commit()` commits; leaving the block rolls back what is left."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory
        self.session: Session | None = None
        self._seen_repositories: list[Any] = []
        engine = session_factory.kw["bind"]
        self.conflict_views = SqlAlchemyConflictViews(engine)
        self.idea_views = _views(engine, SqlAlchemyIdeaViews)
        self.checkpoint_views = SqlAlchemyCheckpointViews(engine)
        self.memory_views = _views(engine, SqlAlchemyMemoryViews)
        self.catalog_views = _views(engine, SqlAlchemyCatalogViews)

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        for name in REPOSITORIES:  # the previous transaction's repositories
            self.__dict__.pop(name, None)
        self._seen_repositories = []
        return self

    def __getattr__(self, name: str) -> Any:
        # Repositories are built on first use in each transaction: a command touches one or two.
        kind = REPOSITORIES.get(name)
        if kind is None or self.__dict__.get("session") is None:
            raise AttributeError(name)
        with translating():
            repository = kind(self.session)
        self.__dict__[name] = repository
        self._seen_repositories.append(repository)
        return repository

    def _release_cursors(self) -> None:
        # The session hands its connection back to the pool when the transaction ends.
        for repository in self._seen_repositories:
            repository.close()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self.session is not None
        self._release_cursors()
        # close() rolls back whatever was not committed and detaches the loaded objects
        # without expiring them, so views built from them stay readable.
        with translating():
            self.session.close()
        if isinstance(exc, (SQLAlchemyError, FlushError)):
            raise translate(exc) from exc

    def commit(self) -> None:
        assert self.session is not None, "commit() outside `with uow:`"
        with translating():
            try:
                flag_changed_json(self.session.identity_map.values())
                self._release_cursors()
                self.session.commit()
            except Exception:
                self.session.rollback()
                raise

    def rollback(self) -> None:
        assert self.session is not None
        self._release_cursors()
        with translating():
            self.session.rollback()

    def collect_new_events(self) -> Iterator[DomainEvent]:
        for repository in self._seen_repositories:
            for aggregate in repository.seen:
                while aggregate.events:
                    yield aggregate.events.pop(0)
