"""What the replaced chat models offered beside their columns: `MessageSenderType` and the
`lazy="dynamic"` relationships `user.conversations` and `conversation.messages`.

The drop-in's functions hand back memcore's entities with those relationships attached
(`relating`): each is asked through the session it came from, afresh on every call, as the
original's relationship queries were.
"""

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from memcore.domain.conversations.model import Conversation, User
from memcore.domain.shared.specification import Field, Query

F = TypeVar("F", bound=Callable[..., Any])


class MessageSenderType:
    """The sender types, as plain strings (what `add_message` takes and messages carry)."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class Related:
    """A read-only dynamic relationship: `count()`, `all()`, `first()`, iteration and indexing."""

    def __init__(self, items: Callable[[], list[Any]]) -> None:
        self._items = items

    def all(self) -> list[Any]:
        return self._items()

    def count(self) -> int:
        return len(self._items())

    def first(self) -> Any:
        items = self._items()
        return items[0] if items else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __getitem__(self, index: Any) -> Any:
        return self._items()[index]


def _attach(session: Any, entity: Any) -> None:
    uow = session.uow
    # Set in the instance's dict: these are not fields (nor mapped columns) of memcore's entities.
    if isinstance(entity, User):
        where = Field("user_id") == entity.id
        entity.__dict__["conversations"] = Related(
            lambda: uow.conversations.list(Query(where=where, order_by=(Field("created_at").asc(),)))
        )
    elif isinstance(entity, Conversation):
        where = Field("conversation_id") == entity.id
        order = (Field("created_at").asc(), Field("sequence").asc())
        entity.__dict__["messages"] = Related(
            lambda: uow.conversations.list_messages(Query(where=where, order_by=order))
        )


def relating(function: F) -> F:
    """`function(session, ...)` whose users and conversations (alone, in a list or a tuple) come
    back with their relationships."""

    @functools.wraps(function)
    def run(session: Any, *args: Any, **kwargs: Any) -> Any:
        found = function(session, *args, **kwargs)
        for entity in found if isinstance(found, (list, tuple)) else (found,):
            _attach(session, entity)
        return found

    return run  # type: ignore[return-value]
