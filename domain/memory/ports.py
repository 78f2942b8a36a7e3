"""Storage ports of the memory context, the fields a Specification may name, and its own filters.

Besides the plain fields, two filters are particular to this context:

- `metadata_has(key, value)`: the entry's metadata holds `key` with a scalar JSON `value`
  (str, int, float, bool or None for JSON null). Types are kept apart (True is not 1, "1" is not 1)
  but numbers compare by value (1 == 1.0). A key holding an array or object never matches a scalar.
- `key_prefix(prefix)`: keys starting with `prefix` (code points, case-sensitive), written as a
  range as well so the SQL adapters scan the primary-key index.
"""

import json
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import attrs

from memcore.domain.memory.model import CatalogEntry, CatalogSnapshot, MemoryDraft, MemoryEntry
from memcore.domain.memory.values import check_json_value, encode_json
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import (
    And,
    Comparison,
    Everything,
    Field,
    Not,
    Op,
    Or,
    Query,
    Specification,
)

METADATA = "metadata"

MEMORY_FIELDS: dict[str, type] = {
    "key": str,
    METADATA: str,  # only through metadata_has()
    "created_at": datetime,
    "updated_at": datetime,
}
CATALOG_FIELDS: dict[str, type] = {
    "id": str,
    "key": str,
    "content_hash": str,
    "storage_uri": str,
    "byte_size": int,
    METADATA: str,  # only through metadata_has()
    "expires_at": datetime,
    "created_at": datetime,
    "updated_at": datetime,
}
SNAPSHOT_FIELDS: dict[str, type] = {"id": str, "name": str, "created_at": datetime}

Scalar = str | int | float | bool | None


def _same(stored: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool) or isinstance(stored, bool):
        return type(stored) is type(wanted) and stored == wanted
    if wanted is None:
        return stored is None
    if isinstance(wanted, str):
        return isinstance(stored, str) and stored == wanted
    return isinstance(stored, (int, float)) and stored == wanted


@attrs.frozen
class MetadataEquals(Comparison):
    """`metadata[key] == value` (see the module docstring); `value` holds the JSON text {key: value}.

    It is a Comparison of the `metadata` field so the Specification kernel validates, combines and
    caches it like any other; the adapters give it its own evaluation.
    """

    def evaluate(self, obj: Any) -> bool | None:
        ((key, wanted),) = json.loads(self.value).items()
        metadata = obj.metadata
        return isinstance(metadata, dict) and key in metadata and _same(metadata[key], wanted)

    @property
    def pair(self) -> tuple[str, Scalar]:
        ((key, wanted),) = json.loads(self.value).items()
        return key, wanted


def metadata_has(key: str, value: Scalar) -> MetadataEquals:
    if not isinstance(key, str):
        raise InvalidInput(f"metadata filter keys are strings, got {type(key).__name__}")
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise InvalidInput(f"metadata filter values are str, int, float, bool or None, not {type(value).__name__}")
    document = check_json_value("metadata filter", {key: value})
    return MetadataEquals(METADATA, Op.CONTAINS, encode_json(document))


def metadata_matches(metadata_filter: Mapping[str, Scalar] | None) -> Specification:
    """Every pair of the filter holds (an empty or None filter matches everything)."""
    if metadata_filter is None:
        return Everything()
    if not isinstance(metadata_filter, Mapping):
        raise InvalidInput(f"a metadata filter is a mapping, got {type(metadata_filter).__name__}")
    parts = [metadata_has(key, value) for key, value in metadata_filter.items()]
    if not parts:
        return Everything()
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _after(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix`, or None."""
    chars = list(prefix)
    while chars:
        code = ord(chars.pop()) + 1
        if code == 0xD800:  # skip the surrogates, which no stored text holds
            code = 0xE000
        if code <= sys.maxunicode:
            return "".join(chars) + chr(code)
    return None


def key_prefix(prefix: str | None, field: str = "key") -> Specification:
    """Keys starting with `prefix`; None or "" matches everything."""
    if prefix is None or prefix == "":
        return Everything()
    if not isinstance(prefix, str):
        raise InvalidInput(f"a key prefix is a string, got {type(prefix).__name__}")
    spec = Field(field).startswith(prefix) & (Field(field) >= prefix)
    upper = _after(prefix)
    return spec if upper is None else spec & (Field(field) < upper)


def check_filters(spec: Specification) -> None:
    """`metadata` is only compared through metadata_has(); a plain comparison of it is refused."""
    if isinstance(spec, (And, Or)):
        for part in spec.parts:
            check_filters(part)
    elif isinstance(spec, Not):
        check_filters(spec.inner)
    elif isinstance(spec, Comparison) and spec.field == METADATA and not isinstance(spec, MetadataEquals):
        raise InvalidInput("compare metadata with metadata_has(key, value)")


def check_query(query: Specification | Query | None) -> None:
    if isinstance(query, Query):
        check_filters(query.where)
    elif isinstance(query, Specification):
        check_filters(query)


class MemoryRepository(Protocol):
    seen: set[MemoryEntry]

    def put(self, entry: MemoryEntry | MemoryDraft) -> bool:
        """Create the entry, or replace value, metadata and updated_at of the one with its key
        (its created_at stays). True when it was created."""
        ...

    def get(self, key: str) -> MemoryEntry | None: ...

    def list(self, query: Specification | Query | None = None) -> list[MemoryEntry]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def remove(self, spec: Specification) -> int: ...


class CatalogRepository(Protocol):
    seen: set[CatalogEntry]

    def put(self, entry: CatalogEntry) -> bool:
        """Create, or update every tracked field of the entry with its key (created_at stays)."""
        ...

    def get(self, key: str) -> CatalogEntry | None: ...

    def list(self, query: Specification | Query | None = None) -> list[CatalogEntry]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def total_bytes(self, spec: Specification | None = None) -> int: ...

    def remove(self, spec: Specification) -> int: ...


class CatalogSnapshotRepository(Protocol):
    seen: set[CatalogSnapshot]

    def add(self, snapshot: CatalogSnapshot) -> None: ...

    def get(self, snapshot_id: str) -> CatalogSnapshot | None: ...

    def list(self, query: Specification | Query | None = None) -> list[CatalogSnapshot]: ...
