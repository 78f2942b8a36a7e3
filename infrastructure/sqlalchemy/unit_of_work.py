"""SqlAlchemyUnitOfWork: one session, one transaction, driver errors translated."""

import weakref
from collections.abc import Callable, Iterator
from typing import Any, Self

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import FlushError

from domain.shared.events import DomainEvent
from infrastructure.sqlalchemy.errors import translate, translating
from infrastructure.sqlalchemy.mappers import flag_changed_json
from infrastructure.sqlalchemy.repositories.checkpoints import SqlAlchemyCheckpointRepository
from infrastructure.sqlalchemy.repositories.conflicts import SqlAlchemyConflictRepository
from infrastructure.sqlalchemy.repositories.conversations import SqlAlchemyConversationRepository
from infrastructure.sqlalchemy.repositories.ideas import SqlAlchemyIdeaRepository
from infrastructure.sqlalchemy.repositories.knowledge import SqlAlchemyKnowledgeRepository
from infrastructure.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from infrastructure.sqlalchemy.views.checkpoints import SqlAlchemyCheckpointViews
from infrastructure.sqlalchemy.views.conflicts import SqlAlchemyConflictViews
from infrastructure.sqlalchemy.views.conversations import SqlAlchemyChatViews
from infrastructure.sqlalchemy.views.ideas import SqlAlchemyIdeaViews

_views_by_engine: "weakref.WeakKeyDictionary[Engine, SqlAlchemyIdeaViews]" = weakref.WeakKeyDictionary()
_chat_views_by_engine: "weakref.WeakKeyDictionary[Engine, SqlAlchemyChatViews]" = weakref.WeakKeyDictionary()


def _idea_views(engine: Engine) -> SqlAlchemyIdeaViews:
    # One per engine: its fast reader keeps a connection per thread, which must not multiply.
    if engine not in _views_by_engine:
        _views_by_engine[engine] = SqlAlchemyIdeaViews(engine)
    return _views_by_engine[engine]


def _chat_views(engine: Engine) -> SqlAlchemyChatViews:
    if engine not in _chat_views_by_engine:
        _chat_views_by_engine[engine] = SqlAlchemyChatViews(engine)
    return _chat_views_by_engine[engine]


_REPOSITORIES: dict[str, Callable[[Any], Any]] = {
    "conflicts": lambda uow: SqlAlchemyConflictRepository(uow.session),
    "ideas": lambda uow: SqlAlchemyIdeaRepository(uow.session),
    "checkpoints": lambda uow: SqlAlchemyCheckpointRepository(uow.session),
    "conversations": lambda uow: SqlAlchemyConversationRepository(uow.session),
    "users": lambda uow: SqlAlchemyUserRepository(uow.session, uow.conversations),
    "knowledge": lambda uow: SqlAlchemyKnowledgeRepository(uow.session),
}


class SqlAlchemyUnitOfWork:
    """`with uow:` begins; `commit()` commits; leaving the block rolls back what is left."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory
        self.session: Session | None = None
        self._seen_repositories: list[Any] = []
        engine = session_factory.kw["bind"]
        self.conflict_views = SqlAlchemyConflictViews(engine)
        self.idea_views = _idea_views(engine)
        self.checkpoint_views = SqlAlchemyCheckpointViews(engine)
        chat_views = _chat_views(engine)
        self.user_views = chat_views.users
        self.conversation_views = chat_views.conversations
        self.knowledge_views = chat_views.knowledge

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        for name in _REPOSITORIES:  # the last transaction's repositories go; new ones come on first use
            self.__dict__.pop(name, None)
        self._seen_repositories = []
        return self

    def __getattr__(self, name: str) -> Any:
        """A repository, made when the transaction first uses it (most use only one or two)."""
        make = _REPOSITORIES.get(name)
        if make is None or self.__dict__.get("session") is None:
            raise AttributeError(name)
        with translating():
            repository = make(self)
        setattr(self, name, repository)
        self._seen_repositories.append(repository)
        return repository

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self.session is not None
        # close() rolls back whatever was not committed and detaches the loaded objects
        # without expiring them, so views built from them stay readable.
        with translating():
            if "conversations" in self.__dict__:
                self.conversations.close()
            self.session.close()
        if isinstance(exc, (SQLAlchemyError, FlushError)):
            raise translate(exc) from exc

    def flush(self) -> None:
        """Write everything pending (changed JSON, posted messages, version checks) without committing."""
        assert self.session is not None, "flush() outside `with uow:`"
        with translating():
            if "conversations" in self.__dict__:
                self.conversations.flush()
            flag_changed_json(self.session.identity_map.values())
            self.session.flush()

    def commit(self) -> None:
        assert self.session is not None, "commit() outside `with uow:`"
        with translating():
            try:
                self.flush()
                self.session.commit()
            except Exception:
                self.session.rollback()
                raise

    def rollback(self) -> None:
        assert self.session is not None
        with translating():
            self.session.rollback()

    def collect_new_events(self) -> Iterator[DomainEvent]:
        for repository in self._seen_repositories:
            for aggregate in repository.seen:
                while aggregate.events:
                    yield aggregate.events.pop(0)
