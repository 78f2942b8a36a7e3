"""The Specification kernel: composable filters, an ordering and a page, evaluable in Python.

Evaluation follows SQL's three-valued logic so the in-memory fakes and the SQL adapters agree:
a comparison with a NULL (None) field is *unknown*, `~unknown` stays unknown, and only rows whose
filter is true match. Specifications are checked against a schema of queryable fields; anything
that cannot be evaluated raises `InvalidInput` instead of silently matching everything.
"""

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_count, check_text, shown

_INT_RANGE = (-(2**63), 2**63 - 1)  # what every dialect's 64-bit integers can bind


class Op(enum.Enum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    IS_NULL = "is null"
    CONTAINS = "contains"
    STARTS_WITH = "starts with"


ORDERED_OPS = {Op.LT, Op.LE, Op.GT, Op.GE}
TEXT_OPS = {Op.CONTAINS, Op.STARTS_WITH}


class Specification:
    """Base of every filter; combine with `&`, `|` and `~`."""

    def evaluate(self, obj: Any) -> bool | None:
        """True, False, or None for SQL's *unknown*."""
        raise NotImplementedError

    def is_satisfied_by(self, obj: Any) -> bool:
        return self.evaluate(obj) is True

    def __and__(self, other: "Specification") -> "Specification":
        return And((self, _spec(other)))

    def __or__(self, other: "Specification") -> "Specification":
        return Or((self, _spec(other)))

    def __invert__(self) -> "Specification":
        return Not(self)


def _spec(value: Any) -> Specification:
    if not isinstance(value, Specification):
        raise InvalidInput(f"cannot combine a specification with {type(value).__name__}")
    return value


@attrs.frozen
class Everything(Specification):
    """Matches every item; the default filter of a query."""

    def evaluate(self, obj: Any) -> bool | None:
        return True


@attrs.frozen
class Comparison(Specification):
    field: str
    op: Op
    value: Any = None

    def evaluate(self, obj: Any) -> bool | None:
        actual = getattr(obj, self.field)
        if self.op is Op.IS_NULL:
            return actual is None
        if self.op is Op.IN and not self.value:
            return False  # SQL: an empty IN list is false, even for NULL
        if actual is None:
            return None
        return _COMPARE[self.op](actual, self.value)


_COMPARE: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: lambda a, b: a == b,
    Op.NE: lambda a, b: a != b,
    Op.LT: lambda a, b: a < b,
    Op.LE: lambda a, b: a <= b,
    Op.GT: lambda a, b: a > b,
    Op.GE: lambda a, b: a >= b,
    Op.IN: lambda a, b: a in b,
    Op.CONTAINS: lambda a, b: b in a,
    Op.STARTS_WITH: lambda a, b: a.startswith(b),
}


@attrs.frozen
class And(Specification):
    parts: tuple[Specification, ...]

    def evaluate(self, obj: Any) -> bool | None:
        results = [part.evaluate(obj) for part in self.parts]
        if False in results:
            return False
        return None if None in results else True


@attrs.frozen
class Or(Specification):
    parts: tuple[Specification, ...]

    def evaluate(self, obj: Any) -> bool | None:
        results = [part.evaluate(obj) for part in self.parts]
        if True in results:
            return True
        return None if None in results else False


@attrs.frozen
class Not(Specification):
    inner: Specification

    def evaluate(self, obj: Any) -> bool | None:
        result = self.inner.evaluate(obj)
        return None if result is None else not result


