"""The conversations read model on the lean route: users, conversations, messages, knowledge chunks.

Point reads and pages run on the FastReader (SQL rendered once, one autocommit DB-API connection
per thread, values decoded by the column types); counts are Core statements.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import BigInteger, Engine, Select, Table, bindparam, func, literal_column, select

from memcore.application.conversations.views import ConversationView, KnowledgeChunkView, MessageView, UserView
from memcore.domain.conversations.model import email_key
from memcore.domain.conversations.ports import CHUNK_FIELDS, CONVERSATION_FIELDS, MESSAGE_FIELDS, USER_FIELDS
from memcore.domain.shared.specification import Query, Schema, Specification, as_query, validate
from memcore.infrastructure.sqlalchemy import search
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.fastpath import FastReader, PlannedReads, RowCodec
from memcore.infrastructure.sqlalchemy.repositories.conversations import CONVERSATION_COLUMNS, MESSAGE_COLUMNS
from memcore.infrastructure.sqlalchemy.repositories.knowledge import COLUMNS as CHUNK_COLUMNS
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import CHUNK_SEARCH, conversations, knowledge_chunks, messages, users

UNLIMITED = 2**62  # an offset without a limit
USER_COLUMNS = ("id", "external_id", "name", "email", "created_at", "updated_at")


@cache
def _select_all(table: Table, names: tuple[str, ...]) -> Select[Any]:
    return select(*(table.c[name] for name in names))


@lru_cache(maxsize=256)
def _paged(statement: Select[Any], limit: int) -> Select[Any]:
    """`statement` with `limit` written out and the offset bound."""
    return statement.limit(literal_column(str(int(limit)))).offset(bindparam("page_offset", type_=BigInteger()))


def _chunk(*values: Any) -> KnowledgeChunkView:
    *head, metadata, created_at, updated_at = values
    return KnowledgeChunkView(*head, metadata if metadata is not None else {}, created_at, updated_at)


class _TableViews:
    """Point reads by a column, pages and counts of one table, as views made by `make`."""

    def __init__(self, engine: Engine, reader: FastReader, table: Table, names: tuple[str, ...], schema: Schema,
                 make: Callable[..., Any]) -> None:  # fmt: skip
        self.engine, self.reader, self.table, self.names, self.schema, self.make = (
            engine,
            reader,
            table,
            names,
            schema,
            make,
        )
        self.codec = RowCodec(table, names, engine.dialect)
        self.compiler = SpecCompiler({n: table.c[n] for n in schema}, schema, key="id", dialect=engine.dialect.name)
        self.plans = PlannedReads(engine, reader)
        self.select_sql = f"SELECT {self.codec.column_list} FROM {self.codec.table_name} WHERE "

    def by(self, column: str, value: Any) -> Any:
        row = self.reader.first(f"{self.select_sql}{column} = {self.codec.marker}", (value,))
        return None if row is None else self.make(*self.codec.decode(row))

    def list(self, query: Specification | Query | None) -> list[Any]:
        query = as_query(query)
        validate(query, self.schema)
        # The offset is bound: every page of one query shape and page size runs one prepared plan.
        # The page size is written out, so PostgreSQL's generic plan for it knows how few rows are
        # wanted (with LIMIT bound it guesses a tenth of the table and may sort it all).
        shape = Query(where=query.where, order_by=query.order_by)
        name = f"{self.table.name} views"
        statement, params = self.compiler.select(name, lambda: _select_all(self.table, self.names), shape)
        if query.limit is not None or query.offset:
            statement = _paged(statement, query.limit if query.limit is not None else UNLIMITED)
            params = {**params, "page_offset": query.offset}
        return [self.make(*row) for row in self.plans.all(statement, params, self.codec.decode)]

    def count(self, spec: Specification | None) -> int:
        query = as_query(spec)
        validate(query, self.schema)
        statement = select(func.count()).select_from(self.table).where(self.compiler.where(query.where))
        with translating(), self.engine.connect() as connection:
            return connection.execute(statement).scalar_one()


class SqlAlchemyUserViews:
    def __init__(self, engine: Engine, reader: FastReader) -> None:
        self.views = _TableViews(engine, reader, users, USER_COLUMNS, USER_FIELDS, UserView)

    def get(self, user_id: str) -> UserView | None:
        return self.views.by("id", user_id)

    def get_by_email(self, email: str) -> UserView | None:
        return self.views.by("email_key", email_key(email))

    def get_by_external_id(self, external_id: str) -> UserView | None:
        return self.views.by("external_id", external_id)

    def list(self, query: Specification | Query | None = None) -> list[UserView]:
        return self.views.list(query)

    def count(self, spec: Specification | None = None) -> int:
        return self.views.count(spec)


class SqlAlchemyConversationViews:
    def __init__(self, engine: Engine, reader: FastReader) -> None:
        self.conversations = _TableViews(engine, reader, conversations, CONVERSATION_COLUMNS, CONVERSATION_FIELDS,
                                         ConversationView)  # fmt: skip
        self.messages = _TableViews(engine, reader, messages, MESSAGE_COLUMNS, MESSAGE_FIELDS, MessageView)

    def get(self, conversation_id: str) -> ConversationView | None:
        return self.conversations.by("id", conversation_id)

    def list(self, query: Specification | Query | None = None) -> list[ConversationView]:
        return self.conversations.list(query)

    def count(self, spec: Specification | None = None) -> int:
        return self.conversations.count(spec)

    def get_message(self, message_id: str) -> MessageView | None:
        return self.messages.by("id", message_id)

    def list_messages(self, query: Specification | Query | None = None) -> list[MessageView]:
        return self.messages.list(query)

    def count_messages(self, spec: Specification | None = None) -> int:
        return self.messages.count(spec)


class SqlAlchemyKnowledgeViews:
    def __init__(self, engine: Engine, reader: FastReader) -> None:
        self.chunks = _TableViews(engine, reader, knowledge_chunks, CHUNK_COLUMNS, CHUNK_FIELDS, _chunk)

    def get(self, chunk_id: str) -> KnowledgeChunkView | None:
        return self.chunks.by("id", chunk_id)

    def list(self, query: Specification | Query | None = None) -> list[KnowledgeChunkView]:
        return self.chunks.list(query)

    def count(self, spec: Specification | None = None) -> int:
        return self.chunks.count(spec)

    def search(self, text: str, limit: int, source: str | None = None) -> list[KnowledgeChunkView]:
        """On the dialect's own full-text index (search.py): every word, best rank first, then by id."""
        dialect = self.chunks.engine.dialect.name
        statement = _select_all(knowledge_chunks, CHUNK_COLUMNS)
        if source is not None:
            statement = statement.where(knowledge_chunks.c.source == source)
        searched = search.apply(statement, CHUNK_SEARCH, dialect, knowledge_chunks, search.words(text))
        if searched is statement or limit == 0:  # no words: nothing to look for
            return []
        searched = searched.order_by(knowledge_chunks.c.id).limit(limit)
        with translating(), self.chunks.engine.connect() as connection:
            return [_chunk(*row[:-1]) for row in connection.execute(searched)]


class SqlAlchemyChatViews:
    """The three read models of the context on one engine, sharing its FastReader."""

    def __init__(self, engine: Engine) -> None:
        self.reader = FastReader(engine)
        self.users = SqlAlchemyUserViews(engine, self.reader)
        self.conversations = SqlAlchemyConversationViews(engine, self.reader)
        self.knowledge = SqlAlchemyKnowledgeViews(engine, self.reader)

    def close(self) -> None:
        self.reader.close()
