"""SqlAlchemyIdeaRepository: ideas through the session of a Unit of Work; bulk loads on the DB-API."""

from operator import attrgetter

from sqlalchemy import insert

from memcore.domain.ideas.model import FIELDS, IdeaDraft, IdeaInspiration, check_idea_id
from memcore.domain.ideas.ports import IDEA_FIELDS
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from memcore.infrastructure.sqlalchemy.repositories.cursor import Transaction
from memcore.infrastructure.sqlalchemy.tables import idea_inspiration

STORED = [name for name in FIELDS if name != "id"]
_STORED_VALUES = attrgetter(*STORED)


class SqlAlchemyIdeaRepository(SqlAlchemyRepository):
    entity, table, fields, key = IdeaInspiration, idea_inspiration, IDEA_FIELDS, "id"

    def __init__(self, transaction: Transaction) -> None:
        super().__init__(transaction)
        self.codec = RowCodec(idea_inspiration, STORED, transaction.dialect)

    def add(self, idea: IdeaInspiration) -> int:
        self._check([idea])
        result = self.session.execute(insert(idea_inspiration), {name: getattr(idea, name) for name in STORED})
        idea.id = result.inserted_primary_key[0]
        self._attach([idea])
        return idea.id

    def add_many(self, ideas: list[IdeaInspiration | IdeaDraft]) -> int:
        """One executemany of pre-coded tuples on the transaction's connection: the bulk-load route."""
        self._check(ideas, IdeaDraft)
        if ideas:
            encode, values = self.codec.encode, _STORED_VALUES
            self.execute_many(self.codec.insert_sql, (encode(values(idea)) for idea in ideas))
        return len(ideas)

    def get(self, idea_id: int) -> IdeaInspiration | None:
        return self._seen(self.session.get(IdeaInspiration, check_idea_id(idea_id)))

    def get_by_source_id(self, source_id: str) -> IdeaInspiration | None:
        statement = self._select().where(idea_inspiration.c.source_id == source_id)
        return self._seen(self.session.scalars(statement).first())
