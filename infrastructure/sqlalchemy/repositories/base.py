"""What every SQLAlchemy repository shares: Specification reads and deletes, and attaching inserts."""

from collections.abc import Iterable, Sequence
from functools import cached_property
from operator import attrgetter
from typing import Any, ClassVar

from sqlalchemy import Select, Table, delete, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, make_transient_to_detached

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Query, Schema, Specification, as_query, validate
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.mappers import flag_changed_json, remember_json
from memcore.infrastructure.sqlalchemy.repositories.cursor import DriverCursor, Transaction
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler

_SELECTS: dict[type, Select[Any]] = {}


class SqlAlchemyRepository:
    """Subclasses name their aggregate class, table, queryable fields and primary key."""

    entity: ClassVar[type]
    table: ClassVar[Table]
    fields: ClassVar[Schema]
    key: ClassVar[str]

    # Attribute -> column of what `_insert` writes (repositories that insert on the lean route).
    stored: ClassVar[dict[str, str]] = {}

    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction
        self.seen: set[Any] = set()
        self._driver = DriverCursor(transaction)
        self._pending: dict[Any, tuple[Any, tuple[Any, ...]]] = {}  # key -> (object, row as written)

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

    # -- the lean insert: objects written on the cursor, joining the session only when it is used

    def _insert(self, items: Sequence[Any]) -> None:
        """One executemany of `items` on the transaction's cursor. They stay out of the session
        (making none) until it is used: `settle()` then attaches them as loaded. Until then `flush()`
        writes any change made to them (one UPDATE each), as the session's flush would."""
        statements = _statements(type(self), self.transaction.dialect)
        rows = [statements.row(item) for item in items]
        self.execute_many(statements.codec.insert_sql, rows)
        for item, row in zip(items, rows, strict=True):
            self._pending[getattr(item, self.key)] = (item, row)
        self.seen.update(items)

    def flush(self) -> None:
        """Write the changes made to objects inserted by `_insert` and not yet in the session."""
        if self._pending:
            statements = _statements(type(self), self.transaction.dialect)
            for key, (item, written) in self._pending.items():
                row = statements.row(item)
                if row != written:
                    self.execute(statements.update_sql, statements.update_params(row))
                    self._pending[key] = (item, row)

    def rolled_back(self) -> None:
        """The transaction was rolled back: what `_insert` wrote is gone."""
        self._pending.clear()

    def settle(self, session: Session) -> None:
        """Before the session reads or writes: objects inserted by `_insert` join it as loaded, so it
        hands back these same objects and tracks their later changes."""
        if self._pending:
            self.flush()
            items = [item for item, _ in self._pending.values()]
            self._pending.clear()
            for item in items:
                make_transient_to_detached(item)
                session.add(item)
                remember_json(item)

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


class _Statements:
    """A lean-inserting repository's SQL for one dialect: its INSERT, and an UPDATE of every column."""

    def __init__(self, repository: type[SqlAlchemyRepository], dialect: Dialect) -> None:
        attributes, columns = list(repository.stored), list(repository.stored.values())
        self.codec = RowCodec(repository.table, columns, dialect)
        self._values = attrgetter(*attributes)
        key = columns.index(repository.table.c[repository.key].name)
        self._others = [i for i in range(len(columns)) if i != key]
        self._key = key
        quote, mark = dialect.identifier_preparer.quote, self.codec.marker
        sets = ", ".join(f"{quote(columns[i])} = {mark}" for i in self._others)
        self.update_sql = f"UPDATE {self.codec.table_name} SET {sets} WHERE {quote(columns[key])} = {mark}"

    def row(self, item: Any) -> tuple[Any, ...]:
        return self.codec.encode(self._values(item))

    def update_params(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*(row[i] for i in self._others), row[self._key])


_BY_REPOSITORY: dict[tuple[type, str], _Statements] = {}


def _statements(repository: type[SqlAlchemyRepository], dialect: Dialect) -> _Statements:
    built = _BY_REPOSITORY.get((repository, dialect.name))
    if built is None:
        built = _BY_REPOSITORY[(repository, dialect.name)] = _Statements(repository, dialect)
    return built
