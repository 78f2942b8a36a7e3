"""SqlAlchemyConversationRepository: conversations and their messages on Core, the lean route.

Conversations are not mapped. The repository keeps the ones it has read or added (one object per
id within the unit of work) with the state last stored. `flush()` - before its reads and at
commit - writes each changed conversation with one guarded UPDATE (`WHERE version = <stored>`; no
row matched means another writer got there first: ConcurrencyError), then deletes the messages
conversations removed and inserts those they posted, in one executemany. Posting a message
therefore costs one point read, one UPDATE and one INSERT, and never loads other messages.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from memcore.domain.conversations.model import Conversation, Message
from memcore.domain.conversations.ports import CONVERSATION_FIELDS, MESSAGE_FIELDS
from memcore.domain.shared.errors import AlreadyExists, ConcurrencyError, InvalidInput
from memcore.domain.shared.specification import Query, Specification, as_query, validate
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.repositories.cursor import DriverCursor, Transaction
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import conversations, messages

CONVERSATION_COLUMNS = ("id", "user_id", "title", "status", "created_at", "updated_at", "version")
MESSAGE_COLUMNS = ("id", "conversation_id", "sender_type", "content", "role_metadata", "created_at", "sequence")
_STORED = CONVERSATION_COLUMNS[1:]


def loaded(cls: type, names: tuple[str, ...], values: Any) -> Any:
    """An entity as storage holds it: read rows were checked on the way in, so no rules run."""
    entity = object.__new__(cls)
    entity.__dict__.update(zip(names, values, strict=True))
    entity.events = []
    if cls is Conversation:
        entity.new_messages, entity.removed_messages = [], []
    return entity


def _state(conversation: Conversation) -> tuple[Any, ...]:
    return tuple(getattr(conversation, name) for name in _STORED)


class _Statements:
    """SQL rendered once per dialect: point reads, the guarded updates, the inserts."""

    def __init__(self, dialect: Dialect) -> None:
        self.conversation = RowCodec(conversations, CONVERSATION_COLUMNS, dialect)
        self.message = RowCodec(messages, MESSAGE_COLUMNS, dialect)
        mark, quote = self.conversation.marker, dialect.identifier_preparer.quote
        self.get_conversation = (
            f"SELECT {self.conversation.column_list} FROM {self.conversation.table_name} WHERE id = {mark}"
        )
        # SQLite has no row locks: a unit of work there holds the write lock from its BEGIN.
        lock = "" if dialect.name == "sqlite" else " FOR UPDATE"
        self.get_conversation_for_update = self.get_conversation + lock
        self.get_message = f"SELECT {self.message.column_list} FROM {self.message.table_name} WHERE id = {mark}"
        # Every change writes the whole row; a post only moves updated_at and version.
        self.update, self.touch = (
            (
                RowCodec(conversations, (*names, "id", "version"), dialect),
                f"UPDATE {self.conversation.table_name} SET "
                + ", ".join(f"{quote(name)} = {mark}" for name in names)
                + f" WHERE id = {mark} AND version = {mark}",
            )
            for names in (_STORED, ("updated_at", "version"))
        )
        self.remove_messages = delete(messages).where(
            messages.c.id.in_(bindparam("ids", expanding=True)), messages.c.conversation_id == bindparam("owner")
        )


_BY_DIALECT: dict[str, _Statements] = {}
_SELECTS: dict[Table, Select[Any]] = {}


def _select(table: Table, names: tuple[str, ...]) -> Select[Any]:
    if table not in _SELECTS:
        _SELECTS[table] = select(*(table.c[name] for name in names))
    return _SELECTS[table]


class SqlAlchemyConversationRepository:
    """Hot paths (point reads, posts, guarded updates) run on the transaction's DB-API connection;
    pages, counts and deletes by specification are Core statements on its session."""

    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction
        self.seen: set[Conversation] = set()
        dialect = transaction.dialect
        if dialect.name not in _BY_DIALECT:
            _BY_DIALECT[dialect.name] = _Statements(dialect)
        self.sql = _BY_DIALECT[dialect.name]
        self.dialect = dialect.name
        self._driver = DriverCursor(transaction)
        self._run = self._driver.run
        self._tracked: dict[str, Conversation] = {}
        self._stored: dict[str, tuple[Any, ...]] = {}

    def close(self) -> None:
        """Release the DB-API cursor when the transaction ends (its connection goes back to the pool)."""
        self._driver.close()

    @property
    def _session(self) -> Session:
        session = self.transaction.session
        assert session is not None, "the unit of work is not open"
        return session

    # Built on first use: posting, the hot path, needs neither.
    @cached_property
    def compiler(self) -> SpecCompiler:
        columns = {name: conversations.c[name] for name in CONVERSATION_FIELDS}
        return SpecCompiler(columns, CONVERSATION_FIELDS, "id", self.dialect)

    @cached_property
    def message_compiler(self) -> SpecCompiler:
        return SpecCompiler({name: messages.c[name] for name in MESSAGE_FIELDS}, MESSAGE_FIELDS, "id", self.dialect)

    # -- tracking

    def _track(self, conversation: Conversation) -> Conversation:
        known = self._tracked.get(conversation.id)
        if known is not None:  # one object per id: the first one read stays
            return known
        self._tracked[conversation.id] = conversation
        self._stored[conversation.id] = _state(conversation)
        self.seen.add(conversation)
        return conversation

    def forget(self) -> None:
        """Stop tracking (after a cascade deleted rows underneath); changes not flushed are dropped."""
        self._tracked.clear()
        self._stored.clear()

    def rolled_back(self) -> None:
        """The transaction was rolled back: the tracked conversations no longer match the store."""
        self.forget()

    def flush(self) -> None:
        posted: list[tuple[Any, ...]] = []
        for conversation in self._tracked.values():
            stored = self._stored[conversation.id]
            state = _state(conversation)
            if state != stored:
                expected = stored[-1]
                if conversation.version == expected:  # changed without a new version
                    conversation.version = expected + 1
                    state = _state(conversation)
                touch_only = state[:4] == stored[:4]  # user, title, status and created_at unchanged
                codec, sql = self.sql.touch if touch_only else self.sql.update
                names = ("updated_at", "version") if touch_only else _STORED
                values = codec.encode([*(getattr(conversation, n) for n in names), conversation.id, expected])
                if self._run(sql, values).rowcount != 1:
                    raise ConcurrencyError(
                        f"conversation {conversation.id} was changed or deleted by another writer "
                        f"(expected version {expected})"
                    )
                self._stored[conversation.id] = state
            if conversation.removed_messages:
                ids = list(conversation.removed_messages)
                self._session.execute(self.sql.remove_messages, {"ids": ids, "owner": conversation.id})
                conversation.removed_messages.clear()
            if conversation.new_messages:
                encode = self.sql.message.encode
                posted.extend(encode([getattr(m, name) for name in MESSAGE_COLUMNS]) for m in conversation.new_messages)
                conversation.new_messages.clear()
        if len(posted) == 1:  # a post: the drivers' executemany costs more for a single row
            self._run(self.sql.message.insert_sql, posted[0])
        elif posted:
            self._run(self.sql.message.insert_sql, posted, many=True)

    # -- conversations

    def add(self, conversation: Conversation) -> None:
        if not isinstance(conversation, Conversation):
            raise InvalidInput(f"expected a Conversation, got {type(conversation).__name__}")
        if conversation.id in self._tracked:
            raise AlreadyExists(f"a conversation with id {conversation.id!r} already exists")
        row = self.sql.conversation.encode([getattr(conversation, name) for name in CONVERSATION_COLUMNS])
        self._run(self.sql.conversation.insert_sql, row)
        self._track(conversation)

    def get(self, conversation_id: str, for_update: bool = False) -> Conversation | None:
        known = self._tracked.get(conversation_id)
        if known is not None:
            if for_update and self.dialect != "sqlite":
                self._lock_and_refresh(known)
            return known
        sql = self.sql.get_conversation_for_update if for_update else self.sql.get_conversation
        row = self._run(sql, (conversation_id,)).fetchone()
        if row is None:
            return None
        return self._track(loaded(Conversation, CONVERSATION_COLUMNS, self.sql.conversation.decode(row)))

    def _lock_and_refresh(self, known: Conversation) -> None:
        """Lock a conversation read earlier in this transaction; unchanged since, it takes the row's
        current state (a writer may have committed since the read: REPEATABLE READ would keep
        showing the old one, and the guarded update would then fail on every try)."""
        if _state(known) != self._stored[known.id] or known.new_messages or known.removed_messages:
            return  # changed here: the guarded update tells whether someone else changed it too
        row = self._run(self.sql.get_conversation_for_update, (known.id,)).fetchone()
        if row is not None:
            known.__dict__.update(zip(CONVERSATION_COLUMNS, self.sql.conversation.decode(row), strict=True))
            self._stored[known.id] = _state(known)

    def list(self, query: Specification | Query | None = None) -> list[Conversation]:
        self.flush()
        base = lambda: _select(conversations, CONVERSATION_COLUMNS)  # noqa: E731
        statement, params = self.compiler.select("conversations", base, as_query(query))
        rows = self._session.execute(statement, params)
        return [self._track(loaded(Conversation, CONVERSATION_COLUMNS, row)) for row in rows]

    def _where(self, compiler: SpecCompiler, spec: Specification | None, schema: dict) -> Any:
        query = as_query(spec)
        validate(query, schema)
        return compiler.where(query.where)

    def count(self, spec: Specification | None = None) -> int:
        self.flush()
        where = self._where(self.compiler, spec, CONVERSATION_FIELDS)
        return self._session.execute(select(func.count()).select_from(conversations).where(where)).scalar_one()

    def remove(self, spec: Specification) -> int:
        """The database cascades to the conversations' messages."""
        self.flush()
        where = self._where(self.compiler, spec, CONVERSATION_FIELDS)
        result = self._session.execute(delete(conversations).where(where))
        for conversation in [c for c in self._tracked.values() if spec.is_satisfied_by(c)]:
            del self._tracked[conversation.id], self._stored[conversation.id]
        return result.rowcount

    # -- messages

    def get_message(self, message_id: str) -> Message | None:
        self.flush()
        row = self._run(self.sql.get_message, (message_id,)).fetchone()
        return None if row is None else loaded(Message, MESSAGE_COLUMNS, self.sql.message.decode(row))

    def list_messages(self, query: Specification | Query | None = None) -> list[Message]:
        self.flush()
        base = lambda: _select(messages, MESSAGE_COLUMNS)  # noqa: E731
        statement, params = self.message_compiler.select("messages", base, as_query(query))
        return [loaded(Message, MESSAGE_COLUMNS, row) for row in self._session.execute(statement, params)]

    def count_messages(self, spec: Specification | None = None) -> int:
        self.flush()
        where = self._where(self.message_compiler, spec, MESSAGE_FIELDS)
        return self._session.execute(select(func.count()).select_from(messages).where(where)).scalar_one()
