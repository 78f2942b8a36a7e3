"""SqlAlchemyKnowledgeRepository: knowledge chunks; writes are the dialect's insert-or-update."""

from operator import attrgetter
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect

from memcore.domain.conversations.model import KnowledgeChunk
from memcore.domain.conversations.ports import CHUNK_FIELDS
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.mappers import flag_changed_json
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from memcore.infrastructure.sqlalchemy.repositories.cursor import Transaction
from memcore.infrastructure.sqlalchemy.tables import knowledge_chunks as table

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
        self.sql, names = upsert_statement(dialect)
        if dialect.name not in _CODECS:  # the values in the order the statement takes them
            _CODECS[dialect.name] = RowCodec(table, names, dialect)
        self.codec = _CODECS[dialect.name]
        self._values = attrgetter(*names)
        self._names = None if dialect.positional else names

    def upsert(self, chunks: list[KnowledgeChunk]) -> None:
        """One statement for the whole list, run with every chunk's values (an executemany on the
        lean route: rows are encoded while a pipelining driver sends the first ones)."""
        self._check(chunks)
        keys = {chunk.key for chunk in chunks}
        if len(keys) != len(chunks):
            raise InvalidInput("an upsert holds the same (source, external_id) twice")
        if not chunks:
            return
        session = self.transaction.made_session
        if session is not None:  # chunks changed in this session are written first
            flag_changed_json(session.identity_map.values())
            session.flush()
        encode, values, names = self.codec.encode, self._values, self._names
        if names is None:
            rows: Any = (encode(values(chunk)) for chunk in chunks)
        else:
            rows = (dict(zip(names, encode(values(chunk)), strict=True)) for chunk in chunks)
        self.execute_many(self.sql, rows)
        if session is not None:
            session.expire_all()  # loaded chunks may have been updated underneath

    def get(self, chunk_id: str) -> KnowledgeChunk | None:
        return self._seen(self.session.get(KnowledgeChunk, chunk_id))

    def get_by_key(self, source: str, external_id: str) -> KnowledgeChunk | None:
        statement = self._select().where(table.c.source == source, table.c.external_id == external_id)
        return self._seen(self.session.scalars(statement).first())
