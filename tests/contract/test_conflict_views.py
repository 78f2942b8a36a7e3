"""The read model agrees with the repository on every adapter, and only shows committed data."""

from memcore.application.conflicts.views import ConflictView
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
