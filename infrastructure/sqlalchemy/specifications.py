"""Compiles domain Specifications to SQL, with the same semantics as the in-memory evaluation."""

from collections.abc import Mapping
from functools import singledispatch
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import KeyedColumnElement

from domain.shared.errors import InvalidInput
from domain.shared.specification import (
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
    """Turns specifications over one table into WHERE and ORDER BY clauses for one dialect."""

    def __init__(self, columns: Columns, schema: Schema, key: str, dialect: str) -> None:
        self.columns, self.schema, self.key, self.dialect = columns, schema, key, dialect

    def where(self, spec: Specification) -> ColumnElement[bool]:
        return to_sql(spec, self)

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
        if self.dialect == "postgresql":
            clause = clause.nulls_last() if order.descending else clause.nulls_first()
        return clause

    def column(self, name: str) -> KeyedColumnElement[Any]:
        try:
            return self.columns[name]
        except KeyError:
            raise InvalidInput(f"unknown or unqueryable field {name!r}") from None


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
    column, value = compiler.column(spec.field), spec.value
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
        case Op.IN:
            return column.in_(value) if value else false()
        case Op.IS_NULL:
            return column.is_(None)
        case Op.CONTAINS if compiler.schema.get(spec.field) is list:
            return _has_element(column, value, compiler.dialect)
        case Op.CONTAINS:
            # instr/strpos compare code points exactly; LIKE is case-insensitive on SQLite.
            finder = func.strpos(column, value) if compiler.dialect == "postgresql" else func.instr(column, value)
            return finder > 0
        case Op.STARTS_WITH:
            return func.substr(column, 1, len(value)) == value
    raise InvalidInput(f"unknown operator {spec.op!r}")


def _has_element(column: KeyedColumnElement[Any], value: str, dialect: str) -> ColumnElement[bool]:
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
        element, wanted = literal_column("elements.element"), literal(value, String())
        found = select(literal_column("1")).select_from(elements)
        return exists(found.where(element == wanted, func.length(element) == func.length(wanted)))
    elements = func.json_each(column).table_valued("value")
    return exists().select_from(elements).where(elements.c.value == value)
