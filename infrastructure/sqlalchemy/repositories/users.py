"""SqlAlchemyUserRepository: users inserted on the lean route, read and changed through the session."""

from typing import Any

from memcore.domain.conversations.model import User, email_key
from memcore.domain.conversations.ports import USER_FIELDS
from memcore.domain.shared.specification import Specification
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from memcore.infrastructure.sqlalchemy.repositories.cursor import Transaction
from memcore.infrastructure.sqlalchemy.tables import users


class SqlAlchemyUserRepository(SqlAlchemyRepository):
    entity, table, fields, key = User, users, USER_FIELDS, "id"
    stored = {name: name for name in USER_FIELDS}

    def __init__(self, transaction: Transaction, conversations: Any) -> None:
        super().__init__(transaction)
        self.conversations = conversations

    def add(self, user: User) -> None:
        """An INSERT on the lean route (the store refuses a taken id, email or external id)."""
        self._check([user])
        self._insert([user])

    def get(self, user_id: str) -> User | None:
        return self._seen(self.session.get(User, user_id))

    def _first(self, column: str, value: Any) -> User | None:
        statement = self._select().where(users.c[column] == value)
        return self._seen(self.session.scalars(statement).first())

    def get_by_email(self, email: str) -> User | None:
        return self._first("email_key", email_key(email))

    def get_by_external_id(self, external_id: str) -> User | None:
        return self._first("external_id", external_id)

    def remove(self, spec: Specification) -> int:
        """The database cascades to the users' conversations and messages."""
        self.conversations.flush()
        removed = super().remove(spec)
        self.conversations.forget()
        return removed
