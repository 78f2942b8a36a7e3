"""The committed state of the fakes, and row-level commit: what a database would do."""

import copy
import itertools
from typing import Any

import attrs

from domain.shared.errors import AlreadyExists

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


def _state(entity: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(entity).items() if k != "events" and not k.startswith("_")}


def snapshot(rows: Rows) -> Rows:
    """A private copy for one transaction; events are not part of the stored state."""
    copied = copy.deepcopy(rows)
    for entity in copied.values():
        entity.events = []
    return copied


def merge(base: Rows, working: Rows, committed: Rows, what: str, unique: tuple[str, ...] | None = None) -> None:
    """Apply to `committed` only the rows this transaction inserted, changed or deleted since `base`.

    An insert whose key another transaction committed meanwhile, or a combination of the `unique`
    attributes another row now holds, is refused, and nothing is applied.
    """
    inserted = working.keys() - base.keys()
    clashes = sorted(key for key in inserted if key in committed)
    if clashes:
        raise AlreadyExists(f"a {what} with id {clashes[0]!r} already exists")
    changed = {key: e for key, e in working.items() if key in inserted or _state(e) != _state(base[key])}
    if unique is not None:

        def key(entity: Any) -> tuple[Any, ...]:
            return tuple(getattr(entity, name) for name in unique)

        deleted = base.keys() - working.keys()
        others = {key(e) for k, e in committed.items() if k not in changed and k not in deleted}
        for entity in changed.values():
            if None not in key(entity) and key(entity) in others:
                raise AlreadyExists(f"a {what} with {', '.join(unique)} {key(entity)!r} already exists")
    for key, entity in changed.items():
        committed[key] = snapshot({key: entity})[key]
    for key in base.keys() - working.keys():
        committed.pop(key, None)
