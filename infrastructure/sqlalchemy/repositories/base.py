"""What every SQLAlchemy repository shares: Specification reads and deletes, and attaching inserts."""

from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any, ClassVar

from sqlalchemy import Select, Table, delete, func, select
from sqlalchemy.orm import Session, make_transient_to_detached

from domain.shared.errors import InvalidInput
from domain.shared.specification import Query, Schema, Specification, as_query, validate
from infrastructure.sqlalchemy.mappers import flag_changed_json, remember_json
from infrastructure.sqlalchemy.repositories.cursor import DriverCursor, Transaction
from infrastructure.sqlalchemy.specifications import SpecCompiler

_SELECTS: dict[type, Select[Any]] = {}


class SqlAlchemyRepository:
    """Subclasses name their aggregate class, table, queryable fields and primary key."""

    entity: ClassVar[type]
    table: ClassVar[Table]
    fields: ClassVar[Schema]
    key: ClassVar[str]

    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction
        self.seen: set[Any] = set()
        self._driver = DriverCursor(transaction)

    @property
    def session(self) -> Session:
        """The unit of work's ORM session, made on first use (the lean route needs none)."""
        session = self.transaction.session
        assert session is not None, "the unit of work is not open"
        return session

    @cached_property
    def compiler(self) -> SpecCompiler:
        # Built on first use: a write on the hot path needs none.
        columns = {name: self.table.c[name] for name in self.fields}
        return SpecCompiler(columns, self.fields, key=self.key, dialect=self.transaction.dialect.name)

    def execute(self, sql: str, params: Sequence[Any]) -> Any:
        """`sql` on the transaction's DB-API connection (see cursor.py); returns the cursor."""
        return self._driver.run(sql, params)

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        """`sql` once per row, as `execute`. `rows` may be a generator: drivers that pipeline
        (psycopg) then encode the next rows while the server writes the first."""
        return self._driver.run(sql, rows, many=True)

    def close(self) -> None:
        """Release the cursor before the connection goes back to the pool."""
        self._driver.close()

    def _select(self) -> Select[Any]:
        # Built once per class, after the mappers have started, and reused.
        if self.entity not in _SELECTS:
            _SELECTS[self.entity] = select(self.entity)
        return _SELECTS[self.entity]

    def _check(self, items: Iterable[Any], *also: type) -> None:
        """Every item is the repository's entity (or one of the `also` types it accepts)."""
        accepted = (self.entity, *also)
        for index, item in enumerate(items):
            if not isinstance(item, accepted):
                raise InvalidInput(f"item #{index} is not a {self.entity.__name__} but {type(item).__name__}")

    def _attach(self, aggregates: Iterable[Any]) -> None:
        """Objects just inserted with Core join the session as if loaded, so later changes are tracked."""
        for aggregate in aggregates:
            make_transient_to_detached(aggregate)
            self.session.add(aggregate)
            remember_json(aggregate)
            self.seen.add(aggregate)

    def _seen(self, aggregate: Any) -> Any:
        if aggregate is not None:
            self.seen.add(aggregate)
        return aggregate

    def list(self, query: Specification | Query | None = None) -> list[Any]:
        statement, params = self.compiler.select(self.table.name, self._select, as_query(query))
        found = list(self.session.scalars(statement, params))
        self.seen.update(found)
        return found

    def _where(self, spec: Specification | None) -> Any:
        query = as_query(spec)
        validate(query, self.fields)
        return self.compiler.where(query.where)

    def count(self, spec: Specification | None = None) -> int:
        statement = select(func.count()).select_from(self.table).where(self._where(spec))
        return self.session.execute(statement).scalar_one()

    def remove(self, spec: Specification) -> int:
        where = self._where(spec)
        flag_changed_json(self.session.identity_map.values())  # before the flush that saves them
        self.session.flush()
        result = self.session.execute(delete(self.table).where(where), execution_options={"synchronize_session": False})
        self.session.expire_all()
        return result.rowcount
