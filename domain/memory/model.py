"""MemoryEntry, CatalogEntry and CatalogSnapshot: the memory context's entities."""

import hashlib
import uuid
from datetime import datetime
from typing import Any

import attrs

from memcore.domain.memory.values import check_json_object_or_none, check_json_value, check_key
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_all, check_text, check_utc, draft_class, on_setattr, shown

HASH_MAX_LENGTH = 255
URI_MAX_LENGTH = 2048
NAME_MAX_LENGTH = 255
MEMORY_FIELDS_STORED = ("key", "value", "metadata", "created_at", "updated_at")
CATALOG_FIELDS_STORED = (
    "id", "key", "content_hash", "storage_uri", "byte_size", "inlined_value", "metadata", "expires_at",
    "created_at", "updated_at",
)  # fmt: skip
SNAPSHOT_FIELDS_STORED = ("id", "name", "created_at", "entry_count", "total_bytes")


def _key(name: str, value: Any) -> str:
    return check_key(value, name)


def _opt_utc(name: str, value: Any) -> datetime | None:
    return None if value is None else check_utc(name, value)


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise InvalidInput(f"{name} must be a non-negative integer, got {shown(value)}")
    return value


def _text(max_length: int, optional: bool = False) -> Any:
    def run(name: str, value: Any) -> str | None:
        if optional and value is None:
            return None
        return check_text(name, value, max_length=max_length, empty=False)

    return run


def _opt_json(name: str, value: Any) -> Any:
    return None if value is None else check_json_value(name, value)


def catalog_id(key: str) -> str:
    """A catalog entry's id: the SHA-256 of its key (UTF-8), in lower-case hex."""
    return hashlib.sha256(check_key(key).encode("utf-8")).hexdigest()


def check_snapshot_id(value: Any, name: str = "snapshot id") -> str:
    """A UUID in its canonical text form."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a UUID string, got {type(value).__name__}")
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput(f"{name} is not a UUID: {shown(value)}") from None
    if canonical != value:
        raise InvalidInput(f"{name} must be written as {shown(canonical)}")
    return value


_MEMORY_RULES: dict[str, Any] = {
    "key": _key,
    "value": check_json_value,
    "metadata": check_json_object_or_none,
    "created_at": check_utc,
    "updated_at": check_utc,
}


@attrs.define(slots=False, eq=False, on_setattr=on_setattr(_MEMORY_RULES))
class MemoryEntry:
    """A JSON value kept under a key, with optional metadata (a JSON object, or None)."""

    key: str
    value: Any
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any] | None = None
    events: list[Any] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _MEMORY_RULES)

    def replace(self, value: Any, metadata: dict[str, Any] | None, now: datetime) -> None:
        """New value and metadata; created_at stays."""
        self.value = value
        self.metadata = metadata
        self.updated_at = now


class _Draft:
    __slots__ = ()

    def entry(self) -> MemoryEntry:
        """The entity with these fields."""
        return MemoryEntry(**{name: getattr(self, name) for name in MEMORY_FIELDS_STORED})


# A validated entry to store (create or replace): the same fields and rules as MemoryEntry, as a
# frozen value the store path carries.
MemoryDraft = draft_class(
    "MemoryDraft", MemoryEntry, _MEMORY_RULES, _Draft,
    "A validated memory entry to write: what StoreMemory carries to the repository.",
)  # fmt: skip


_CATALOG_RULES: dict[str, Any] = {
    "key": _key,
    "content_hash": _text(HASH_MAX_LENGTH),
    "storage_uri": _text(URI_MAX_LENGTH, optional=True),
    "byte_size": _count,
    "inlined_value": _opt_json,
    "metadata": check_json_object_or_none,
    "expires_at": _opt_utc,
    "created_at": check_utc,
    "updated_at": check_utc,
}


def _check_id(id: str, key: str) -> None:
    if id != catalog_id(key):
        raise InvalidInput("a catalog entry's id is the SHA-256 hex of its key")


@attrs.define(
    slots=False,
    eq=False,
    on_setattr=on_setattr(_CATALOG_RULES, ("id", "key"), lambda **pair: _check_id(**pair)),
)
class CatalogEntry:
    """A blob tracked by the catalog: where it is (or its value inlined), its hash, size and expiry."""

    key: str
    content_hash: str
    byte_size: int
    created_at: datetime
    updated_at: datetime
    storage_uri: str | None = None
    inlined_value: Any = None
    metadata: dict[str, Any] | None = None
    expires_at: datetime | None = None
    id: str = attrs.field(default=attrs.Factory(lambda self: catalog_id(self.key), takes_self=True))
    events: list[Any] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _CATALOG_RULES)
        _check_id(self.id, self.key)

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def update_from(self, other: "CatalogEntry", now: datetime) -> None:
        """Take every tracked field of `other` (same key); created_at stays."""
        for name in ("content_hash", "storage_uri", "byte_size", "inlined_value", "metadata", "expires_at"):
            setattr(self, name, getattr(other, name))
        self.updated_at = now


_SNAPSHOT_RULES: dict[str, Any] = {
    "id": lambda name, value: check_snapshot_id(value, name),
    "name": _text(NAME_MAX_LENGTH),
    "created_at": check_utc,
    "entry_count": _count,
    "total_bytes": _count,
}


@attrs.define(slots=False, eq=False, on_setattr=on_setattr(_SNAPSHOT_RULES))
class CatalogSnapshot:
    """A named point in time of the catalog: how many entries and bytes it held then."""

    name: str
    created_at: datetime
    entry_count: int
    total_bytes: int
    id: str = attrs.field(factory=lambda: str(uuid.uuid4()))
    events: list[Any] = attrs.field(factory=list, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        check_all(self, _SNAPSHOT_RULES)
