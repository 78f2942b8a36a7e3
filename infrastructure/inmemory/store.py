"""The committed state of the fakes, and row-level commit: what a database would do."""

import copy
import itertools
from typing import Any

import attrs

from memcore.domain.shared.errors import AlreadyExists, ConcurrencyError

Rows = dict[str, Any]


@attrs.define
class InMemoryStore:
    """The committed state several units of work can share, like one database."""

    conflicts: Rows = attrs.field(factory=dict)
    ideas: Rows = attrs.field(factory=dict)
    idea_ids: itertools.count = attrs.field(factory=lambda: itertools.count(1))  # like a DB sequence
    checkpoints: Rows = attrs.field(factory=dict)
    memory: Rows = attrs.field(factory=dict)
    catalog: Rows = attrs.field(factory=dict)
    catalog_snapshots: Rows = attrs.field(factory=dict)
    messages: Rows = attrs.field(factory=dict)
    conversations: Rows = attrs.field(factory=dict)
    users: Rows = attrs.field(factory=dict)
    knowledge: Rows = attrs.field(factory=dict)


def _state(entity: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(entity).items() if k != "events" and not k.startswith("_")}


def snapshot(rows: Rows) -> Rows:
    """A private copy for one transaction; events are not part of the stored state."""
    copied = copy.deepcopy(rows)
    for entity in copied.values():
        entity.events = []
    return copied


def merge(
    base: Rows,
    working: Rows,
    committed: Rows,
    what: str,
    unique: tuple[tuple[str, ...], ...] = (),
    versioned: bool = False,
) -> None:
    """Apply to `committed` only the rows this transaction inserted, changed or deleted since `base`.

    An insert whose key another transaction committed meanwhile, or a combination of `unique`
    attributes another row now holds, is refused, and nothing is applied. With `versioned`, a
    changed row whose committed `version` moved on since `base` (or that was deleted) raises
    ConcurrencyError; a row changed without raising its version gets the next one.
    """
    inserted = working.keys() - base.keys()
    clashes = sorted(key for key in inserted if key in committed)
    if clashes:
        raise AlreadyExists(f"a {what} with id {clashes[0]!r} already exists")
    changed = {key: e for key, e in working.items() if key in inserted or _state(e) != _state(base[key])}
    if versioned:
        for key, entity in changed.items():
            if key in inserted:
                continue
            if key not in committed or committed[key].version != base[key].version:
                raise ConcurrencyError(f"the {what} {key!r} was changed or deleted by another writer")
            if entity.version == base[key].version:
                entity.version += 1
    deleted = base.keys() - working.keys()
    for names in unique:

        def key_of(entity: Any, names: tuple[str, ...] = names) -> tuple[Any, ...]:
            return tuple(getattr(entity, name) for name in names)

        others = {key_of(e) for k, e in committed.items() if k not in changed and k not in deleted}
        for entity in changed.values():
            if None not in key_of(entity) and key_of(entity) in others:
                raise AlreadyExists(f"a {what} with {', '.join(names)} {key_of(entity)!r} already exists")
    for key, entity in changed.items():
        committed[key] = snapshot({key: entity})[key]
    for key in deleted:
        committed.pop(key, None)
