"""The read model agrees with the repository on every adapter, and only shows committed data."""

from datetime import UTC, datetime

import pytest

from memcore.application.conflicts.views import ConflictView, pending_query
from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.specification import Field, Query
from tests.factories import a_conflict


def test_views_match_the_stored_aggregates(uow_factory):
    stored = [
        a_conflict(user_id="v", avg_importance=0.3, clarification_hint=None, metadata={"k": ["ü", 1]}),
        a_conflict(user_id="v", avg_importance=0.9, clarification_hint="hint"),
        a_conflict(user_id="w", avg_importance=0.9),
    ]
    with uow_factory() as uow:
        uow.conflicts.add_many(stored)
        uow.commit()
    views = uow_factory().conflict_views
    query = Query(where=Field("user_id") == "v", order_by=[Field("avg_importance").desc()], limit=5)
    assert views.list(query) == [ConflictView.of(stored[1]), ConflictView.of(stored[0])]
    assert views.get(stored[0].id) == ConflictView.of(stored[0])
    assert views.get("missing") is None
    assert views.count(Field("avg_importance") >= 0.9) == 2
    assert views.count() == 3


def test_views_do_not_see_an_open_transaction(uow_factory):
    uow = uow_factory()
    with uow:
        uow.conflicts.add(a_conflict(id="uncommitted"))
        if hasattr(uow, "session"):  # make the SQL adapters really send the row
            uow.session.flush()
        assert uow.conflict_views.get("uncommitted") is None
        uow.commit()
    assert uow.conflict_views.get("uncommitted") is not None


def test_pending_matches_the_pending_query_for_every_limit(uow_factory):
    """The planned pending route serves the same rows, order, types and page as the Query."""
    stored = [
        a_conflict(
            user_id="p",
            avg_importance=(i % 3) / 3,
            created_at=datetime(2024, 1, 1, 0, 0, i, i * 1000, tzinfo=UTC),
            is_singleton_category=i % 2 == 0,
            metadata={} if i % 2 else {"i": i},
            status="resolved" if i == 4 else "pending",
            resolution_type="automated" if i == 4 else None,
        )
        for i in range(7)
    ]
    with uow_factory() as uow:
        uow.conflicts.add_many([*stored, a_conflict(user_id="other")])
        uow.commit()
    views = uow_factory().conflict_views
    for limit in (None, 0, 1, 3, 100, 3):  # 3 twice: the second call takes the planned statement
        assert views.pending("p", limit) == views.list(pending_query("p", limit))
    page = views.pending("p")
    assert [v.id for v in page] == [
        c.id for c in sorted(stored[:4] + stored[5:], key=lambda c: (-c.avg_importance, c.created_at, c.id))
    ]
    assert all(v.created_at.tzinfo is UTC and type(v.is_singleton_category) is bool for v in page)
    assert {type(v.metadata) for v in page} == {dict}
    assert views.pending("nobody", 5) == []
    for bad in (-1, True, 1.5):
        with pytest.raises(InvalidInput):
            views.pending("p", bad)
