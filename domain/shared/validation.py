"""Checks shared by entities: values every dialect can store, refused the same way everywhere."""

import json
import math
import reprlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import attrs

from memcore.domain.shared.errors import InvalidInput

ID_MAX_LENGTH = 255
_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxdict, _SHOWN.maxlist = 2, 80, 80, 4, 4


def shown(value: Any) -> str:
    """`value` as an error message shows it: short, and safe for any input (a 10 MB string, a dict
    nested 2,000 deep, an object whose repr fails)."""
    try:
        return _SHOWN.repr(value)
    except Exception:
        return f"<{type(value).__name__}>"


def check_text(name: str, value: Any, *, max_length: int | None = None, empty: bool = True) -> str:
    """Return `value` if it is a string every dialect stores unchanged, else raise InvalidInput."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string, got {type(value).__name__}")
    if not empty and not value:
        raise InvalidInput(f"{name} must not be empty")
    if "\x00" in value:
        raise InvalidInput(f"{name} must not contain a NUL character")
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"{name} is longer than {max_length} characters")
    if value.isascii():  # no surrogate can hide in ASCII: skip the encoding check
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{name} is not valid Unicode text (lone surrogate)") from exc
    return value


def check_id(name: str, value: Any) -> str:
    """An identifier: a non-empty storable string of at most ID_MAX_LENGTH characters."""
    return check_text(name, value, max_length=ID_MAX_LENGTH, empty=False)


MAX_COUNT = 2**63 - 1  # the largest limit or offset every dialect's 64-bit integers can hold


def check_count(name: str, value: Any) -> int:
    """A non-negative integer (a limit, an offset) that every dialect can bind."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise InvalidInput(f"{name} must be an integer from 0 to {MAX_COUNT}, got {shown(value)}")
    return value


def check_unit_interval(name: str, value: Any) -> float:
    """A score between 0.0 and 1.0 inclusive."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{name} must be a number, got {type(value).__name__}")
    if isinstance(value, int) and not 0 <= value <= 1:  # before float(): huge ints overflow
        raise InvalidInput(f"{name} must be between 0.0 and 1.0, got {shown(value)}")
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise InvalidInput(f"{name} must be between 0.0 and 1.0, got {shown(value)}")
    return float(value)


def check_utc(name: str, value: Any) -> datetime:
    """A timezone-aware datetime, returned in UTC."""
    if type(value) is datetime and value.tzinfo is UTC and 1000 <= value.year <= 9999:
        return value  # the common case: already UTC
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be timezone-aware")
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(f"{name} is out of range once converted to UTC") from None
    if not 1000 <= value.year <= 9999:
        raise InvalidInput(f"{name} must be between the years 1000 and 9999")
    return value


class _NotPlain(Exception):
    """A value the quick walk leaves to the full round trip (and its precise error message)."""


_SCALARS = frozenset({str, int, bool})


def _plain(value: Any, depth: int, copying: bool) -> Any:
    """`value` (or a copy, if `copying`) when it is made of dicts with string keys, lists, strings,
    ints, bools, None and finite floats; anything else raises _NotPlain."""
    kind = type(value)
    if kind in _SCALARS or value is None:
        return value
    if kind is float:
        if math.isfinite(value):
            return value
        raise _NotPlain
    if depth > 64:
        raise _NotPlain
    # Scalar members are taken inline: most members are scalars, and a call each is costly.
    if kind is dict:
        copied: Any = {} if copying else value
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            if type(item) not in _SCALARS and item is not None:
                item = _plain(item, depth + 1, copying)
            if copying:
                copied[key] = item
        return copied
    if kind is list:
        if not copying:
            for item in value:
                if type(item) not in _SCALARS and item is not None:
                    _plain(item, depth + 1, copying)
            return value
        return [item if type(item) in _SCALARS or item is None else _plain(item, depth + 1, True) for item in value]
    raise _NotPlain


def check_json_object(name: str, value: Any, *, copying: bool = True) -> dict[str, Any]:
    """A dict that serialises to standard JSON (no NaN, string keys) and back unchanged.

    It is returned as an independent copy, or, with `copying=False`, as itself when it is already
    made of plain dicts and lists (what a value consumed at once, such as a bulk-load draft, needs).
    """
    if type(value) is dict:
        # Plain dicts, lists, strings, ints and finite floats always round-trip: no serialising;
        # anything else takes the full round trip below.
        try:
            return _plain(value, 0, copying)
        except _NotPlain:
            pass
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be a JSON object (dict), got {type(value).__name__}")
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} is not JSON-serialisable: {exc}") from exc
    except RecursionError:
        raise InvalidInput(f"{name} is nested too deeply to store") from None
    restored = json.loads(text)
    if restored != value:
        raise InvalidInput(f"{name} does not round-trip through JSON (keys must be strings)")
    return restored


Rules = dict[str, Callable[[str, Any], Any]]


def check_all(instance: Any, rules: Rules) -> None:
    """Apply every rule to a freshly built entity, storing normalised values (e.g. UTC datetimes)."""
    for name, rule in rules.items():
        current = getattr(instance, name)
        checked = rule(name, current)
        if checked is not current:
            object.__setattr__(instance, name, checked)


def on_setattr(rules: Rules, together: tuple[str, ...] = (), check: Callable[..., None] | None = None) -> Any:
    """An attrs on_setattr hook: the field's rule, then `check` over the `together` fields."""

    def hook(instance: Any, attribute: Any, value: Any) -> Any:
        rule = rules.get(attribute.name)
        value = value if rule is None else rule(attribute.name, value)
        if check is not None and attribute.name in together:
            check(**{**{name: getattr(instance, name) for name in together}, attribute.name: value})
        return value

    return hook


def optional(check: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    """A rule that lets None through and applies `check` to anything else."""

    def run(name: str, value: Any) -> Any:
        return None if value is None else check(name, value)

    return run


def one_of(choices: tuple[str, ...], what: str) -> Callable[[str, Any], str]:
    """A rule accepting only `choices`; `what` names them in the error."""

    def run(name: str, value: Any) -> str:
        if value not in choices:
            raise InvalidInput(f"unknown {what} {shown(value)}; expected one of {', '.join(choices)}")
        return value

    return run


def draft_class(name: str, entity: type, rules: Rules, base: type, doc: str, *, without: tuple[str, ...] = ()) -> type:
    """`entity`'s value twin: its init fields and defaults (but `without`) in a frozen slotted class,
    each field checked by its rule as its converter. Building one costs no entity bookkeeping (the
    ORM instruments a mapped entity's attributes), so write paths carry it."""
    fields = {
        a.name: attrs.field(default=a.default, converter=partial(rules[a.name], a.name))
        for a in attrs.fields(entity)
        if a.init and a.name not in without
    }
    draft = attrs.make_class(name, fields, bases=(base,), frozen=True, slots=True)
    draft.__module__, draft.__doc__ = entity.__module__, doc
    return draft
