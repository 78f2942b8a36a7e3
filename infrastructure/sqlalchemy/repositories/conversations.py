"""SqlAlchemyConversationRepository: conversations and their messages on Core, the lean route.

Conversations are not mapped. The repository keeps the ones it has read or added (one object per
id within the unit of work) with the state last stored. `flush()` - before its reads and at
commit - writes each changed conversation with one guarded UPDATE (`WHERE version = <stored>`; no
row matched means another writer got there first: ConcurrencyError), then deletes the messages
conversations removed and inserts those they posted, in one executemany. Posting a message
therefore costs one point read, one UPDATE and one INSERT, and never loads other messages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from domain.conversations.model import Conversation, Message
from domain.conversations.ports import CONVERSATION_FIELDS, MESSAGE_FIELDS
from domain.shared.errors import AlreadyExists, ConcurrencyError, InvalidInput
from domain.shared.specification import Query, Specification, as_query, validate
from infrastructure.sqlalchemy.fastpath import RowCodec
from infrastructure.sqlalchemy.specifications import SpecCompiler
from infrastructure.sqlalchemy.tables import conversations, messages

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
    """SQL rendered once per dialect: point reads, the guarded update, the inserts."""

    def __init__(self, session: Session) -> None:
        dialect = session.get_bind().dialect
        self.conversation = RowCodec(conversations, CONVERSATION_COLUMNS, dialect)
        self.message = RowCodec(messages, MESSAGE_COLUMNS, dialect)
        mark = self.conversation.marker
        self.get_conversation = (
            f"SELECT {self.conversation.column_list} FROM {self.conversation.table_name} WHERE id = {mark}"
        )
        self.get_message = f"SELECT {self.message.column_list} FROM {self.message.table_name} WHERE id = {mark}"
        values = {name: bindparam(name, type_=conversations.c[name].type) for name in _STORED}
        self.update = (
            update(conversations)
            .where(conversations.c.id == bindparam("key"), conversations.c.version == bindparam("expected"))
            .values(values)
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
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[Conversation] = set()
        dialect = session.get_bind().dialect.name
        if dialect not in _BY_DIALECT:
            _BY_DIALECT[dialect] = _Statements(session)
        self.sql = _BY_DIALECT[dialect]
        self._tracked: dict[str, Conversation] = {}
        self._stored: dict[str, tuple[Any, ...]] = {}
        self.compiler = SpecCompiler(
            {name: conversations.c[name] for name in CONVERSATION_FIELDS}, CONVERSATION_FIELDS, "id", dialect
        )
        self.message_compiler = SpecCompiler(
            {name: messages.c[name] for name in MESSAGE_FIELDS}, MESSAGE_FIELDS, "id", dialect
        )

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

    def flush(self) -> None:
        connection = self.session.connection()
        posted: list[tuple[Any, ...]] = []
        for conversation in self._tracked.values():
            stored = self._stored[conversation.id]
            if _state(conversation) != stored:
                expected = stored[-1]
                if conversation.version == expected:  # changed without a new version
                    conversation.version = expected + 1
                values = {name: getattr(conversation, name) for name in _STORED}
                result = connection.execute(self.sql.update, {**values, "key": conversation.id, "expected": expected})
                if result.rowcount != 1:
                    raise ConcurrencyError(
                        f"conversation {conversation.id} was changed or deleted by another writer "
                        f"(expected version {expected})"
                    )
                self._stored[conversation.id] = _state(conversation)
            if conversation.removed_messages:
                ids = list(conversation.removed_messages)
                connection.execute(self.sql.remove_messages, {"ids": ids, "owner": conversation.id})
                conversation.removed_messages.clear()
            if conversation.new_messages:
                encode = self.sql.message.encode
                posted.extend(encode([getattr(m, name) for name in MESSAGE_COLUMNS]) for m in conversation.new_messages)
                conversation.new_messages.clear()
        if posted:
            connection.exec_driver_sql(self.sql.message.insert_sql, posted)

    # -- conversations

    def add(self, conversation: Conversation) -> None:
        if not isinstance(conversation, Conversation):
            raise InvalidInput(f"expected a Conversation, got {type(conversation).__name__}")
        if conversation.id in self._tracked:
            raise AlreadyExists(f"a conversation with id {conversation.id!r} already exists")
        row = self.sql.conversation.encode([getattr(conversation, name) for name in CONVERSATION_COLUMNS])
        self.session.connection().exec_driver_sql(self.sql.conversation.insert_sql, row)
        self._track(conversation)

    def get(self, conversation_id: str) -> Conversation | None:
        known = self._tracked.get(conversation_id)
        if known is not None:
            return known
        row = self.session.connection().exec_driver_sql(self.sql.get_conversation, (conversation_id,)).first()
        if row is None:
            return None
        return self._track(loaded(Conversation, CONVERSATION_COLUMNS, self.sql.conversation.decode(row)))

    def list(self, query: Specification | Query | None = None) -> list[Conversation]:
        self.flush()
        base = lambda: _select(conversations, CONVERSATION_COLUMNS)  # noqa: E731
        statement, params = self.compiler.select("conversations", base, as_query(query))
        rows = self.session.execute(statement, params)
        return [self._track(loaded(Conversation, CONVERSATION_COLUMNS, row)) for row in rows]

    def _where(self, compiler: SpecCompiler, spec: Specification | None, schema: dict) -> Any:
        query = as_query(spec)
        validate(query, schema)
        return compiler.where(query.where)

    def count(self, spec: Specification | None = None) -> int:
        self.flush()
        where = self._where(self.compiler, spec, CONVERSATION_FIELDS)
        return self.session.execute(select(func.count()).select_from(conversations).where(where)).scalar_one()

    def remove(self, spec: Specification) -> int:
        """The database cascades to the conversations' messages."""
        self.flush()
        where = self._where(self.compiler, spec, CONVERSATION_FIELDS)
        result = self.session.execute(delete(conversations).where(where))
        for conversation in [c for c in self._tracked.values() if spec.is_satisfied_by(c)]:
            del self._tracked[conversation.id], self._stored[conversation.id]
        return result.rowcount

    # -- messages

    def get_message(self, message_id: str) -> Message | None:
        self.flush()
        row = self.session.connection().exec_driver_sql(self.sql.get_message, (message_id,)).first()
        return None if row is None else loaded(Message, MESSAGE_COLUMNS, self.sql.message.decode(row))

    def list_messages(self, query: Specification | Query | None = None) -> list[Message]:
        self.flush()
        base = lambda: _select(messages, MESSAGE_COLUMNS)  # noqa: E731
        statement, params = self.message_compiler.select("messages", base, as_query(query))
        return [loaded(Message, MESSAGE_COLUMNS, row) for row in self.session.execute(statement, params)]

    def count_messages(self, spec: Specification | None = None) -> int:
        self.flush()
        where = self._where(self.message_compiler, spec, MESSAGE_FIELDS)
        return self.session.execute(select(func.count()).select_from(messages).where(where)).scalar_one()
