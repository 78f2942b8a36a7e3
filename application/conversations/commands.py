"""Commands of the conversations context: frozen, primitives only.

`changes` maps field names to new values; a field left out keeps its value, None clears it.
"""

from typing import Any

import attrs


@attrs.frozen
class CreateUser:
    external_id: str | None = None
    name: str | None = None
    email: str | None = None
    id: str | None = None


@attrs.frozen
class GetOrCreateUser:
    """The user with `external_id`, created with `name` and `email` if there is none (race-safe)."""

    external_id: str
    name: str | None = None
    email: str | None = None


@attrs.frozen
class UpdateUser:
    user_id: str
    changes: dict[str, Any]  # external_id, name, email


@attrs.frozen
class DeleteUser:
    """Deletes the user's conversations and messages too."""

    user_id: str


@attrs.frozen
class StartConversation:
    user_id: str | None = None
    title: str | None = None
    id: str | None = None


@attrs.frozen
class UpdateConversation:
    conversation_id: str
    changes: dict[str, Any]  # title, status ("archived" archives, "active" reopens)


@attrs.frozen
class RenameConversation:
    conversation_id: str
    title: str | None


@attrs.frozen
class ArchiveConversation:
    conversation_id: str


@attrs.frozen
class DeleteConversation:
    conversation_id: str


@attrs.frozen
class PostMessage:
    conversation_id: str
    sender_type: str
    content: str
    role_metadata: dict[str, Any] | None = None
    id: str | None = None
    even_if_archived: bool = False  # the chat drop-in's rule: an archived conversation takes posts


@attrs.frozen
class DeleteMessage:
    message_id: str


@attrs.frozen
class UpsertKnowledgeChunk:
    source: str
    external_id: str
    content: str
    title: str | None = None
    chunk_metadata: dict[str, Any] | None = None


@attrs.frozen
class BulkUpsertKnowledgeChunks:
    """Dicts with the fields of UpsertKnowledgeChunk; for a key given twice the last one wins.
    Written in batches of `batch_size`, each one statement; one invalid item rejects them all."""

    items: tuple[dict[str, Any], ...] = attrs.field(converter=tuple)
    batch_size: int = 1000


@attrs.frozen
class DeleteKnowledgeChunk:
    chunk_id: str
