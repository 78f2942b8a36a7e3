"""Values at the edges of what every dialect stores, and values none may store, on every adapter."""

from datetime import UTC, datetime

import pytest

from memcore.application.bootstrap import build_services
from memcore.application.conflicts.commands import RecordConflict
from memcore.domain.shared.errors import InvalidInput
from tests.factories import a_conflict


def test_values_at_the_limits_round_trip_exactly(uow_factory):
    edge = a_conflict(
        id="🌍" * 255,
        user_id="ü" * 255,
        category="日" * 255,
        similarity_score=5e-324,
        avg_importance=1.0,
        clarification_hint="x" * 70_000 + "🎉",
        created_at=datetime(1000, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        resolved_at=datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        resolution_attempts=2**31 - 1,
        metadata={"max_safe": 2**53, "neg": -(2**63), "float": 1.7976931348623157e308, "deep": [[[{"k": "v"}]]]},
    )
    with uow_factory() as uow:
        uow.conflicts.add(edge)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.conflicts.get(edge.id)
    for name in ("user_id", "category", "similarity_score", "avg_importance", "clarification_hint", "created_at",
                 "resolved_at", "resolution_attempts", "metadata"):  # fmt: skip
        assert getattr(loaded, name) == getattr(edge, name), name


@pytest.mark.parametrize(
    "overrides",
    [
        {"id": "x" * 256},
        {"category": "a\x00b"},
        {"clarification_hint": "bad \ud800 surrogate"},
        {"similarity_score": float("nan")},
        {"metadata": {"nan": float("inf")}},
    ],
    ids=["key-too-long", "nul", "lone-surrogate", "nan-score", "infinite-json"],
)
def test_a_value_some_dialect_cannot_store_is_refused_everywhere_before_writing(uow_factory, overrides):
    fields = dict(user_id="u", memory_a_id="a", memory_b_id="b", category="c", similarity_score=0.5,
                  avg_importance=0.5)  # fmt: skip
    services = build_services(uow_factory())
    with pytest.raises(InvalidInput):
        services.bus.handle(RecordConflict(**{**fields, **overrides}))
    assert services.count_conflicts("u") == 0
