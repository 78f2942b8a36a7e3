"""Hooks a vendored suite's conftest imports to run its `@pytest.mark.asyncio` coroutine tests
(and its async generator fixtures) on asyncio without pytest-asyncio (not a memcore dependency)."""

import asyncio
import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "asyncio: a coroutine test (run on asyncio by the vendored conftest)")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**args))
    return True


def _sync_generator(func: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
    """An async generator fixture as a plain one, each of its steps run on asyncio."""

    @functools.wraps(func)
    def fixture(*args: Any, **kwargs: Any) -> Iterator[Any]:
        steps = func(*args, **kwargs)
        yield asyncio.run(steps.__anext__())
        with contextlib.suppress(StopAsyncIteration):
            asyncio.run(steps.__anext__())

    return fixture


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> None:
    if inspect.isasyncgenfunction(fixturedef.func):
        fixturedef.func = _sync_generator(fixturedef.func)
