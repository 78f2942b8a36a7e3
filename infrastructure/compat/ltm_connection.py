"""What the LTM backend and catalog share: opening lazily, migrating once, closing, and errors as dicts.

The drop-in API reports failures as `{"success": False, "error", "error_type"}` instead of raising;
`error_type` is derived from memcore's domain error, and the message never shows a password.
"""

import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, Self, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import exc as orm_exc

from memcore.application.bootstrap import Services
from memcore.domain.shared.errors import InvalidInput, MemcoreError, StorageTimeout, StorageUnavailable
from memcore.infrastructure.container import Container, container_for
from memcore.infrastructure.settings import Settings, mask_url
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.engine import normalize_url
from memcore.infrastructure.sqlalchemy.errors import translate

P = ParamSpec("P")
R = TypeVar("R")
_TIMEOUT_WORDS = ("timeout expired", "timed out", "timeout")


def error_type(exc: BaseException) -> str:
    """validation_error | connection_error | connection_timeout | query_error."""
    if isinstance(exc, InvalidInput):
        cause = exc.__cause__
        if isinstance(cause, sa_exc.DBAPIError) and not isinstance(cause, (sa_exc.DataError, sa_exc.IntegrityError)):
            return "query_error"  # the database refused the statement itself (a missing table, say)
        return "validation_error"
    if isinstance(exc, StorageTimeout):
        return "connection_timeout"
    if isinstance(exc, StorageUnavailable):
        text = str(exc).lower()
        return "connection_timeout" if any(word in text for word in _TIMEOUT_WORDS) else "connection_error"
    return "query_error"


class Closed(StorageUnavailable):
    """A call on a backend or catalog after close()."""


class LtmConnection:
    """memcore's services on one URL, opened on first use (or at once unless lazy) and migrated then."""

    auto_migrate = True  # migrate a schema that is behind when opening

    def __init__(self, url: str, pool_size: int = 5, echo: bool = False, lazy: bool = False) -> None:
        if not isinstance(url, str) or not url.strip():
            raise InvalidInput("url must be a non-empty database URL, e.g. sqlite:///memory.db")
        self._settings = Settings(url=url, pool_size=pool_size, echo=echo)
        self._backend = normalize_url(url).get_backend_name()  # refuses a malformed URL, masked
        self._password = make_url(url).password or ""
        self._lock = threading.Lock()
        self._container: Container | None = None
        self._local = threading.local()  # one Services (one Unit of Work) per thread
        self._closed = False
        if not lazy:
            self.new_services()

    @property
    def dialect(self) -> str:
        """sqlite, postgresql or mysql (MariaDB included), known without connecting."""
        return self._backend

    @property
    def masked_url(self) -> str:
        return mask_url(self._settings.url)

    def services(self) -> Services:
        """This thread's use cases; the first call builds the engine and migrates the schema if behind."""
        services = getattr(self._local, "services", None)
        if services is None or self._closed:
            services = self._local.services = self.new_services()
        return services

    def new_services(self) -> Services:
        """Use cases on a Unit of Work of their own (for a transaction spanning several calls)."""
        with self._lock:
            if self._closed:
                raise Closed(f"{type(self).__name__} on {self.masked_url} is closed")
            if self._container is None:
                self._container = self._open()
            return self._container.services()

    def _open(self) -> Container:
        container = container_for(settings=self._settings)
        try:
            engine = container.engine()
            if self.auto_migrate and migrate.current(engine) != migrate.head():
                migrate.upgrade(engine)
        except BaseException:
            container.shutdown_resources()
            raise
        return container

    def close(self) -> None:
        """Release the pool; any later call reports a connection_error. Closing twice is harmless."""
        with self._lock:
            self._closed = True
            container, self._container = self._container, None
        if container is not None:
            container.shutdown_resources()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def clean(self, exc: BaseException) -> MemcoreError:
        """The domain error for `exc`, its message free of this URL's password (the cause is kept)."""
        if isinstance(exc, MemcoreError):
            error = exc
        elif isinstance(exc, (sa_exc.SQLAlchemyError, orm_exc.FlushError)):
            error = translate(exc)
            error.__cause__ = exc
        elif isinstance(exc, (TypeError, ValueError)):  # arguments of the wrong kind
            error = InvalidInput(str(exc))
        else:
            error = MemcoreError(f"{type(exc).__name__}: {exc}")
        message = str(error)
        if self._password and self._password in message:
            cause = error.__cause__
            error = type(error)(message.replace(self._password, "***"))
            error.__cause__ = cause
        return error

    def failure(self, exc: BaseException) -> dict[str, Any]:
        error = self.clean(exc)
        return {"success": False, "error": str(error), "error_type": error_type(error)}


def reporting(method: Callable[P, R]) -> Callable[P, R | dict[str, Any]]:
    """Run a method of an LtmConnection; an error comes back as the failure dict instead of raising."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | dict[str, Any]:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            return args[0].failure(exc)  # type: ignore[attr-defined]

    return run


def raising(method: Callable[P, R]) -> Callable[P, R]:
    """Run a method of an LtmConnection; an error is raised as memcore's error, password removed."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            raise args[0].clean(exc) from None  # type: ignore[attr-defined]

    return run
