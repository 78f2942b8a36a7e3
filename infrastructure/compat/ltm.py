"""The LTM drop-in API: the long-term memory backend and catalog agent code was written against.

`SQLAlchemyBackend` and `SQLAlchemyCatalog` run memcore's memory use cases on a database URL and
answer in plain dicts. The backend never raises from its methods: a failure is
`{"success": False, "error": message, "error_type": kind}` (see ltm_connection). The schema is
migrated on first use. Backends are also made by name from a registry, or from a YAML file's
`settings.ltm` block.
"""

import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Self

from memcore.application.memory import commands
from memcore.application.memory.views import SearchHit
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat import ltm_config
from memcore.infrastructure.compat.ltm_catalog import SQLAlchemyCatalog
from memcore.infrastructure.compat.ltm_connection import LtmConnection, reporting
from memcore.infrastructure.compat.ltm_env import expand_env_vars

log = logging.getLogger(__name__)
ITERATE_BATCH = 500
TABLE = "ltm_entries"


def _found(hit: SearchHit) -> dict[str, Any]:
    found = {"key": hit.entry.key, "value": hit.entry.value, "metadata": hit.entry.metadata}
    if hit.score is not None:
        found["score"] = hit.score
    return found


class SQLAlchemyBackend(LtmConnection):
    """Long-term memory on SQLite, PostgreSQL or MySQL/MariaDB; every method answers with a dict."""

    def __init__(
        self, url: str, pool_size: int = 5, echo: bool = False, lazy: bool = False, table_name: str = TABLE
    ) -> None:
        """The replaced backend's parameters; memcore's schema has one entries table, so `table_name`
        can only name it (anything else: InvalidInput)."""
        if table_name != TABLE:
            raise InvalidInput(f"table_name must be {TABLE!r}: memcore keeps long-term memory in that table")
        super().__init__(url, pool_size=pool_size, echo=echo, lazy=lazy)

    @reporting
    def store(self, key: str, value: Any, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        created = self.services().bus.handle(commands.StoreMemory(key, value, metadata))
        return {"success": True, "stored": True, "key": key, "created": created}

    @reporting
    def retrieve(self, key: str, default: Any = None) -> dict[str, Any]:
        found = self.services().memory.get_value(key)
        if found is None:
            return {"success": True, "value": default, "found": False, "metadata": None}
        value, metadata = found
        return {"success": True, "value": value, "found": True, "metadata": metadata}

    @reporting
    def delete(self, key: str) -> dict[str, Any]:
        deleted = self.services().bus.handle(commands.DeleteMemory(key))
        return {"success": True, "deleted": deleted, "key": key}

    @reporting
    def search(
        self, query: str | None = None, metadata_filter: dict[str, Any] | None = None, limit: int = 10
    ) -> dict[str, Any]:
        """Ranked by relevance when `query` has words (each result then has a `score`), else newest first."""
        hits = self.services().memory.search(query, metadata_filter=metadata_filter, limit=limit)
        results = [_found(hit) for hit in hits]
        return {"success": True, "results": results, "count": len(results)}

    def iterate_all(self) -> Iterator[tuple[str, Any, dict[str, Any] | None]]:
        """(key, value, metadata) of every entry in key order, read in pages. A failure ends the
        iteration early (logged), as the other methods never raise."""
        try:
            for view in self.services().memory.iterate(batch_size=ITERATE_BATCH):
                yield view.key, view.value, view.metadata
        except Exception as exc:
            log.error("iterate_all stopped: %s", self.failure(exc)["error"])

    def transaction(self) -> "MemoryTransaction":
        """`with backend.transaction() as tx:` - tx.store/retrieve/delete, all or nothing."""
        return MemoryTransaction(self)


class _RolledBack(Exception):
    """Handed to memcore's transaction so it rolls back after a failed operation."""


class MemoryTransaction:
    """One memcore transaction: tx.store / tx.retrieve / tx.delete answer like the backend's methods
    and see the block's own writes. Leaving the block commits; an exception in it, or a failed
    operation, rolls everything back; `tx.commit()` / `tx.rollback()` end it earlier, as in the
    replaced backend. `tx.result` says how it ended; nothing raises but the block's own exception."""

    def __init__(self, backend: SQLAlchemyBackend) -> None:
        self.backend = backend
        self.failed: dict[str, Any] | None = None
        self.result: dict[str, Any] | None = None
        self._tx: Any = None
        self._operations = 0
        self._ended = False

    def __enter__(self) -> Self:
        try:
            self._tx = self.backend.new_services().memory_transaction().__enter__()
        except Exception as exc:
            self.failed = self.backend.failure(exc)
        return self

    def _run(self, action: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        if self.failed is not None:
            return {**self.failed, "error": f"the transaction already failed: {self.failed['error']}"}
        try:
            answer = action(self._tx)
        except Exception as exc:
            self.failed = self.backend.failure(exc)
            return self.failed
        self._operations += 1
        return answer

    def store(self, key: str, value: Any, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._run(lambda tx: {"success": True, "stored": True, "key": key,
                                     "created": tx.store(key, value, metadata)})  # fmt: skip

    def retrieve(self, key: str, default: Any = None) -> dict[str, Any]:
        def read(tx: Any) -> dict[str, Any]:
            view = tx.retrieve(key)
            if view is None:
                return {"success": True, "value": default, "found": False, "metadata": None}
            return {"success": True, "value": view.value, "found": True, "metadata": view.metadata}

        return self._run(read)

    def delete(self, key: str) -> dict[str, Any]:
        return self._run(lambda tx: {"success": True, "deleted": tx.delete(key), "key": key})

    def commit(self) -> dict[str, Any]:
        """End the transaction now, committing (as leaving the block does); the answer is `result`."""
        return self._end(None, None, None) or self._ended_twice()

    def rollback(self) -> dict[str, Any]:
        """End the transaction now, writing nothing; `{"success": True, "rolled_back": True}`."""
        if self._end(_RolledBack, _RolledBack(), None, rolling_back=True) is None:
            return self._ended_twice()
        self.result = {"success": True, "rolled_back": True}
        return self.result

    def _ended_twice(self) -> dict[str, Any]:
        result = self.result or {}
        done = "committed" if result.get("committed") else "rolled back" if result.get("rolled_back") else "ended"
        return {"success": False, "error": f"the transaction is already {done}", "error_type": "validation_error"}

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._end(exc_type, exc, tb)  # after commit() or rollback(), nothing is left to do

    def _end(self, exc_type: Any, exc: Any, tb: Any, rolling_back: bool = False) -> dict[str, Any] | None:
        """Close memcore's transaction once; the result, or None when it was already closed."""
        if self._ended:
            return None
        self._ended = True
        if self._tx is None:  # memcore's transaction never opened
            self.result = self.failed
            return self.result
        if exc_type is None and self.failed is not None:
            exc_type, exc = _RolledBack, _RolledBack()
        try:
            self._tx.__exit__(exc_type, exc, tb)
        except Exception as error:
            if exc_type is None:  # the commit failed
                self.failed = self.backend.failure(error)
        if exc_type not in (None, _RolledBack):
            self.result = {"success": False, "error": f"rolled back: {exc_type.__name__} raised in the block",
                           "error_type": "query_error"}  # fmt: skip
        elif self.failed is not None:
            log.warning("memory transaction rolled back: %s", self.failed["error"])
            self.result = {**self.failed, "error": f"rolled back: {self.failed['error']}"}
        elif not rolling_back:
            self.result = {"success": True, "committed": True, "operations": self._operations}
        return self.result or {}


# -- registries and configuration

BackendFactory = Callable[..., Any]
_BACKENDS: dict[str, BackendFactory] = {"sqlalchemy": SQLAlchemyBackend}
_CATALOGS: dict[str, BackendFactory] = {"sqlalchemy": SQLAlchemyCatalog}


class UnknownBackend(InvalidInput, ValueError):
    """No backend of that name: memcore's InvalidInput, and the ValueError the replaced factories raised."""


def _register(registry: dict[str, BackendFactory], name: str, factory: BackendFactory) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("a backend name must be a non-empty string")
    if not callable(factory):
        raise InvalidInput(f"backend {name!r} needs a class or factory, got {type(factory).__name__}")
    registry[name.lower()] = factory  # names are case-insensitive, as in the replaced registries


def _create(registry: dict[str, BackendFactory], kind: str, name: str, options: Mapping[str, Any]) -> Any:
    if not isinstance(name, str) or name.lower() not in registry:
        raise UnknownBackend(f"no {kind} backend named {name!r} (registered: {', '.join(sorted(registry))})")
    return registry[name.lower()](**options)


def register_backend(name: str, backend_class: BackendFactory) -> None:
    """Make `create_ltm_backend(name, ...)` build `backend_class(...)`; a name registered again is replaced."""
    _register(_BACKENDS, name, backend_class)


def get_registered_backends() -> list[str]:
    """The LTM backend names, as the replaced registry listed them."""
    return list(_BACKENDS)


def create_ltm_backend(backend_type: str = "sqlalchemy", **kwargs: Any) -> Any:
    """e.g. create_ltm_backend("sqlalchemy", url="sqlite:///memory.db", lazy=True)."""
    return _create(_BACKENDS, "LTM", backend_type, kwargs)


def register_catalog_backend(name: str, cls: BackendFactory) -> None:
    _register(_CATALOGS, name, cls)


def get_registered_catalog_backends() -> dict[str, BackendFactory]:
    return dict(_CATALOGS)


def create_catalog_backend(backend_type: str = "sqlalchemy", **config: Any) -> Any:
    return _create(_CATALOGS, "catalog", backend_type, config)


def parse_backend_config(config: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The replaced helper: `backend_type, kwargs = parse_backend_config({"ltm_backend": "sqlalchemy",
    "ltm_url": url})`, then `create_ltm_backend(backend_type, **kwargs)`."""
    return ltm_config.parse_flat(config)


def parse_ltm_settings(settings: Mapping[str, Any]) -> ltm_config.LtmConfig:
    """The `settings.ltm` block (a dict) checked: `.ltm` and `.catalog` each give a registered
    backend's `name` and the `options` its factory takes. Unknown keys or no url: InvalidInput."""
    return ltm_config.parse(settings, _BACKENDS, _CATALOGS)


def load_ltm_from_yaml(path: str | Path) -> tuple[Any, Any]:
    """(backend, catalog) built from the `settings.ltm` block of a YAML file."""
    config = parse_ltm_settings(ltm_config.read_yaml(path))
    backend = create_ltm_backend(config.ltm.name, **config.ltm.options)
    try:
        catalog = create_catalog_backend(config.catalog.name, **config.catalog.options)
    except BaseException:
        backend.close()
        raise
    return backend, catalog


__all__ = [
    "SQLAlchemyBackend",
    "SQLAlchemyCatalog",
    "UnknownBackend",
    "create_catalog_backend",
    "create_ltm_backend",
    "expand_env_vars",
    "get_registered_backends",
    "get_registered_catalog_backends",
    "load_ltm_from_yaml",
    "parse_backend_config",
    "parse_ltm_settings",
    "register_backend",
    "register_catalog_backend",
]
