"""InMemoryIdeaRepository: ideas in a dict keyed by id, ids from a never-reused sequence."""

import copy
import itertools

import attrs

from memcore.domain.ideas.model import IdeaDraft, IdeaInspiration, check_idea_id
from memcore.domain.ideas.ports import IDEA_FIELDS
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.domain.shared.specification import Field
from memcore.infrastructure.inmemory.base import InMemoryRepository


class InMemoryIdeaRepository(InMemoryRepository):
    fields, key = IDEA_FIELDS, "id"

    def __init__(self, rows: dict[int, IdeaInspiration], sequence: itertools.count) -> None:
        super().__init__(rows)
        self.sequence = sequence

    def _check(self, ideas: list[IdeaInspiration]) -> None:
        taken = {idea.source_id for idea in self.rows.values() if idea.source_id is not None}
        for index, idea in enumerate(ideas):
            if not isinstance(idea, (IdeaInspiration, IdeaDraft)):
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

    def add_many(self, ideas: list[IdeaInspiration | IdeaDraft]) -> int:
        self._check(ideas)
        for idea in ideas:  # the stored copies get ids; the given objects keep None, as on SQL
            if isinstance(idea, IdeaDraft):
                stored = IdeaInspiration(**copy.deepcopy(attrs.asdict(idea, recurse=False)))
            else:
                stored = copy.deepcopy(idea)
            stored.id = next(self.sequence)
            self.rows[stored.id] = stored
        return len(ideas)

    def get(self, idea_id: int) -> IdeaInspiration | None:
        return self._seen(self.rows.get(check_idea_id(idea_id)))

    def get_by_source_id(self, source_id: str) -> IdeaInspiration | None:
        found = self.list(Field("source_id") == source_id)
        return found[0] if found else None
