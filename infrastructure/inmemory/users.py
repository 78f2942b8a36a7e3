"""InMemoryUserRepository: users in a dict; deleting one deletes their conversations too."""

from typing import Any

from memcore.domain.conversations.model import User, email_key
from memcore.domain.conversations.ports import USER_FIELDS
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.domain.shared.specification import Field, Specification
from memcore.infrastructure.inmemory.base import InMemoryRepository


class InMemoryUserRepository(InMemoryRepository):
    fields, key = USER_FIELDS, "id"

    def __init__(self, rows: dict[str, User], conversations: Any) -> None:
        super().__init__(rows)
        self.conversations = conversations

    def add(self, user: User) -> None:
        if not isinstance(user, User):
            raise InvalidInput(f"expected a User, got {type(user).__name__}")
        if user.id in self.rows:
            raise AlreadyExists(f"a user with id {user.id!r} already exists")
        for other in self.rows.values():
            if user.external_id is not None and other.external_id == user.external_id:
                raise AlreadyExists(f"a user with external id {user.external_id!r} already exists")
            if user.email_key is not None and other.email_key == user.email_key:
                raise AlreadyExists(f"a user with email {user.email!r} already exists")
        self.rows[user.id] = user
        self.seen.add(user)

    def get(self, user_id: str) -> User | None:
        return self._seen(self.rows.get(user_id))

    def _first(self, spec: Specification) -> User | None:
        found = self.list(spec)
        return found[0] if found else None

    def get_by_email(self, email: str) -> User | None:
        return self._first(Field("email_key") == email_key(email))

    def get_by_external_id(self, external_id: str) -> User | None:
        return self._first(Field("external_id") == external_id)

    def remove(self, spec: Specification) -> int:
        doomed = [user.id for user in self._matching(spec)]
        if doomed:
            self.conversations.remove(Field("user_id").is_in(doomed))
        return super().remove(Field("id").is_in(doomed))
