"""The lean route's cursor: statements straight on the transaction's DB-API connection.

Repositories write their hot paths here, skipping SQLAlchemy's per-statement set-up. The
connection is the session's when the unit of work has one, else a pooled connection on which the
unit of work begins its transaction (a session made later joins it), so a unit of work that only
takes the lean route never builds a session.
"""

import contextlib
from typing import Any, Protocol

from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session

from memcore.infrastructure.sqlalchemy.errors import translate, translating, wrap_driver


class Transaction(Protocol):
    """What repositories use of their unit of work."""

    engine: Engine

    @property
    def dialect(self) -> Dialect: ...

    @property
    def session(self) -> Session | None: ...

    @property
    def made_session(self) -> Session | None: ...

    def driver_connection(self) -> Any: ...

    def invalidate(self, exc: BaseException) -> None: ...


class DriverCursor:
    """One DB-API cursor of the transaction, opened on first use and closed when it ends."""

    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction
        self._cursor: Any = None

    def run(self, sql: str, params: Any, many: bool = False) -> Any:
        """`sql` with `params` (with `many`, once per row of an iterable, which may be a generator);
        returns the cursor. Driver errors come out as domain errors."""
        dialect = self.transaction.dialect
        engine = self.transaction.engine
        if engine.echo:  # echo logs what SQLAlchemy runs; these statements too (without their values)
            engine.logger.info("%s", sql)
        cursor = self._cursor
        try:
            if cursor is None:
                with translating():  # taking a pooled connection can fail in SQLAlchemy
                    cursor = self._cursor = self.transaction.driver_connection().cursor()
            cursor.executemany(sql, params) if many else cursor.execute(sql, params)
        except dialect.loaded_dbapi.Error as exc:
            # As SQLAlchemy does on the session's route: a broken connection never goes back to the
            # pool, and the pool's older connections (likely broken by the same restart) are renewed.
            gone = dialect.is_disconnect(exc, getattr(cursor, "connection", None), cursor)
            if gone:
                self._cursor = None
                self.transaction.invalidate(exc)
            # Chained to SQLAlchemy's wrapper of the driver error, as on the session's route.
            wrapped = wrap_driver(exc, dialect, sql, gone)
            raise translate(wrapped) from wrapped
        return cursor

    def close(self) -> None:
        """Release the cursor before the connection goes back to the pool."""
        cursor, self._cursor = self._cursor, None
        if cursor is not None:
            with contextlib.suppress(Exception):  # a broken connection must not hide the original error
                cursor.close()
