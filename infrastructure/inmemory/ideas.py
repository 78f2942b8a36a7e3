"""InMemoryIdeaRepository: ideas in a dict keyed by id, ids from a never-reused sequence."""

import copy
import itertools

from domain.ideas.model import IdeaInspiration, check_idea_id
from domain.ideas.ports import IDEA_FIELDS
from domain.shared.errors import AlreadyExists, InvalidInput
from domain.shared.specification import Field, Query, Specification, apply, as_query


class InMemoryIdeaRepository:
    def __init__(self, rows: dict[int, IdeaInspiration], sequence: itertools.count) -> None:
        self.rows, self.sequence = rows, sequence
        self.seen: set[IdeaInspiration] = set()

    def _check(self, ideas: list[IdeaInspiration]) -> None:
        taken = {idea.source_id for idea in self.rows.values() if idea.source_id is not None}
        for index, idea in enumerate(ideas):
            if not isinstance(idea, IdeaInspiration):
                raise InvalidInput(f"item #{index} is not an IdeaInspiration but {type(idea).__name__}")
            if idea.source_id is not None:
                if idea.source_id in taken:
                    raise AlreadyExists(f"an idea with source_id {idea.source_id!r} already exists")
                taken.add(idea.source_id)

    def add(self, idea: IdeaInspiration) -> int:
        self._check([idea])
        idea.id = next(self.sequence)
        self.rows[idea.id] = idea
        self.seen.add(idea)
        return idea.id

    def add_many(self, ideas: list[IdeaInspiration]) -> int:
        self._check(ideas)
        for idea in ideas:  # the stored copies get ids; the given objects keep None, as on SQL
            stored = copy.deepcopy(idea)
            stored.id = next(self.sequence)
            self.rows[stored.id] = stored
        return len(ideas)

    def get(self, idea_id: int) -> IdeaInspiration | None:
        check_idea_id(idea_id)
        idea = self.rows.get(idea_id)
        if idea is not None:
            self.seen.add(idea)
        return idea

    def get_by_source_id(self, source_id: str) -> IdeaInspiration | None:
        found = self.list(Field("source_id") == source_id)
        return found[0] if found else None

    def list(self, query: Specification | Query | None = None) -> list[IdeaInspiration]:
        found = apply(as_query(query), self.rows.values(), IDEA_FIELDS, key="id")
        self.seen.update(found)
        return found

    def count(self, spec: Specification | None = None) -> int:
        return len(apply(as_query(spec), self.rows.values(), IDEA_FIELDS, key="id"))

    def remove(self, spec: Specification) -> int:
        doomed = apply(as_query(spec), self.rows.values(), IDEA_FIELDS, key="id")
        for idea in doomed:
            del self.rows[idea.id]
        return len(doomed)
