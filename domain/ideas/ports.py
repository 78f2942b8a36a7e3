"""The storage port of the ideas context and the fields a Specification may name."""

from datetime import datetime
from typing import Protocol

from memcore.domain.ideas.model import IdeaDraft, IdeaInspiration
from memcore.domain.shared.specification import Query, Specification

# `keywords` is a list: `Field("keywords").contains(word)` matches ideas having that keyword.
IDEA_FIELDS: dict[str, type] = {
    "id": int,
    "title": str,
    "description": str,
    "content": str,
    "keywords": list,
    "source_type": str,
    "source_id": str,
    "source_url": str,
    "source_created_by": str,
    "source_created_at": datetime,
    "score": int,
    "category": str,
    "created_at": datetime,
    "updated_at": datetime,
}


class IdeaRepository(Protocol):
    seen: set[IdeaInspiration]

    def add(self, idea: IdeaInspiration) -> int:
        """Store one idea and return the id storage gave it."""
        ...

    def add_many(self, ideas: "list[IdeaInspiration | IdeaDraft]") -> int:
        """Store many at once (the bulk path: ids are not read back, entities are not tracked); returns how many."""
        ...

    def get(self, idea_id: int) -> IdeaInspiration | None: ...

    def get_by_source_id(self, source_id: str) -> IdeaInspiration | None: ...

    def list(self, query: Specification | Query | None = None) -> list[IdeaInspiration]: ...

    def count(self, spec: Specification | None = None) -> int: ...

    def remove(self, spec: Specification) -> int: ...
