"""SqlAlchemyKnowledgeRepository: knowledge chunks; writes are the dialect's insert-or-update."""

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect

from domain.conversations.model import KnowledgeChunk
from domain.conversations.ports import CHUNK_FIELDS
from domain.shared.errors import InvalidInput
from infrastructure.sqlalchemy.fastpath import RowCodec
from infrastructure.sqlalchemy.mappers import flag_changed_json
from infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from infrastructure.sqlalchemy.repositories.cursor import Transaction
from infrastructure.sqlalchemy.tables import knowledge_chunks as table

COLUMNS = ("id", "source", "external_id", "title", "content", "chunk_metadata", "created_at", "updated_at")
UPDATED = ("title", "content", "chunk_metadata", "updated_at")  # id and created_at stay
_UPSERTS: dict[str, tuple[str, list[str]]] = {}
_CODECS: dict[str, RowCodec] = {}


def upsert_statement(dialect: Dialect) -> tuple[str, list[str]]:
    """INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE for `dialect`, rendered once, and the order of
    its parameters (names in that order for positional drivers, else the keys of a mapping)."""
    if dialect.name not in _UPSERTS:
        values = {name: bindparam(name) for name in COLUMNS}
        if dialect.name in ("mysql", "mariadb"):
            stmt: Any = mysql.insert(table).values(values)
            stmt = stmt.on_duplicate_key_update({name: stmt.inserted[name] for name in UPDATED})
        else:
            stmt = (postgresql if dialect.name == "postgresql" else sqlite).insert(table).values(values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["source", "external_id"], set_={name: stmt.excluded[name] for name in UPDATED}
            )
        compiled = stmt.compile(dialect=dialect)
        names = list(compiled.positiontup) if compiled.positional else list(COLUMNS)
        _UPSERTS[dialect.name] = (compiled.string, names)
    return _UPSERTS[dialect.name]


class SqlAlchemyKnowledgeRepository(SqlAlchemyRepository):
    entity, table, fields, key = KnowledgeChunk, table, CHUNK_FIELDS, "id"

    def __init__(self, transaction: Transaction) -> None:
        super().__init__(transaction)
        dialect = transaction.dialect
        if dialect.name not in _CODECS:
            _CODECS[dialect.name] = RowCodec(table, COLUMNS, dialect)
        self.codec = _CODECS[dialect.name]
        self.sql, names = upsert_statement(dialect)
        self.positional = dialect.positional
        self.order = [COLUMNS.index(name) for name in names]

    def upsert(self, chunks: list[KnowledgeChunk]) -> None:
        """One statement for the whole list, run with every chunk's values (an executemany)."""
        self._check(chunks)
        keys = {chunk.key for chunk in chunks}
        if len(keys) != len(chunks):
            raise InvalidInput("an upsert holds the same (source, external_id) twice")
        if not chunks:
            return
        flag_changed_json(self.session.identity_map.values())  # chunks changed in this session go first
        self.session.flush()
        encode, order = self.codec.encode, self.order
        rows: list[Any] = []
        for chunk in chunks:
            values = encode([getattr(chunk, name) for name in COLUMNS])
            rows.append(tuple(values[i] for i in order) if self.positional else dict(zip(COLUMNS, values, strict=True)))
        self.session.connection().exec_driver_sql(self.sql, rows)
        self.session.expire_all()  # loaded chunks may have been updated underneath

    def get(self, chunk_id: str) -> KnowledgeChunk | None:
        return self._seen(self.session.get(KnowledgeChunk, chunk_id))

    def get_by_key(self, source: str, external_id: str) -> KnowledgeChunk | None:
        statement = self._select().where(table.c.source == source, table.c.external_id == external_id)
        return self._seen(self.session.scalars(statement).first())
