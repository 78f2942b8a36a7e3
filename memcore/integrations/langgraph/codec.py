"""Checkpoint metadata as stored: JSON text, and LangGraph's `filter` matched against it.

Metadata is JSON so any SQL tool can read it; a value JSON cannot hold is refused before anything
is written. A filter matches when every key is present with an equal value, compared by JSON type:
`True` does not match `1`, while `1` matches `1.0` (both JSON numbers).
"""

import json
from collections.abc import Mapping
from typing import Any

from memcore.domain.shared.errors import InvalidInput

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_DECODER = json.JSONDecoder()


def encode_metadata(metadata: Mapping[str, Any]) -> str:
    try:
        return _ENCODER.encode(metadata)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"checkpoint metadata must be JSON: {exc}") from None


def decode_metadata(text: str) -> dict[str, Any]:
    """The stored JSON (compact, written by `encode_metadata`) read by the C scanner directly."""
    if not text:
        return {}
    value, end = _DECODER.raw_decode(text)
    return value if end == len(text) else _DECODER.decode(text)


def _same(stored: Any, wanted: Any) -> bool:
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return type(stored) is type(wanted) and stored == wanted
    if isinstance(wanted, Mapping):
        return isinstance(stored, Mapping) and stored.keys() == wanted.keys() and matches(stored, wanted)
    if isinstance(wanted, list | tuple):
        return (isinstance(stored, list) and len(stored) == len(wanted)
                and all(_same(s, w) for s, w in zip(stored, wanted, strict=True)))  # fmt: skip
    return stored == wanted


def matches(metadata: Mapping[str, Any], filter: Mapping[str, Any]) -> bool:
    """Whether every key of `filter` is in `metadata` with an equal value."""
    return all(key in metadata and _same(metadata[key], value) for key, value in filter.items())
