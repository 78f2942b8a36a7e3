"""Commands of the ideas context; ideas travel as plain dicts (IdeaInspiration.to_dict's shape)."""

from typing import Any

import attrs


@attrs.frozen
class AddIdea:
    data: dict[str, Any]


@attrs.frozen
class AddIdeas:
    """All or nothing: one invalid item rejects the batch."""

    items: tuple[dict[str, Any], ...] = attrs.field(converter=tuple)


@attrs.frozen
class UpsertIdea:
    """Create, or update the idea with the same source_id."""

    data: dict[str, Any]


@attrs.frozen
class RemoveIdeas:
    ids: tuple[int, ...] = attrs.field(converter=tuple)


@attrs.frozen
class ImportLegacyIdeas:
    """Copy ideas from a legacy raw-SQLite database; running it twice adds nothing."""

    path: str
    batch_size: int = 1000
