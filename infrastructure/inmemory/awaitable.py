"""Async twins of the in-memory fakes: the same methods, awaitable, as their SQL twins' are."""

from typing import Any


def awaitable(name: str) -> Any:
    """A coroutine method running `self.inner.<name>`."""

    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.inner, name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method
