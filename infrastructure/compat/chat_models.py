"""What the replaced chat models offered beside their columns: `MessageSenderType` and the
`lazy="dynamic"` relationships `user.conversations` and `conversation.messages`.

The drop-in's functions hand back memcore's entities with those relationships attached
(`relating`): each is asked through the session it came from, afresh on every call, as the
original's relationship queries were, and written through it (chat_writes.py).
"""

import functools
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from memcore.domain.conversations.model import Conversation, User
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field, Query, Specification
from memcore.infrastructure.compat import chat_writes

F = TypeVar("F", bound=Callable[..., Any])


class MessageSenderType:
    """The sender types, as plain strings (what `add_message` takes and messages carry)."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class Related:
    """A dynamic relationship (the original's `lazy="dynamic"`): read by `all()`, `count()`,
    `first()`, `one_or_none()`, iteration and indexing, narrowed by `filter_by(**fields)`,
    `filter(spec)` (memcore specifications: `Field("sender_type") == "user"`), `order_by(...)`
    (field names or `Field(...).desc()`), `limit(n)` and `offset(n)`, each giving a new one; and
    written by `append(item)`, `extend(items)` and `remove(item)` (removing deletes: the
    original's `delete-orphan` cascade)."""

    def __init__(
        self, lister: Callable[[Query], list[Any]], where: Specification, order: tuple,
        append: Callable[[Any], Any], remove: Callable[[Any], None], limit: int | None = None, offset: int = 0,
        default: tuple | None = None,
    ) -> None:  # fmt: skip
        self._lister, self._where, self._order = lister, where, order
        self._default = order if default is None else default  # the relationship's own ordering
        self._append, self._remove = append, remove
        self._limit, self._offset = limit, offset

    def _but(self, **changes: Any) -> "Related":
        parts = {"where": self._where, "order": self._order, "limit": self._limit, "offset": self._offset,
                 "default": self._default}  # fmt: skip
        return Related(self._lister, append=self._append, remove=self._remove, **(parts | changes))

    def _items(self) -> list[Any]:
        return self._lister(Query(where=self._where, order_by=self._order, limit=self._limit, offset=self._offset))

    def filter_by(self, **fields: Any) -> "Related":
        where = self._where
        for name, value in fields.items():
            where = where & (Field(name) == _plain(value))
        return self._but(where=where)

    def filter(self, *criteria: Specification) -> "Related":
        where = self._where
        for criterion in criteria:
            if not isinstance(criterion, Specification):
                raise InvalidInput(
                    f"filter() takes memcore specifications (Field(name) == value), got {type(criterion).__name__}"
                )
            where = where & criterion
        return self._but(where=where)

    def order_by(self, *orderings: Any) -> "Related":
        """Ordered by these first (`order_by(None)` drops the orderings given so far)."""
        if orderings == (None,):
            return self._but(order=self._default)
        return self._but(order=tuple(Field(o).asc() if isinstance(o, str) else o for o in orderings) + self._order)

    def limit(self, count: int) -> "Related":
        return self._but(limit=count)

    def offset(self, count: int) -> "Related":
        return self._but(offset=count)

    def all(self) -> list[Any]:
        return self._items()

    def count(self) -> int:
        return len(self._items())

    def first(self) -> Any:
        items = self.limit(1)._items() if self._limit is None else self._items()[:1]
        return items[0] if items else None

    def one_or_none(self) -> Any:
        items = self._items()
        if len(items) > 1:
            raise InvalidInput(f"one_or_none(): {len(items)} items match")
        return items[0] if items else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __getitem__(self, index: Any) -> Any:
        return self._items()[index]

    def __len__(self) -> int:
        return self.count()

    def append(self, item: Any) -> None:
        self._append(item)

    def extend(self, items: Iterable[Any]) -> None:
        for item in items:
            self._append(item)

    def remove(self, item: Any) -> None:
        self._remove(item)


def _plain(value: Any) -> Any:
    value = getattr(value, "value", value)  # an enum's value
    return str(value) if isinstance(value, uuid.UUID) else value


def _removal(session: Any, owner_field: str, owner_id: str) -> Callable[[Any], None]:
    def remove(item: Any) -> None:
        if getattr(item, owner_field, None) != owner_id:
            raise InvalidInput(f"{type(item).__name__} {getattr(item, 'id', item)!r} is not in this relationship")
        chat_writes.delete(session, item)

    return remove


def attach(session: Any, entity: Any) -> Any:
    """`entity` with its relationships (a user's conversations, a conversation's messages)."""
    uow = session.uow
    # Set in the instance's dict: these are not fields (nor mapped columns) of memcore's entities.
    if isinstance(entity, User):
        owner = entity.id
        entity.__dict__["conversations"] = Related(
            lambda query: [attach(session, c) for c in uow.conversations.list(query)],
            Field("user_id") == owner, (Field("created_at").asc(),),
            append=lambda item: attach(session, chat_writes.start(session, owner, item)),
            remove=_removal(session, "user_id", owner),
        )  # fmt: skip
    elif isinstance(entity, Conversation):
        owner = entity.id
        entity.__dict__["messages"] = Related(
            uow.conversations.list_messages, Field("conversation_id") == owner,
            (Field("created_at").asc(), Field("sequence").asc()),
            append=lambda item: chat_writes.post(session, owner, item),
            remove=_removal(session, "conversation_id", owner),
        )  # fmt: skip
    return entity


def relating(function: F) -> F:
    """`function(session, ...)` whose users and conversations (alone, in a list or a tuple) come
    back with their relationships."""

    @functools.wraps(function)
    def run(session: Any, *args: Any, **kwargs: Any) -> Any:
        found = function(session, *args, **kwargs)
        for entity in found if isinstance(found, (list, tuple)) else (found,):
            attach(session, entity)
        return found

    return run  # type: ignore[return-value]
