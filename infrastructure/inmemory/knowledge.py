"""InMemoryKnowledgeRepository: knowledge chunks in a dict, upserted on (source, external_id)."""

import copy

from memcore.domain.conversations.model import CHUNK_FIELD_NAMES as FIELDS
from memcore.domain.conversations.model import KnowledgeChunk
from memcore.domain.conversations.ports import CHUNK_FIELDS
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.inmemory.base import InMemoryRepository


class InMemoryKnowledgeRepository(InMemoryRepository):
    fields, key = CHUNK_FIELDS, "id"

    def upsert(self, chunks: list[KnowledgeChunk]) -> None:
        keys = set()
        for index, chunk in enumerate(chunks):
            if not isinstance(chunk, KnowledgeChunk):
                raise InvalidInput(f"item #{index} is not a KnowledgeChunk but {type(chunk).__name__}")
            if chunk.key in keys:
                raise InvalidInput(f"item #{index} repeats the key {chunk.key!r} within one upsert")
            keys.add(chunk.key)
        stored = {chunk.key: chunk for chunk in self.rows.values()}
        for chunk in chunks:  # stored as copies: SQL does not attach the given objects either
            current = stored.get(chunk.key)
            if current is None:
                if chunk.id in self.rows:
                    current = self.rows[chunk.id]
                    raise AlreadyExists(f"chunk id {chunk.id!r} is taken by {current.key!r}")
                self.rows[chunk.id] = KnowledgeChunk(**{name: copy.deepcopy(getattr(chunk, name)) for name in FIELDS})
            else:
                current.replace_content(chunk)

    def get(self, chunk_id: str) -> KnowledgeChunk | None:
        return self._seen(self.rows.get(chunk_id))

    def get_by_key(self, source: str, external_id: str) -> KnowledgeChunk | None:
        for chunk in self.rows.values():
            if chunk.key == (source, external_id):
                return self._seen(chunk)
        return None
