"""The conflict-store drop-in on the in-memory fake: where the replaced stores' quirks are kept."""

import pytest

from memcore.compat.conflict_store import ConflictResolution, InMemoryConflictStore, MemoryConflict
from memcore.domain.shared.errors import InvalidInput

FIELDS = {"user_id": "u", "memory_a_id": "a", "memory_b_id": "b", "category": "c", "similarity_score": 0.5}


@pytest.fixture
def store():
    store = InMemoryConflictStore()
    for n in range(3):
        store.add_conflict(MemoryConflict(id=f"c{n}", avg_importance=n / 10, **FIELDS))
    return store


@pytest.mark.parametrize("limit", [None, 0])
def test_no_limit_or_a_zero_limit_gives_every_pending_conflict_as_the_replaced_stores_did(store, limit):
    assert [c.id for c in store.get_pending_conflicts("u", limit=limit)] == ["c2", "c1", "c0"]


def test_a_limit_still_cuts_and_a_negative_one_is_refused(store):
    assert [c.id for c in store.get_pending_conflicts("u", limit=1)] == ["c2"]
    with pytest.raises(InvalidInput, match="limit"):
        store.get_pending_conflicts("u", limit=-1)


def test_resolving_writes_the_replaced_stores_metadata_keys_with_resolved_at_as_iso_text(store):
    resolution = ConflictResolution(conflict_id="c1", decision="keep_b", resolution_type="manual", resolved_by="me")
    assert store.resolve_conflict("c1", resolution) is True
    conflict = store.get_conflict("c1")
    assert {"resolution_decision", "resolution_notes", "resolved_by", "resolved_at"} <= conflict.metadata.keys()
    assert conflict.metadata["resolved_at"] == conflict.resolved_at.isoformat()


def test_instances_do_not_share_their_conflicts(store):
    assert InMemoryConflictStore().get_conflict_count("u") == 0
    assert store.get_conflict_count("u") == 3
