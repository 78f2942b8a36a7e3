"""The API of the idea store memcore replaces: the PrismQ model (`IdeaInspiration`, `ContentType`),
a session factory and a repository on a session.

A `session()` is one memcore Unit of Work: everything done through the repository inside it
commits together on success and rolls back on an error.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
from sqlalchemy.orm import sessionmaker

from memcore.domain.ideas.model import ContentType, IdeaInspiration
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field, Query, Specification
from memcore.domain.shared.validation import check_text
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.mappers import start_mappers
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "ContentType",
    "IdeaInspiration",
    "SQLAlchemyIdeaInspirationRepository",
    "SessionFactory",
]

_FILTERS = ("source_type", "category")


class SessionFactory:
    """Opens memcore sessions on `database_url`; engine options are memcore settings (echo, pool_size, …)."""

    def __init__(self, database_url: str, **engine_kwargs: Any) -> None:
        options = {field.name for field in attrs.fields(Settings)} - {"url"}
        unknown = engine_kwargs.keys() - options
        if unknown:  # memcore sets the engine up itself; only its settings can change it
            allowed = ", ".join(sorted(options))
            raise InvalidInput(f"unknown engine options: {', '.join(sorted(unknown))} (memcore's settings: {allowed})")
        start_mappers()
        self.engine = build_engine(Settings(url=database_url, **engine_kwargs))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_all_tables(self) -> None:
        """Create what is missing (existing tables are kept as they are)."""
        migrate.upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[SqlAlchemyUnitOfWork]:
        with SqlAlchemyUnitOfWork(self._sessions) as uow:
            yield uow
            uow.commit()

    def close(self) -> None:
        self.engine.dispose()


def _filters(filters: dict[str, Any]) -> tuple[Specification | None, int | None, int]:
    unknown = set(filters) - {*_FILTERS, "limit", "offset"}
    if unknown:
        raise InvalidInput(f"unknown filters: {', '.join(sorted(unknown))}")
    spec: Specification | None = None
    for name in _FILTERS:
        if filters.get(name) is not None:
            part = Field(name) == filters[name]
            spec = part if spec is None else spec & part
    return spec, filters.get("limit"), filters.get("offset") or 0


class SQLAlchemyIdeaInspirationRepository:
    """Ideas through a session from SessionFactory.session(); takes and returns IdeaInspiration."""

    def __init__(self, session: SqlAlchemyUnitOfWork) -> None:
        self.uow = session

    def add(self, idea: IdeaInspiration) -> int:
        return self.uow.ideas.add(idea)

    def add_batch(self, ideas: list[IdeaInspiration]) -> int:
        return self.uow.ideas.add_many(list(ideas))

    def get_by_id(self, idea_id: int) -> IdeaInspiration | None:
        return self.uow.ideas.get(idea_id)

    def get_by_source_id(self, source_id: str) -> IdeaInspiration | None:
        return self.uow.ideas.get_by_source_id(check_text("source_id", source_id))

    def find_all(self, **filters: Any) -> list[IdeaInspiration]:
        """Filters: source_type, category, limit, offset; in id order."""
        spec, limit, offset = _filters(filters)
        return self.uow.ideas.list(Query(where=spec or Query().where, limit=limit, offset=offset))

    def count(self, **filters: Any) -> int:
        spec, _, _ = _filters(filters)
        return self.uow.ideas.count(spec)
