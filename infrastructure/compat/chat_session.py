"""The session of the chat drop-in API: one memcore Unit of Work that the use cases join.

`ChatSession` holds an open `SqlAlchemyUnitOfWork` (one database transaction) and the use cases
built on a `JoinedUnitOfWork` over it. Each use case then runs in a savepoint of that transaction:
its `commit()` releases the savepoint (flushing, so uniqueness errors surface at the call, as the
original's `session.flush()` made them), a failing use case rolls back only its own savepoint,
and nothing is durable until the session itself commits.
"""

from collections.abc import Iterable, Iterator
from typing import Any, Self

from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import FlushError

from memcore.application.bootstrap import Services
from memcore.domain.shared.events import DomainEvent
from memcore.infrastructure.compat import chat_writes
from memcore.infrastructure.compat.chat_models import attach
from memcore.infrastructure.sqlalchemy.errors import translate, translating
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork


class JoinedUnitOfWork:
    """A Unit of Work inside another's open transaction: `with` opens a savepoint, `commit` releases it."""

    def __init__(self, outer: SqlAlchemyUnitOfWork) -> None:
        self.outer = outer
        self._savepoint: SessionTransaction | None = None

    def __getattr__(self, name: str) -> Any:
        # Repositories and views are the outer unit's: the same session and identity map.
        return getattr(self.outer, name)

    def __enter__(self) -> Self:
        assert self.outer.session is not None, "the session is closed"
        with translating():
            self._savepoint = self.outer.session.begin_nested()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        savepoint, self._savepoint = self._savepoint, None
        if savepoint is not None and savepoint.is_active:
            self._undo(savepoint)
        if isinstance(exc, (SQLAlchemyError, FlushError)):  # as the outer unit does: the use case sees ours
            raise translate(exc) from exc

    def commit(self) -> None:
        assert self._savepoint is not None and self.outer.session is not None, "commit() outside `with uow:`"
        self.outer.flush()  # posted messages, version checks, changed JSON: all the outer commit writes
        with translating():
            self._savepoint.commit()
        self._savepoint = None

    def rollback(self) -> None:
        if self._savepoint is not None and self._savepoint.is_active:
            self._undo(self._savepoint)

    def _undo(self, savepoint: SessionTransaction) -> None:
        """Roll the savepoint back; conversations the use case touched are read again when next used
        (the repository's memory of their stored state would otherwise outlive the rollback)."""
        with translating():
            savepoint.rollback()
        if "conversations" in self.outer.__dict__:
            self.outer.conversations.forget()

    def collect_new_events(self) -> Iterator[DomainEvent]:
        return self.outer.collect_new_events()


def reload_stale(session: Session, batch: int = 500) -> None:
    """Load again what a bulk write marked stale (expired), so entities stay readable after the session.

    Entities whose rows are gone stay stale: they were deleted.
    """
    stale: dict[type, list[Any]] = {}
    for obj in list(session.identity_map.values()):
        state = inspect(obj)
        if state.expired_attributes and state.identity is not None:
            stale.setdefault(type(obj), []).append(state.identity[0])
    for cls, keys in stale.items():
        key = inspect(cls).primary_key[0]
        for start in range(0, len(keys), batch):
            with translating():
                session.scalars(select(cls).where(key.in_(keys[start : start + batch]))).all()


class ChatSession:
    """What `get_session()` yields and every repository function takes first.

    `uow` is the open memcore Unit of Work (its repositories read what this session wrote);
    `services` are memcore's use cases, run inside it.
    """

    def __init__(self, uow: SqlAlchemyUnitOfWork, services: Services) -> None:
        self.uow, self.services = uow, services

    def commit(self) -> None:
        """Make everything done so far durable; the session stays open for more."""
        self.uow.commit()

    def add(self, entity: Any) -> None:
        """Write a `User`, `Conversation`, `Message` or `KnowledgeChunk` built by the caller, as the
        original's `session.add(obj)` + `flush()` did (chat_writes.py); one stored already is left."""
        attach(self, chat_writes.add(self, entity))

    def add_all(self, entities: Iterable[Any]) -> None:
        for entity in entities:
            self.add(entity)

    def delete(self, entity: Any) -> None:
        """Delete a stored entity and what it owns (the original's cascades)."""
        chat_writes.delete(self, entity)

    def flush(self) -> None:
        """Write pending attribute changes now (each function and `add` writes at once)."""
        with translating():
            self.uow.flush()

    def rollback(self) -> None:
        self.uow.rollback()
