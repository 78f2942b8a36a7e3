"""The in-memory fake and each SQL adapter, driven with the same random idea operations.

Storage assigns ids, and a failed insert may use up ids on one adapter and not the other, so ideas
are compared without their id values but in id order, and rules name an idea by its position.
"""

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test

from memcore.application.ideas import commands
from memcore.domain.ideas.model import SOURCE_TYPES
from memcore.domain.shared.specification import Query
from tests.conftest import SQL_DIALECTS, dialect_param
from tests.parity.common import (
    PARITY_SETTINGS,
    TEXT,
    TRICKY,
    WHEN,
    ParityMachine,
    orderings,
    specifications,
)

WORDS = st.sampled_from(["ai", "AI", "a", "ai ", "ml", "é", ""])
CATEGORIES = st.none() | st.sampled_from(["tech", "Tech", "food", "tech ", "ü"])
SCORES = st.none() | st.integers(0, 100) | st.sampled_from([0, 80, 81, 100])
SOURCES = st.none() | st.sampled_from(["s1", "s2", "S1", "s1 ", "s3"])

IDEAS = st.fixed_dictionaries(
    {"title": TRICKY.filter(str.strip) | TEXT.filter(str.strip)},
    optional={
        "description": st.none() | TRICKY | TEXT,
        "keywords": st.lists(WORDS, max_size=3),
        "source_type": st.sampled_from([*SOURCE_TYPES, "podcast"]),
        "source_id": SOURCES,
        "score": SCORES,
        "category": CATEGORIES,
        "created_at": WHEN,
        "metadata": st.dictionaries(TEXT, st.none() | st.integers(-(2**53), 2**53) | TEXT, max_size=2),
    },
)
FIELD_VALUES = {
    "title": TRICKY | TEXT,
    "description": TRICKY | TEXT,
    "keywords": WORDS,
    "source_type": st.sampled_from(SOURCE_TYPES),
    "source_id": st.sampled_from(["s1", "s2", "S1"]),
    "score": st.integers(0, 100),
    "category": st.sampled_from(["tech", "Tech", "food", "tech "]),
    "created_at": WHEN,
}
SPECS = specifications(FIELD_VALUES, {"title", "description", "source_type", "source_id", "category"}, {"keywords"})
ORDERS = orderings([f for f in FIELD_VALUES if f != "keywords"] + ["id"])


def without_id(view):
    return {k: v for k, v in view.to_dict().items() if k != "id"}


class IdeaParity(ParityMachine):
    @staticmethod
    def nth_id(services, position):
        ids = [view.id for view in services.ideas.find(Query(limit=position + 1))]
        return ids[position] if position < len(ids) else 10**12

    @rule(idea=IDEAS)
    def add(self, idea):
        self.both(lambda s: type(s.bus.handle(commands.AddIdea(idea))))

    @rule(batch=st.lists(IDEAS, max_size=4))
    def add_batch(self, batch):
        self.both(lambda s: s.bus.handle(commands.AddIdeas(batch)))

    @rule(idea=IDEAS, source=st.sampled_from(["s1", "s2", "S1"]))
    def upsert(self, idea, source):
        self.both(lambda s: s.bus.handle(commands.UpsertIdea({**idea, "source_id": source}))[1])

    @rule(positions=st.lists(st.integers(0, 6), max_size=2))
    def remove(self, positions):
        self.both(lambda s: s.bus.handle(commands.RemoveIdeas([self.nth_id(s, p) for p in positions])))

    @rule(position=st.integers(0, 6))
    def get(self, position):
        self.both(lambda s: (lambda v: None if v is None else without_id(v))(s.ideas.get(self.nth_id(s, position))))

    @rule(spec=SPECS, order=ORDERS, limit=st.none() | st.integers(0, 5), offset=st.integers(0, 3))
    def find(self, spec, order, limit, offset):
        query = Query(where=spec, order_by=order, limit=limit, offset=offset)
        self.both(lambda s: ([without_id(v) for v in s.ideas.find(query)], s.ideas.count(spec)))

    @rule(spec=st.none() | SPECS, n=st.integers(0, 3))
    def analytics(self, spec, n):
        self.both(
            lambda s: (
                s.ideas.stats_by_category(spec),
                s.ideas.stats_by_source_type(spec),
                s.ideas.top_categories(n, spec),
                s.ideas.score_histogram(spec),
            )
        )

    @invariant()
    def same_ideas(self):
        self.both(lambda s: [without_id(v) for v in s.ideas.find(Query())])


@pytest.mark.parametrize("dialect", [dialect_param(d) for d in SQL_DIALECTS])
def test_fake_and_sql_adapter_agree_on_ideas(dialect, engines):
    IdeaParity.engine = engines[dialect]
    run_state_machine_as_test(IdeaParity, settings=PARITY_SETTINGS)
