"""The store's `filter`: LangGraph's operators and more, evaluated the same way on every adapter.

    {"kind": "note", "score": {"$gte": 3, "$lt": 9}, "$or": [{"lang": "en"}, {"lang": {"$in": ["de"]}}]}

A plain value matches by JSON equality (a mapping matches the keys it names, recursively); an
operator mapping holds `$eq $ne $gt $gte $lt $lte $in $nin`; top level `$and`/`$or` take lists of
filters and `$not` one filter. Comparisons are typed: numbers with numbers (a bool is not a
number), strings with strings by code point; any other pairing is simply not a match. LangGraph's
InMemoryStore instead casts both sides of `$gt`-like operators to float ("10" > 9 there).
"""

from collections.abc import Callable, Mapping
from typing import Any

from memcore.domain.shared.errors import InvalidInput

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
}
OPERATORS = ("$eq", "$ne", *_ORDER, "$in", "$nin")
COMBINATORS = ("$and", "$or", "$not")


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else None


def _equal(stored: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        return isinstance(stored, Mapping) and all(_equal(stored.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, list | tuple):
        return (isinstance(stored, list) and len(stored) == len(wanted)
                and all(_equal(s, w) for s, w in zip(stored, wanted, strict=True)))  # fmt: skip
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return type(stored) is type(wanted) and stored == wanted
    return _kind(stored) == _kind(wanted) and stored == wanted if _kind(wanted) else stored == wanted


def _operator(stored: Any, name: str, operand: Any) -> bool:
    if name == "$eq":
        return _equal(stored, operand)
    if name == "$ne":
        return not _equal(stored, operand)
    if name in ("$in", "$nin"):
        found = any(_equal(stored, choice) for choice in operand)
        return found if name == "$in" else not found
    kind = _kind(stored)
    return kind in ("number", "string") and kind == _kind(operand) and _ORDER[name](stored, operand)


def _field(stored: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping) and any(isinstance(k, str) and k.startswith("$") for k in wanted):
        return all(_operator(stored, name, operand) for name, operand in wanted.items())
    return _equal(stored, wanted)


def check_filter(filter: Any) -> None:
    """Refuse an unknown operator or a malformed filter before anything runs."""
    if not isinstance(filter, Mapping):
        raise InvalidInput(f"a filter is a mapping, got {type(filter).__name__}")
    for key, wanted in filter.items():
        if key in ("$and", "$or"):
            if not isinstance(wanted, list | tuple) or not wanted:
                raise InvalidInput(f"{key} takes a non-empty list of filters")
            for part in wanted:
                check_filter(part)
        elif key == "$not":
            check_filter(wanted)
        elif not isinstance(key, str) or key.startswith("$"):
            raise InvalidInput(f"unknown filter operator {key!r}; known: {', '.join(COMBINATORS)}")
        elif isinstance(wanted, Mapping) and any(isinstance(k, str) and k.startswith("$") for k in wanted):
            for name, operand in wanted.items():
                if name not in OPERATORS:
                    raise InvalidInput(f"unknown filter operator {name!r}; known: {', '.join(OPERATORS)}")
                if name in ("$in", "$nin") and not isinstance(operand, list | tuple):
                    raise InvalidInput(f"{name} takes a list of values")
                if name in _ORDER and _kind(operand) not in ("number", "string"):
                    raise InvalidInput(f"{name} compares with a number or a string, got {operand!r}")


def matches(value: Mapping[str, Any], filter: Mapping[str, Any]) -> bool:
    """Whether the stored document `value` satisfies `filter` (checked by `check_filter` first)."""
    for key, wanted in filter.items():
        if key == "$and":
            ok = all(matches(value, part) for part in wanted)
        elif key == "$or":
            ok = any(matches(value, part) for part in wanted)
        elif key == "$not":
            ok = not matches(value, wanted)
        else:
            ok = _field(value.get(key), wanted)
        if not ok:
            return False
    return True
