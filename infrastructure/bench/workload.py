"""`BenchWorkload`: the set-up every bench workload shares, so each keeps only its data and phases.

Entering a workload opens memcore (container, migrated schema, services) and, beside it, a raw
side: an engine built from the same settings (same pragmas, charset, session) and a pooled DB-API
connection to it. The helpers run the untimed SQL around the phases on that connection.
"""

import gc
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from typing import Any, ClassVar, Self

from sqlalchemy import Engine

from memcore.application.bootstrap import Services
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.container import Container, container_for
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.raw_sql import dialect_label


class BenchWorkload:
    """A workload on `url` with `rows` rows; subclasses add to `_open` and define `_clear` and `phases`."""

    # gc.freeze() the data prepared on entering, so neither side pays for full collections walking it.
    freeze_data: ClassVar[bool] = False

    container: Container
    services: Services
    settings: Settings
    raw_engine: Engine
    conn: Any  # the raw side's DB-API connection (transactions begun by hand on SQLite)
    backend: str  # the SQLAlchemy dialect name: "sqlite", "postgresql" or "mysql"
    masked_url: str
    mark: str  # the driver's placeholder: "?" or "%s"

    def __init__(self, url: str | None, rows: int) -> None:
        self.url, self.rows = url, rows

    def __enter__(self) -> Self:
        with ExitStack() as stack:
            self._open(stack)
            if self.freeze_data:
                gc.collect()
                gc.freeze()
                stack.callback(gc.unfreeze)
            self._cleanup = stack.pop_all()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._cleanup.close()

    @property
    def dialect(self) -> str:
        """The name reported: "mariadb" for MariaDB (known once the engine has connected)."""
        return dialect_label(self.raw_engine.dialect)

    def start_round(self) -> None:
        self._clear()

    def phases(self) -> Sequence[Phase]:
        raise NotImplementedError

    def _clear(self) -> None:
        """Empty what the workload writes."""
        raise NotImplementedError

    # -- opening

    def _open(self, stack: ExitStack) -> None:
        """memcore migrated and its services, then the raw side's engine and connection."""
        self.container = container_for(self.url)
        stack.callback(self.container.shutdown_resources)
        migrate.upgrade(self.container.engine())  # a no-op when already at head
        self.services = self.container.services()
        self._open_raw_engine(stack, self.container.settings())
        self.conn = self._connection(stack)

    def _open_raw_engine(self, stack: ExitStack, settings: Settings) -> None:
        """The raw side's own engine, with the same settings as memcore's."""
        self.settings = settings
        self.raw_engine = build_engine(settings)
        stack.callback(self.raw_engine.dispose)
        dialect = self.raw_engine.dialect
        self.backend, self.masked_url = dialect.name, settings.masked_url
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"

    def _connection(self, stack: ExitStack, *, autocommit: bool = False) -> Any:
        """A pooled DB-API connection; with `autocommit`, each statement commits itself (as on SQLite
        without BEGIN, where connections run with isolation_level=None)."""
        pooled = self.raw_engine.raw_connection()
        stack.callback(pooled.close)
        driver = pooled.driver_connection
        if autocommit and self.backend == "postgresql":
            driver.autocommit = True
        elif autocommit and self.backend in ("mysql", "mariadb"):
            driver.autocommit(True)
        return driver

    # -- untimed SQL on the raw connection

    def _marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    def _row(self, sql: str) -> tuple[Any, ...]:
        """The one row `sql` reads, in a transaction of its own."""
        cursor = self.conn.cursor()
        cursor.execute(sql)
        row = tuple(cursor.fetchone())
        cursor.close()
        self.conn.rollback()
        return row

    def _scalar(self, sql: str) -> Any:
        return self._row(sql)[0]

    def _count(self, table: str, phase: str) -> int:
        """The rows in `table`, which `phase` must have left at `rows`."""
        count = self._scalar(f"SELECT COUNT(*) FROM {table}")
        if count != self.rows:
            raise AssertionError(f"{phase} left {count} rows in {table}, expected {self.rows}")
        return count

    def _run(self, *statements: str) -> None:
        """`statements` in one transaction."""
        cursor = self.conn.cursor()
        if self.backend == "sqlite":
            cursor.execute("BEGIN")
        for sql in statements:
            cursor.execute(sql)
        cursor.close()
        self.conn.commit()

    def _empty(self, table: str) -> None:
        """TRUNCATE on the servers, so rounds start from the same table, not one full of dead rows;
        SQLite's unconditional DELETE is its own truncate."""
        self._run(f"DELETE FROM {table}" if self.backend == "sqlite" else f"TRUNCATE TABLE {table}")

    def _analyze(self, table: str) -> None:
        """Fresh statistics, so the planner does not change its mind halfway through a phase."""
        cursor = self.conn.cursor()
        cursor.execute(f"ANALYZE TABLE {table}" if self.backend in ("mysql", "mariadb") else f"ANALYZE {table}")
        if cursor.description is not None:
            cursor.fetchall()
        cursor.close()
        self.conn.commit()

    def _refuse_foreign_rows(self, foreign: Mapping[str, str], emptied: str) -> None:
        """Refuse a database holding rows the bench did not write, as it empties `emptied` ("the conflicts
        table"). `foreign` maps what they are ("conflicts") to where ("conflicts WHERE user_id NOT LIKE ...")."""
        found = {what: self._scalar(f"SELECT COUNT(*) FROM {where}") for what, where in foreign.items()}
        if any(found.values()):
            parts = [f"{count} {what}" for what, count in found.items() if count]
            held = f"{', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else parts[0]
            raise InvalidInput(
                f"{self.masked_url} holds {held} the benchmark did not write, and the benchmark empties {emptied}; "
                "run it on a scratch database"
            )
