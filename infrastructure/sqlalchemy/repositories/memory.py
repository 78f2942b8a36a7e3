"""SqlAlchemyMemoryRepository: memory entries through the session of a Unit of Work.

`put` is the hot path: a MemoryDraft (no ORM entity) written by one upsert on a DB-API cursor of the
transaction's connection (memory_sql.Upsert), plus,
on MariaDB, the search row the application maintains there (search.py).
"""

from typing import Any

from memcore.domain.memory.model import MEMORY_FIELDS_STORED, MemoryDraft, MemoryEntry
from memcore.domain.memory.ports import MEMORY_FIELDS
from memcore.domain.memory.text import indexed_text
from memcore.domain.memory.values import check_key
from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.repositories.cursor import Transaction
from memcore.infrastructure.sqlalchemy.repositories.memory_sql import MemoryContextRepository, Upsert
from memcore.infrastructure.sqlalchemy.tables import LTM_SEARCH, ltm_entries

_UPSERTS: dict[str, tuple[Upsert, str | None]] = {}


def _upsert(dialect: Any) -> tuple[Upsert, str | None]:
    """The entry upsert and, where the application keeps the search row, its SQL; built once per dialect."""
    if dialect.name not in _UPSERTS:
        upsert = Upsert(ltm_entries, MEMORY_FIELDS_STORED, "key", ("value", "metadata", "updated_at"), dialect)
        side = search.upsert_side_sql(LTM_SEARCH, dialect) if LTM_SEARCH.app_maintained(dialect.name) else None
        _UPSERTS[dialect.name] = (upsert, side)
    return _UPSERTS[dialect.name]


class SqlAlchemyMemoryRepository(MemoryContextRepository):
    entity, table, fields, key = MemoryEntry, ltm_entries, MEMORY_FIELDS, "key"

    def __init__(self, transaction: Transaction) -> None:
        super().__init__(transaction)
        self._upsert, self._side_sql = _upsert(transaction.dialect)

    def put(self, entry: MemoryEntry | MemoryDraft) -> bool:
        if not isinstance(entry, MemoryDraft):
            self._check([entry])
        loaded = self.loaded(entry.key)
        if loaded is not None:  # already in this session: change it there, the flush writes it
            loaded.replace(entry.value, entry.metadata, entry.updated_at)
            self.seen.add(loaded)
            self.session.flush()
            self._write_search_row(loaded)
            return False
        created = self._upsert(self.execute, [getattr(entry, name) for name in MEMORY_FIELDS_STORED])
        self._write_search_row(entry)
        return created

    def _write_search_row(self, entry: MemoryEntry | MemoryDraft) -> None:
        if self._side_sql is not None:
            row = search.side_row(LTM_SEARCH, entry.key, [indexed_text(entry.key, entry.value)])
            self.execute(self._side_sql, (entry.key, row["body"]))

    def get(self, key: str) -> MemoryEntry | None:
        return self._seen(self.session.get(MemoryEntry, check_key(key)))
