"""The drop-in conflict store, used as code written for the original uses it."""

import enum
import sqlite3
from datetime import datetime

import pytest
from sqlalchemy import create_engine

from memcore.domain.conflicts.model import ConflictResolution, MemoryConflict
from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from memcore.infrastructure.compat.conflict_store import SQLAlchemyConflictStore


class Status(enum.Enum):
    PENDING = "pending"
    RESOLVED = "resolved"
    ESCALATED = "escalated"


class TheirConflict:
    """Stands in for the original's pydantic model: same attribute names, enums, naive utcnow."""

    def __init__(self, **fields):
        self.id = fields.pop("id", None)
        self.is_singleton_category = False
        self.status = Status.PENDING
        self.clarification_hint = None
        self.resolution_type = None
        self.winning_memory_id = None
        self.resolution_attempts = 0
        self.created_at = datetime(2025, 3, 1, 12, 0, 0, 250000)
        self.resolved_at = None
        self.metadata = {}
        self.__dict__.update(fields)


class TheirResolution:
    def __init__(self, decision, resolution_type="manual", resolved_by="system", notes=None):
        self.decision, self.resolution_type, self.resolved_by, self.notes = (
            decision,
            resolution_type,
            resolved_by,
            notes,
        )


def theirs(**overrides):
    fields = dict(
        user_id="u1", memory_a_id="a", memory_b_id="b", category="city", similarity_score=0.9, avg_importance=0.5
    )
    return TheirConflict(**{**fields, **overrides})


@pytest.fixture
def store(sql_engine):
    store = SQLAlchemyConflictStore(sql_engine)
    store.create_tables()
    return store


def test_the_original_workflow_runs_unchanged(store):
    first = store.add_conflict(theirs(id="c-1", avg_importance=0.2))
    second = store.add_conflict(theirs(avg_importance=0.9, status=Status.ESCALATED))
    third = store.add_conflict(theirs(avg_importance=0.7))
    assert first == "c-1" and len(second) == 36
    pending = store.get_pending_conflicts("u1")
    assert [c.id for c in pending] == [third, first]
    assert all(isinstance(c, MemoryConflict) for c in pending)
    assert store.get_pending_conflicts("u1", limit=1)[0].id == third
    assert store.resolve_conflict(third, TheirResolution("keep_b", resolved_by="u1", notes="moved"))
    resolved = store.get_conflict(third)
    assert (resolved.status, resolved.winning_memory_id, resolved.metadata["resolution_notes"]) == (
        "resolved",
        "b",
        "moved",
    )
    assert store.escalate_conflict(first)
    assert store.get_conflict_count("u1") == 3
    assert store.get_conflict_count("u1", Status.ESCALATED) == 2
    assert store.get_conflict("c-1").created_at.isoformat() == "2025-03-01T12:00:00.250000+00:00"
    assert store.clear_user_conflicts("u1", status="escalated") == 2
    assert store.get_conflict_count("u1") == 1


def test_unknown_ids_give_false_and_none_like_the_original(store):
    assert store.get_conflict("missing") is None
    assert store.resolve_conflict("missing", ConflictResolution("merge", "manual", "system")) is False
    assert store.escalate_conflict("missing") is False
    assert store.clear_user_conflicts("nobody") == 0


def test_a_duplicate_id_raises_and_keeps_what_was_stored(store):
    store.add_conflict(theirs(id="dup", category="first"))
    with pytest.raises(AlreadyExists):
        store.add_conflict(theirs(id="dup", category="second"))
    assert store.get_conflict("dup").category == "first"


def test_our_own_models_are_accepted_too(store):
    ours = MemoryConflict(
        user_id="u2", memory_a_id="x", memory_b_id="y", category="diet", similarity_score=0.4, avg_importance=0.4
    )
    assert store.add_conflict(ours) == ours.id
    assert store.resolve_conflict(ours.id, ConflictResolution("both_valid", "automated", "system"))
    assert store.get_conflict(ours.id).winning_memory_id is None


def test_bad_input_is_refused_with_a_domain_error(store):
    with pytest.raises(InvalidInput):
        store.add_conflict(theirs(similarity_score=1.5))
    with pytest.raises(InvalidInput):
        store.add_conflict(theirs(memory_b_id="a"))
    assert store.get_conflict_count("u1") == 0


LEGACY_DDL = """
CREATE TABLE conflicts (
    id VARCHAR NOT NULL PRIMARY KEY, user_id VARCHAR NOT NULL, memory_a_id VARCHAR NOT NULL,
    memory_b_id VARCHAR NOT NULL, category VARCHAR NOT NULL, is_singleton_category BOOLEAN,
    similarity_score FLOAT NOT NULL, status VARCHAR NOT NULL, avg_importance FLOAT NOT NULL,
    clarification_hint TEXT, resolution_type VARCHAR, winning_memory_id VARCHAR,
    resolution_attempts INTEGER, created_at DATETIME NOT NULL, resolved_at DATETIME, metadata_json TEXT
)"""


def test_a_database_written_by_the_original_store_opens_as_it_is(tmp_path):
    path = tmp_path / "legacy.db"
    with sqlite3.connect(path) as connection:
        connection.execute(LEGACY_DDL)
        connection.execute(
            "INSERT INTO conflicts VALUES ('old-1', 'u1', 'a', 'b', 'city', 1, 0.75, 'pending', 0.5,"
            " 'Where do you live?', NULL, NULL, 0, '2024-06-01 08:30:00.123456', NULL, '{\"k\": [1, 2]}')"
        )
    store = SQLAlchemyConflictStore(create_engine(f"sqlite:///{path}"))
    store.create_tables()
    old = store.get_conflict("old-1")
    assert (old.similarity_score, old.is_singleton_category, old.metadata) == (0.75, True, {"k": [1, 2]})
    assert old.created_at.isoformat() == "2024-06-01T08:30:00.123456+00:00"
    assert store.resolve_conflict("old-1", TheirResolution("keep_a"))
    store.add_conflict(theirs(id="new-1"))
    assert store.get_conflict_count("u1") == 2
    with sqlite3.connect(path) as connection:
        indexes = {row[1] for row in connection.execute("PRAGMA index_list('conflicts')")}
    assert {"ix_conflicts_user_id", "ix_conflicts_status", "ix_conflicts_user_id_status"} <= indexes
