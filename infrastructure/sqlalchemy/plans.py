"""Database work written once for `Database` and `AsyncDatabase`.

A plan is a generator that yields statements as `(method, sql, params)` (method: execute,
execute_positional with a list of values, fetch_all, fetch_one or fetch_value) and is sent each
result back; `run` and `run_async` carry it out on either database, in one transaction when it
writes, and run it again from the start when the database aborted the transaction (deadlock,
serialization failure) or a concurrent writer created the same row first. A plan raises
`Rollback(value)` to undo its writes and return `value`.
"""

import asyncio
import random
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any, TypeVar

from memcore.domain.shared.errors import AlreadyExists, TransactionConflict

T = TypeVar("T")
Op = tuple[str, str, Mapping[str, Any] | list[Any] | None]
Plan = Generator[Op, Any, T]

ATTEMPTS = 8
RETRIED = (TransactionConflict, AlreadyExists)


class Rollback(Exception):
    """Raised by a plan: roll its transaction back and return `value`."""

    def __init__(self, value: Any = None) -> None:
        super().__init__()
        self.value = value


def _pause(attempt: int) -> float:
    return random.uniform(0, 0.002 * 2**attempt)


def _drive(db: Any, plan: Plan[T]) -> T:
    result: Any = None
    try:
        while True:
            method, sql, params = plan.send(result)
            result = getattr(db, method)(sql, params)
    except StopIteration as stop:
        return stop.value
    finally:
        plan.close()


async def _drive_async(db: Any, plan: Plan[T]) -> T:
    result: Any = None
    try:
        while True:
            method, sql, params = plan.send(result)
            result = await getattr(db, method)(sql, params)
    except StopIteration as stop:
        return stop.value
    finally:
        plan.close()


def run(db: Any, make: Callable[[], Plan[T]], write: bool) -> T:
    """Carry out the plan `make()` builds on a `Database`."""
    if not write:
        return _drive(db, make())
    for attempt in range(ATTEMPTS):
        try:
            with db.transaction():
                return _drive(db, make())
        except Rollback as rollback:
            return rollback.value
        except RETRIED:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(_pause(attempt))
    raise AssertionError("unreachable")


async def run_async(db: Any, make: Callable[[], Plan[T]], write: bool) -> T:
    """Carry out the plan `make()` builds on an `AsyncDatabase`."""
    if not write:
        return await _drive_async(db, make())
    for attempt in range(ATTEMPTS):
        try:
            async with db.transaction():
                return await _drive_async(db, make())
        except Rollback as rollback:
            return rollback.value
        except RETRIED:
            if attempt == ATTEMPTS - 1:
                raise
            await asyncio.sleep(_pause(attempt))
    raise AssertionError("unreachable")
