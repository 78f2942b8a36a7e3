"""The composition root: one declarative container wires settings, engine, Unit of Work and use cases."""

from collections.abc import Iterator

from dependency_injector import containers, providers
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from memcore.application.bootstrap import build_services
from memcore.domain.conflicts.model import new_id, utc_now
from memcore.infrastructure.legacy.ideas_sqlite import SqliteLegacyIdeaSource
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.mappers import start_mappers
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork


def engine_resource(settings: Settings) -> Iterator[Engine]:
    """The engine, mapped classes ready; disposed when the container shuts its resources down."""
    start_mappers()
    engine = build_engine(settings)
    try:
        yield engine
    finally:
        engine.dispose()


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings.from_env)
    engine = providers.Resource(engine_resource, settings=settings)
    session_factory = providers.Singleton(sessionmaker, bind=engine, expire_on_commit=False)
    uow = providers.Factory(SqlAlchemyUnitOfWork, session_factory=session_factory)
    clock = providers.Object(utc_now)
    id_factory = providers.Object(new_id)
    services = providers.Factory(
        build_services,
        uow=uow,
        clock=clock,
        id_factory=id_factory,
        max_failed_attempts=settings.provided.max_failed_attempts,
        open_legacy_source=providers.Object(SqliteLegacyIdeaSource),
    )


def container_for(url: str | None = None, settings: Settings | None = None) -> Container:
    """A container on `url` (else the given or environment settings)."""
    container = Container()
    base = settings if settings is not None else Settings.from_env()
    container.settings.override(providers.Object(base.with_url(url)))
    return container
