"""What the parity machines share: strategies for tricky values and specifications, a clock, settings."""

import itertools
import os
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from sqlalchemy.orm import sessionmaker

from memcore.application.bootstrap import build_services
from memcore.domain.shared.errors import MemcoreError
from memcore.domain.shared.specification import Comparison, Field, Not, Op
from memcore.infrastructure.inmemory.unit_of_work import InMemoryUnitOfWork
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import empty_tables

TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=6)
TRICKY_VALUES = ["a", "A", "a ", "ä", "ab", "b", "", "\U0001d518"]
TRICKY = st.sampled_from(TRICKY_VALUES)
WHEN = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))

PARITY_SETTINGS = settings(
    max_examples=150 if os.environ.get("CI") else 40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)


class Clock:
    """Both sides of a machine get one each; they tick alike because the same commands run."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1_000_001)
        return self.now


def services_on(uow):
    counter, uuids = itertools.count(), itertools.count(1)
    return build_services(
        uow,
        clock=Clock(),
        id_factory=lambda: f"gen-{next(counter)}",
        max_failed_attempts=2,
        uuid_factory=lambda: str(uuid.UUID(int=next(uuids))),
    )


def outcome(call):
    """The result, or the type of domain error: what both adapters must agree on."""
    try:
        return ("ok", call())
    except MemcoreError as exc:
        return ("error", type(exc).__name__)


def specifications(field_values: dict, text_fields: set[str], list_fields: set[str] = frozenset(), booleans=()):
    """Random and/or/not trees of comparisons over the given fields and value strategies."""

    @st.composite
    def comparisons(draw):
        field = draw(st.sampled_from(sorted(field_values)))
        if field in list_fields:
            return Comparison(field, Op.CONTAINS, draw(field_values[field]))
        ops = [Op.EQ, Op.NE, Op.IN, Op.IS_NULL]
        if field not in booleans:
            ops += [Op.LT, Op.LE, Op.GT, Op.GE]
        if field in text_fields:
            ops += [Op.CONTAINS, Op.STARTS_WITH]
        op = draw(st.sampled_from(ops))
        values = field_values[field]
        if op is Op.IS_NULL:
            return Comparison(field, op)
        if op is Op.IN:
            return Comparison(field, op, tuple(draw(st.lists(values, max_size=3))))
        if op in (Op.CONTAINS, Op.STARTS_WITH):
            return Comparison(field, op, draw(TRICKY | TEXT))
        return Comparison(field, op, draw(values))

    return st.recursive(
        comparisons(),
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: p[0] & p[1]),
            st.tuples(inner, inner).map(lambda p: p[0] | p[1]),
            inner.map(Not),
        ),
        max_leaves=4,
    )


def orderings(fields):
    return st.lists(
        st.builds(
            lambda f, d: Field(f).desc() if d else Field(f).asc(), st.sampled_from(sorted(fields)), st.booleans()
        ),
        max_size=2,
    )


class ParityMachine(RuleBasedStateMachine):
    """Drives the in-memory fake (`fake`) and the SQL adapter on `engine` (`real`) side by side."""

    engine = None  # set per dialect by the test

    def __init__(self) -> None:
        super().__init__()
        empty_tables(self.engine)
        self.fake = services_on(InMemoryUnitOfWork())
        self.real = services_on(SqlAlchemyUnitOfWork(sessionmaker(self.engine, expire_on_commit=False)))

    def both(self, call):
        """Run `call(services)` on both sides; they must give the same result or the same error."""
        expected, actual = outcome(lambda: call(self.fake)), outcome(lambda: call(self.real))
        assert actual == expected
        return expected
