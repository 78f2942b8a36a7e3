"""Checks for what the memory context stores: keys and JSON values every dialect keeps unchanged."""

import json
import math
from typing import Any

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_text, shown

KEY_MAX_LENGTH = 512
MAX_DEPTH = 64
MAX_INT_BITS = 14_000  # about 4200 decimal digits, under Python's 4300-digit limit for int -> str
_ENCODE = json.JSONEncoder(allow_nan=False).encode


def check_key(value: Any, name: str = "key") -> str:
    """A non-empty storable string of at most KEY_MAX_LENGTH characters."""
    if value is None:
        raise InvalidInput(f"{name} must not be empty")
    return check_text(name, value, max_length=KEY_MAX_LENGTH, empty=False)


def _walk(name: str, value: Any, depth: int) -> Any:
    """A plain copy of `value`; strings are checked (no NUL, no lone surrogate), floats are finite."""
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        if value.bit_length() > MAX_INT_BITS:  # Python refuses to write such an int as text
            raise InvalidInput(f"{name} holds an integer too large for JSON text")
        return value
    if kind is str:
        return check_text(name, value)
    if kind is float:
        if not math.isfinite(value):
            raise InvalidInput(f"{name} holds {shown(value)}, which JSON cannot represent")
        return value
    if depth >= MAX_DEPTH:
        raise InvalidInput(f"{name} is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        copy = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput(f"{name} has a non-string object key {shown(key)}")
            check_text(f"{name} key", key)
            copy[key] = _walk(f"{name}[{shown(key)}]", item, depth + 1)
        return copy
    if isinstance(value, (list, tuple)):
        return [_walk(f"{name}[{i}]", item, depth + 1) for i, item in enumerate(value)]
    for plain in (int, float, str):  # subclasses (IntEnum, StrEnum) are kept as their plain value
        if isinstance(value, plain):
            return _walk(name, plain(value), depth)
    raise InvalidInput(f"{name} is not a JSON value: {type(value).__name__}")


def check_json_value(name: str, value: Any) -> Any:
    """Any JSON value (object, array, string, number, bool, null), returned as a private plain copy.

    Refused: NaN and infinities, non-string object keys, NUL characters and lone surrogates anywhere
    (PostgreSQL cannot keep them in JSON), nesting deeper than MAX_DEPTH, and integers JSON text
    cannot carry back (more than 4300 digits).
    """
    return _walk(name, value, 0)  # what it returns always serialises: no trial encoding


def check_json_object_or_none(name: str, value: Any) -> dict[str, Any] | None:
    """A JSON object (dict) or None; None and {} are kept apart."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be a JSON object (dict) or None, got {type(value).__name__}")
    return check_json_value(name, value)


def encode_json(value: Any) -> str:
    """The JSON text the SQL adapters store (ASCII, escapes as Python writes them)."""
    return _ENCODE(value)
