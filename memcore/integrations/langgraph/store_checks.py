"""The stores' input checks: what an operation needs to run, or a typed error before anything is written.

Namespaces are tuples of labels (not empty, without "." or NUL), joined by "."; a put may not use
LangGraph's reserved root label "langgraph". Keys are text of at most THREAD_MAX characters.
Values are JSON objects whose strings every dialect stores: NaN, infinities, NUL characters and
lone surrogates are refused here (PostgreSQL's JSON would refuse the last two, the others would
store them). A put's value is encoded once, here, and that text is what the table writes.
"""

import json
from collections.abc import Mapping
from typing import Any

from langgraph.store.base import GetOp, InvalidNamespaceError, ListNamespacesOp, Op, PutOp, SearchOp

from memcore.domain.checkpoints.graph import THREAD_MAX
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_text
from memcore.integrations.langgraph.filters import check_filter

RESERVED_ROOT = "langgraph"
# As JsonText writes (json.dumps' separators, ASCII), refusing NaN and the infinities.
_ENCODER = json.JSONEncoder(allow_nan=False)


class InvalidNamespace(InvalidInput, InvalidNamespaceError):
    """A namespace memcore cannot store: both memcore's InvalidInput and LangGraph's own error."""


def check_namespace(namespace: Any, *, prefix: bool = False) -> str:
    """The namespace's labels joined by "." (a prefix may be empty), or InvalidNamespace."""
    if type(namespace) is tuple and namespace:  # the common case: short ASCII labels, checked at once
        try:
            joined = ".".join(namespace)
        except TypeError:
            joined = None
        if (joined is not None and joined.isascii() and len(joined) <= THREAD_MAX and "\x00" not in joined
                and joined.count(".") == len(namespace) - 1 and "" not in namespace):  # fmt: skip
            return joined
    return _checked_namespace(namespace, prefix)


def _checked_namespace(namespace: Any, prefix: bool) -> str:
    if not isinstance(namespace, tuple) or (not namespace and not prefix):
        raise InvalidNamespace(f"a namespace is a non-empty tuple of labels, got {namespace!r}")
    for label in namespace:
        try:
            check_text("namespace label", label, empty=False)
        except InvalidInput as exc:
            raise InvalidNamespace(str(exc)) from None
        if "." in label:
            raise InvalidNamespace(f"namespace label {label!r} contains '.', the separator")
    joined = ".".join(namespace)
    if len(joined) > THREAD_MAX:
        raise InvalidNamespace(f"namespace {namespace!r} is longer than {THREAD_MAX} characters joined")
    return joined


def check_key(key: Any) -> str:
    if type(key) is str and key.isascii() and len(key) <= THREAD_MAX and "\x00" not in key:
        return key
    return check_text("key", key, max_length=THREAD_MAX)


def check_put(namespace: Any, key: Any, value: Any, ttl: Any) -> tuple[str, str, float | None, str | None]:
    """Joined namespace, key, ttl (minutes or None) and the value's JSON text (None: a delete)."""
    joined = check_namespace(namespace)
    if namespace[0] == RESERVED_ROOT:
        raise InvalidNamespace(f'the root label of a namespace cannot be "{RESERVED_ROOT}": {namespace!r}')
    key = check_key(key)
    checked = ttl if isinstance(ttl, int | float) and not isinstance(ttl, bool) else None
    if (ttl is not None and checked is None) or (checked is not None and not 0 < checked < 1e9):
        raise InvalidInput(f"ttl is a positive number of minutes, got {ttl!r}")
    if value is None:
        return joined, key, checked, None
    if not isinstance(value, Mapping):
        raise InvalidInput(f"a stored value is a JSON object (dict), got {type(value).__name__}")
    return joined, key, checked, json_text(value)


def json_text(value: Mapping[str, Any]) -> str:
    """The value as the table stores it, or InvalidInput when JSON or a dialect cannot hold it."""
    try:
        text = _ENCODER.encode(value if type(value) is dict else dict(value))
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInput(f"a stored value must be JSON: {exc}") from None
    # ASCII text: a NUL or a surrogate shows as an escape (a pair is a character beyond the BMP,
    # fine); only then is every string looked at.
    if "\\u0000" in text or "\\ud" in text:
        _refuse_unstorable(value)
    return text


def _refuse_unstorable(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput("a stored value's strings must not contain a NUL character")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInput("a stored value's strings must be valid Unicode (a lone surrogate)") from None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _refuse_unstorable(key)
            _refuse_unstorable(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_unstorable(item)


def check_search(namespace_prefix: Any, query: Any, filter: Any, limit: Any, offset: Any) -> str:
    """The joined prefix of a search, once its query, filter and page are known to be sound."""
    if filter is not None:
        check_filter(filter)
    check_page(limit, offset)
    if query is not None and not isinstance(query, str):
        raise InvalidInput("query is text")
    return check_namespace(namespace_prefix, prefix=True)


def check_op(op: Op) -> Any:
    """What running `op` needs (the joined namespace, ...), or InvalidInput: nothing is written."""
    if isinstance(op, GetOp):
        return check_namespace(op.namespace), check_key(op.key)
    if isinstance(op, PutOp):
        return check_put(op.namespace, op.key, op.value, op.ttl)
    if isinstance(op, SearchOp):
        return check_search(op.namespace_prefix, op.query, op.filter, op.limit, op.offset)
    if isinstance(op, ListNamespacesOp):
        check_page(op.limit, op.offset)
        for condition in op.match_conditions or ():
            if condition.match_type not in ("prefix", "suffix"):
                raise InvalidInput(f"unknown match type {condition.match_type!r}; known: prefix, suffix")
        return None
    raise InvalidInput(f"unknown store operation {type(op).__name__}")


def check_page(limit: Any, offset: Any) -> None:
    for name, number in (("limit", limit), ("offset", offset)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise InvalidInput(f"{name} must be a non-negative integer, got {number!r}")
