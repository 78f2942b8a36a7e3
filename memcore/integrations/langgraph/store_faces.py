"""BaseStore's convenience methods (get, put, delete, search and their async twins) for both stores.

LangGraph's own versions check namespaces first and raise a plain ValueError; these build the same
operations and leave every check to the store's batch (store_checks.py), so each refusal is
memcore's typed error (a namespace's is also LangGraph's InvalidNamespaceError).
"""

from collections.abc import Mapping
from typing import Any

from langgraph.store.base import NOT_PROVIDED, GetOp, Item, NotProvided, PutOp, SearchItem, SearchOp, TTLConfig


class TypedFaces:
    """Mixed in before `BaseStore`: its faces, routed to `batch` / `abatch` unchecked."""

    ttl_config: TTLConfig | None

    def batch(self, ops: Any) -> list[Any]:  # pragma: no cover - the store's own
        raise NotImplementedError

    async def abatch(self, ops: Any) -> list[Any]:  # pragma: no cover - the store's own
        raise NotImplementedError

    def _ttl(self, ttl: float | NotProvided | None) -> Any:
        if ttl is NOT_PROVIDED:
            return self.ttl_config.get("default_ttl") if self.ttl_config else None
        return ttl

    def get(self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None) -> Item | None:
        return self.batch([GetOp(namespace, str(key), refresh_ttl)])[0]

    async def aget(self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None) -> Item | None:
        return (await self.abatch([GetOp(namespace, str(key), refresh_ttl)]))[0]

    def put(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Any = None,
        *,
        ttl: float | NotProvided | None = NOT_PROVIDED,
    ) -> None:
        self.batch([PutOp(namespace, str(key), value, index=index, ttl=self._ttl(ttl))])

    async def aput(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: Mapping[str, Any],
        index: Any = None,
        *,
        ttl: float | NotProvided | None = NOT_PROVIDED,
    ) -> None:
        await self.abatch([PutOp(namespace, str(key), value, index=index, ttl=self._ttl(ttl))])

    def delete(self, namespace: tuple[str, ...], key: str) -> None:
        self.batch([PutOp(namespace, str(key), None, ttl=None)])

    async def adelete(self, namespace: tuple[str, ...], key: str) -> None:
        await self.abatch([PutOp(namespace, str(key), None, ttl=None)])

    def search(
        self,
        namespace_prefix: tuple[str, ...],
        /,
        *,
        query: str | None = None,
        filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[SearchItem]:
        return self.batch([SearchOp(namespace_prefix, filter, limit, offset, query, refresh_ttl)])[0]

    async def asearch(
        self,
        namespace_prefix: tuple[str, ...],
        /,
        *,
        query: str | None = None,
        filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        refresh_ttl: bool | None = None,
    ) -> list[SearchItem]:
        return (await self.abatch([SearchOp(namespace_prefix, filter, limit, offset, query, refresh_ttl)]))[0]
