"""MemoryTransaction: several memory operations in one transaction, all or nothing.

    with services.memory_transaction() as tx:
        tx.store("a", 1)
        tx.delete("b")
        tx.retrieve("a")   # sees this transaction's own writes

Leaving the block normally commits; an exception rolls everything back. It holds the services'
Unit of Work for its duration, so run no other command of the same services inside it.
"""

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from memcore.application.memory import commands
from memcore.application.memory.handlers import run_operation
from memcore.application.memory.views import MemoryEntryView
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.memory.values import check_key


class MemoryTransaction:
    def __init__(self, uow: UnitOfWork, clock: Callable[[], datetime]) -> None:
        self.uow, self.clock = uow, clock
        self._open = False

    def __enter__(self) -> Self:
        self.uow.__enter__()
        self._open = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._open = False
        try:
            if exc_type is None:
                self.uow.commit()
        finally:
            self.uow.__exit__(exc_type, exc, tb)

    def _check_open(self) -> None:
        if not self._open:
            raise RuntimeError("the memory transaction is not open (use it in a with block)")

    def store(self, key: str, value: Any, metadata: dict[str, Any] | None = None) -> bool:
        """Create or replace; True when the key was new."""
        self._check_open()
        return run_operation(self.uow, commands.StoreMemory(key, value, metadata), self.clock())

    def delete(self, key: str) -> bool:
        self._check_open()
        return run_operation(self.uow, commands.DeleteMemory(key), self.clock())

    def retrieve(self, key: str) -> MemoryEntryView | None:
        self._check_open()
        entry = self.uow.memory.get(check_key(key))
        return None if entry is None else MemoryEntryView.of(entry)