class Field:
    """Builds comparisons: `Field("status") == "pending"`, `Field("score").between(...)`."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, value: Any) -> Comparison:  # type: ignore[override]
        return Comparison(self.name, Op.EQ, value)

    def __ne__(self, value: Any) -> Comparison:  # type: ignore[override]
        return Comparison(self.name, Op.NE, value)

    def __lt__(self, value: Any) -> Comparison:
        return Comparison(self.name, Op.LT, value)

    def __le__(self, value: Any) -> Comparison:
        return Comparison(self.name, Op.LE, value)

    def __gt__(self, value: Any) -> Comparison:
        return Comparison(self.name, Op.GT, value)

    def __ge__(self, value: Any) -> Comparison:
        return Comparison(self.name, Op.GE, value)

    def is_in(self, values: Iterable[Any]) -> Comparison:
        return Comparison(self.name, Op.IN, tuple(values))

    def is_null(self) -> Comparison:
        return Comparison(self.name, Op.IS_NULL)

    def contains(self, text: str) -> Comparison:
        return Comparison(self.name, Op.CONTAINS, text)

    def startswith(self, text: str) -> Comparison:
        return Comparison(self.name, Op.STARTS_WITH, text)

    def asc(self) -> "Order":
        return Order(self.name)

    def desc(self) -> "Order":
        return Order(self.name, descending=True)


@attrs.frozen
class Order:
    field: str
    descending: bool = False


@attrs.frozen
class Query:
    """A filter, an ordering and a page. Every ordering ends with the primary key."""

    where: Specification = Everything()
    order_by: tuple[Order, ...] = attrs.field(default=(), converter=tuple)
    limit: int | None = None
    offset: int = 0

    def __attrs_post_init__(self) -> None:
        if self.limit is not None:
            check_count("limit", self.limit)
        check_count("offset", self.offset)


def as_query(spec: "Specification | Query | None") -> Query:
    if spec is None:
        return Query()
    if isinstance(spec, Query):
        return spec
    return Query(where=_spec(spec))


# --- checking against a schema -------------------------------------------------------------

Schema = Mapping[str, type]


def validate(query: Query, schema: Schema) -> None:
    """Raise InvalidInput unless every field, operator and value of `query` fits `schema`."""
    _validate_spec(query.where, schema)
    for order in query.order_by:
        if not isinstance(order, Order):
            raise InvalidInput(f"order_by takes Order values, got {type(order).__name__}")
        if _field_type(order.field, schema) is list:
            raise InvalidInput(f"cannot order by the list field {shown(order.field)}")


def _field_type(name: str, schema: Schema) -> type:
    try:
        return schema[name]
    except (KeyError, TypeError):
        raise InvalidInput(f"unknown or unqueryable field {shown(name)}") from None


def _validate_spec(spec: Specification, schema: Schema) -> None:
    if isinstance(spec, Everything):
        return
    if isinstance(spec, (And, Or)):
        if not spec.parts:
            raise InvalidInput("an empty and/or has no meaning")
        for part in spec.parts:
            _validate_spec(part, schema)
        return
    if isinstance(spec, Not):
        _validate_spec(spec.inner, schema)
        return
    if not isinstance(spec, Comparison):
        raise InvalidInput(f"unsupported specification {type(spec).__name__}")
    kind = _field_type(spec.field, schema)
    if not isinstance(spec.op, Op):
        raise InvalidInput(f"unknown operator {shown(spec.op)}")
    if spec.op is Op.IS_NULL:
        return
    if kind is list:  # a list of strings: only membership of one element
        if spec.op is not Op.CONTAINS:
            raise InvalidInput(f"{shown(spec.field)} is a list; only contains(element) applies")
        _check_value(spec.field, str, spec.value)
        return
    if spec.op in TEXT_OPS and kind is not str:
        raise InvalidInput(f"{spec.op.value} needs a text field, {shown(spec.field)} is not")
    if spec.op in ORDERED_OPS and kind is bool:
        raise InvalidInput(f"{shown(spec.field)} is a boolean and has no order")
    values: Sequence[Any] = spec.value if spec.op is Op.IN else (spec.value,)
    if spec.op is Op.IN and not isinstance(spec.value, tuple):
        raise InvalidInput("in takes a sequence of values")
    for value in values:
        _check_value(spec.field, kind, value)


def _check_value(field: str, kind: type, value: Any) -> None:
    if value is None:
        raise InvalidInput(f"compare {shown(field)} with None using is_null()")
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise InvalidInput(f"{shown(field)} takes {kind.__name__} values, got {type(value).__name__}")
    if kind is float and value != value:
        raise InvalidInput(f"{shown(field)} cannot be compared with NaN")
    if kind is datetime and value.tzinfo is None:
        raise InvalidInput(f"{shown(field)} takes timezone-aware datetimes")
    if kind is str and "\x00" in value:
        raise InvalidInput(f"{shown(field)} cannot be compared with text containing NUL")
    if kind is str:
        check_text(f"the value {shown(field)} is compared with", value)  # a lone surrogate, say
    if kind is int and not isinstance(value, bool) and not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
        raise InvalidInput(f"{shown(field)} cannot be compared with {shown(value)}: beyond 64-bit integers")


# --- in-memory evaluation -------------------------------------------------------------------


def apply(query: Query, items: Iterable[Any], schema: Schema, key: str) -> list[Any]:
    """Filter, order (NULLs first ascending, last descending, `key` last) and page `items`."""
    validate(query, schema)
    rows = [item for item in items if query.where.is_satisfied_by(item)]
    for order in reversed((*query.order_by, Order(key))):
        rows.sort(key=lambda item, f=order.field: _sort_key(getattr(item, f)), reverse=order.descending)
    end = None if query.limit is None else query.offset + query.limit
    return rows[query.offset : end]


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is not None, value if value is not None else 0)
