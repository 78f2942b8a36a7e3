"""Compiles domain Specifications to SQL, with the same semantics as the in-memory evaluation."""

import itertools
from collections.abc import Callable, Mapping
from functools import singledispatch
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import KeyedColumnElement

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import (
    And,
    Comparison,
    Everything,
    Not,
    Op,
    Or,
    Order,
    Query,
    Schema,
    Specification,
    validate,
)

Columns = Mapping[str, KeyedColumnElement[Any]]


class SpecCompiler:
    """Turns specifications over one table into WHERE and ORDER BY clauses for one dialect.

    Values become bound parameters. `select()` builds a statement once per query *shape* (fields,
    operators, ordering, page) and reuses it with new values: building statements costs more than
    running them on the hot read paths.
    """

    def __init__(self, columns: Columns, schema: Schema, key: str, dialect: str) -> None:
        self.columns, self.schema, self.key, self.dialect = columns, schema, key, dialect
        self._names = itertools.count()

    def param(self, value: Any, type_: Any, expanding: bool = False) -> BindParameter[Any]:
        return bindparam(f"p{next(self._names)}", value, type_=type_, expanding=expanding)

    def where(self, spec: Specification) -> ColumnElement[bool]:
        self._names = itertools.count()
        return to_sql(spec, self)

    def select(self, name: str, base: Callable[[], Select[Any]], query: Query) -> tuple[Select[Any], dict[str, Any]]:
        """The statement for `query` on top of `base` (cached under `name`), and its parameters."""
        validate(query, self.schema)
        values: list[Any] = []
        key = (name, self.dialect, _shape(query.where, values), query.order_by, query.limit, query.offset)
        statement = _STATEMENTS.get(key)
        if statement is None:
            if len(_STATEMENTS) >= _MAX_STATEMENTS:
                _STATEMENTS.clear()
            statement = _STATEMENTS[key] = self.apply(base(), query)
        return statement, {f"p{i}": value for i, value in enumerate(values)}

    def apply(self, stmt: Select[Any], query: Query) -> Select[Any]:
        """Add the filter, a total ordering (primary key last) and the page."""
        validate(query, self.schema)
        stmt = stmt.where(self.where(query.where))
        for order in (*query.order_by, Order(self.key)):
            stmt = stmt.order_by(self.order(order))
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        if query.offset:
            stmt = stmt.offset(query.offset)
        return stmt

    def order(self, order: Order) -> ColumnElement[Any]:
        column = self.column(order.field)
        clause = column.desc() if order.descending else column.asc()
        # SQLite and MySQL already put NULLs first ascending and last descending; PostgreSQL does not.
        # Only where NULLs can be: on a NOT NULL column the clause would stop PostgreSQL walking an index.
        if self.dialect == "postgresql" and getattr(column, "nullable", True):
            clause = clause.nulls_last() if order.descending else clause.nulls_first()
        return clause

    def column(self, name: str) -> KeyedColumnElement[Any]:
        try:
            return self.columns[name]
        except KeyError:
            raise InvalidInput(f"unknown or unqueryable field {name!r}") from None


_STATEMENTS: dict[tuple[Any, ...], Select[Any]] = {}
_MAX_STATEMENTS = 1024


def _shape(spec: Specification, values: list[Any]) -> tuple[Any, ...]:
    """The structure of `spec` without its values, which are appended to `values` in the order
    `to_sql` binds them (depth first, left to right)."""
    if isinstance(spec, (And, Or)):
        return (type(spec).__name__, tuple(_shape(part, values) for part in spec.parts))
    if isinstance(spec, Not):
        return ("Not", _shape(spec.inner, values))
    if isinstance(spec, Comparison):
        if spec.op is Op.IS_NULL:
            return (spec.field, spec.op)
        if spec.op is Op.IN:
            if spec.value:
                values.append(list(spec.value))
            return (spec.field, spec.op, len(spec.value) > 0)
        values.append(spec.value)
        return (spec.field, spec.op, len(spec.value) if spec.op is Op.STARTS_WITH else None)
    return (type(spec).__name__,)


@singledispatch
def to_sql(spec: Specification, compiler: SpecCompiler) -> ColumnElement[bool]:
    raise InvalidInput(f"unsupported specification {type(spec).__name__}")


@to_sql.register
def _(spec: Everything, compiler: SpecCompiler) -> ColumnElement[bool]:
    return true()


@to_sql.register
def _(spec: And, compiler: SpecCompiler) -> ColumnElement[bool]:
    return and_(*(to_sql(part, compiler) for part in spec.parts))


@to_sql.register
def _(spec: Or, compiler: SpecCompiler) -> ColumnElement[bool]:
    return or_(*(to_sql(part, compiler) for part in spec.parts))


@to_sql.register
def _(spec: Not, compiler: SpecCompiler) -> ColumnElement[bool]:
    return not_(to_sql(spec.inner, compiler))


@to_sql.register
def _(spec: Comparison, compiler: SpecCompiler) -> ColumnElement[bool]:
    column = compiler.column(spec.field)
    if spec.op is Op.IS_NULL:
        return column.is_(None)
    if spec.op is Op.IN:
        return column.in_(compiler.param(list(spec.value), column.type, expanding=True)) if spec.value else false()
    if spec.op is Op.CONTAINS and compiler.schema.get(spec.field) is list:
        return _has_element(column, compiler.param(spec.value, String()), compiler.dialect)
    value = compiler.param(spec.value, column.type)
    match spec.op:
        case Op.EQ:
            return column == value
        case Op.NE:
            return column != value
        case Op.LT:
            return column < value
        case Op.LE:
            return column <= value
        case Op.GT:
            return column > value
        case Op.GE:
            return column >= value
        case Op.CONTAINS:
            # instr/strpos compare code points exactly; LIKE is case-insensitive on SQLite.
            finder = func.strpos(column, value) if compiler.dialect == "postgresql" else func.instr(column, value)
            return finder > 0
        case Op.STARTS_WITH:
            return func.substr(column, 1, len(spec.value)) == value
    raise InvalidInput(f"unknown operator {spec.op!r}")


def _has_element(column: KeyedColumnElement[Any], value: BindParameter[Any], dialect: str) -> ColumnElement[bool]:
    """A JSON array (stored as text) holds `value` as one of its elements, compared exactly."""
    if dialect == "postgresql":
        return cast(column, JSONB).has_key(value)
    if dialect in ("mysql", "mariadb"):
        # JSON_CONTAINS compares escaped text on MariaDB (a stored "\u65e5" never equals "日");
        # JSON_TABLE unescapes. utf8mb4_bin pads with spaces, so the lengths must match too.
        elements = text(
            f"JSON_TABLE({column.table.name}.{column.name}, '$[*]' COLUMNS "
            "(element VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) AS elements"
        )
        element, wanted = literal_column("elements.element"), value
        found = select(literal_column("1")).select_from(elements)
        return exists(found.where(element == wanted, func.length(element) == func.length(wanted)))
    elements = func.json_each(column).table_valued("value")
    return exists().select_from(elements).where(elements.c.value == value)
