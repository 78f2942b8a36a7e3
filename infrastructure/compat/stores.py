"""What the stores built on the unified Database share: opening one from a URL, closing what they
opened, migrating; `SyncStore` over a `Database`, `AsyncStore` over an `AsyncDatabase`."""

import asyncio
from typing import Any, Self

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.async_database import AsyncDatabase
from memcore.infrastructure.sqlalchemy.database import Database


class Store:
    _database: type
    db: Any

    def _open(self, db: Any) -> Any:
        """`db`, or a database of this store's own for a URL; anything else raises InvalidInput."""
        self._owned = isinstance(db, str)
        if self._owned:
            db = self._database(db)
        if not isinstance(db, self._database):
            raise InvalidInput(f"{type(self).__name__} needs a {self._database.__name__} or a URL, got {db!r}")
        self.db = db
        return db


class SyncStore(Store):
    _database = Database

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the Database if this store opened it."""
        if self._owned:
            self.db.close()

    def setup(self) -> None:
        """Migrate the database (memcore's schema) if it is behind."""
        migrate.upgrade_database(self.db)


class AsyncStore(Store):
    _database = AsyncDatabase

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the AsyncDatabase if this store opened it."""
        if self._owned:
            await self.db.close()

    async def setup(self) -> None:
        """Migrate the database (memcore's schema) if it is behind."""
        await asyncio.to_thread(migrate.upgrade_database, self.db)
