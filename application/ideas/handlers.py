"""Write-side use cases of the ideas context."""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol

import attrs

from memcore.application.ideas import commands
from memcore.application.unit_of_work import UnitOfWork
from memcore.domain.ideas.model import IdeaDraft, IdeaInspiration, check_idea_id
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field
from memcore.domain.shared.validation import shown

Clock = Callable[[], datetime]


def _without_id(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "id"}


def _stamped(data: dict[str, Any], now: datetime) -> IdeaInspiration:
    if not isinstance(data, dict):
        raise InvalidInput(f"an idea must be a mapping, got {type(data).__name__}")
    return IdeaInspiration.from_dict(_without_id(data) if "id" in data else data, now)


class AddIdeaHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.AddIdea) -> int:
        idea = _stamped(cmd.data, self.clock())
        with self.uow:
            idea_id = self.uow.ideas.add(idea)
            self.uow.commit()
        return idea_id


def build_batch(items: Iterable[dict[str, Any]], now: datetime) -> list[IdeaDraft]:
    """Validate every item into an IdeaDraft first; the first bad one rejects the batch, named by index and title."""
    ideas: list[IdeaDraft] = []
    sources: dict[str, int] = {}
    for index, data in enumerate(items):
        try:
            if not isinstance(data, dict):
                raise InvalidInput(f"an idea must be a mapping, got {type(data).__name__}")
            idea = IdeaDraft.from_dict(_without_id(data) if "id" in data else data, now)
        except InvalidInput as exc:
            title = data.get("title") if isinstance(data, dict) else None
            raise InvalidInput(f"idea #{index} ({shown(title)}) is invalid: {exc}") from None
        if idea.source_id is not None:
            if idea.source_id in sources:
                first = sources[idea.source_id]
                raise InvalidInput(f"idea #{index} ({shown(idea.title)}) repeats the source_id of idea #{first}")
            sources[idea.source_id] = index
        ideas.append(idea)
    return ideas


class AddIdeasHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.AddIdeas) -> int:
        ideas = build_batch(cmd.items, self.clock())
        with self.uow:
            added = self.uow.ideas.add_many(ideas)
            self.uow.commit()
        return added


class UpsertIdeaHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def __call__(self, cmd: commands.UpsertIdea) -> tuple[int, bool]:
        """Returns (id, created)."""
        now = self.clock()
        incoming = _stamped(cmd.data, now)
        if incoming.source_id is None:
            raise InvalidInput("an upsert needs a source_id")
        with self.uow:
            current = self.uow.ideas.get_by_source_id(incoming.source_id)
            if current is None:
                idea_id = self.uow.ideas.add(incoming)
                created = True
            else:
                for name in attrs.fields_dict(IdeaInspiration):
                    if name not in ("id", "created_at", "events"):
                        setattr(current, name, getattr(incoming, name))
                current.updated_at = now
                idea_id, created = current.id, False
            self.uow.commit()
        return idea_id, created


class RemoveIdeasHandler:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, cmd: commands.RemoveIdeas) -> int:
        for idea_id in cmd.ids:
            check_idea_id(idea_id)
        with self.uow:
            removed = self.uow.ideas.remove(Field("id").is_in(cmd.ids))
            self.uow.commit()
        return removed


# -- import from a legacy raw-SQLite database -------------------------------------------------


class LegacyIdeaSource(Protocol):
    """Rows of a legacy store: (legacy id, the row as an idea dict, or why it cannot be read)."""

    def rows(self) -> Iterator[tuple[int, dict[str, Any] | str]]: ...

    def close(self) -> None: ...


@attrs.frozen
class ImportReport:
    read: int
    imported: int
    skipped: int
    reasons: tuple[tuple[int, str], ...]  # (legacy id, why it was skipped)


class ImportLegacyIdeasHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, open_source: Callable[[str], LegacyIdeaSource]) -> None:
        self.uow, self.clock, self.open_source = uow, clock, open_source

    def __call__(self, cmd: commands.ImportLegacyIdeas) -> ImportReport:
        if cmd.batch_size < 1:
            raise InvalidInput("batch_size must be at least 1")
        source = self.open_source(cmd.path)
        read = imported = 0
        reasons: list[tuple[int, str]] = []
        try:
            batch: list[tuple[int, IdeaDraft]] = []
            for legacy_id, row in source.rows():
                read += 1
                idea = self._idea(legacy_id, row, reasons)
                if idea is not None:
                    batch.append((legacy_id, idea))
                if len(batch) >= cmd.batch_size:
                    imported += self._store(batch, reasons)
                    batch = []
            imported += self._store(batch, reasons)
        finally:
            source.close()
        return ImportReport(read, imported, len(reasons), tuple(reasons))

    def _idea(self, legacy_id: int, row: dict[str, Any] | str, reasons: list) -> IdeaDraft | None:
        if isinstance(row, str):
            reasons.append((legacy_id, row))
            return None
        data = {k: v for k, v in row.items() if k != "id"}
        # Rows without a source id get a stable one, so a second import recognises them.
        data["source_id"] = data.get("source_id") or f"legacy:{legacy_id}"
        now = self.clock()
        data.setdefault("created_at", now)
        data.setdefault("updated_at", data.get("created_at") or now)
        try:
            return IdeaDraft.from_dict({k: v for k, v in data.items() if v is not None or k == "score"})
        except InvalidInput as exc:
            reasons.append((legacy_id, str(exc)))
            return None

    def _store(self, batch: list[tuple[int, IdeaDraft]], reasons: list) -> int:
        if not batch:
            return 0
        with self.uow:
            wanted = [idea.source_id for _, idea in batch]
            present = {idea.source_id for idea in self.uow.ideas.list(Field("source_id").is_in(wanted))}
            fresh: list[IdeaDraft] = []
            for legacy_id, idea in batch:
                if idea.source_id in present:
                    reasons.append((legacy_id, f"already imported (source_id {shown(idea.source_id)})"))
                else:
                    present.add(idea.source_id)
                    fresh.append(idea)
            added = self.uow.ideas.add_many(fresh) if fresh else 0
            self.uow.commit()
        return added
