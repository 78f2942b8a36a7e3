"""Disposing an engine closes the connections memcore's fast reads hold on it, on every dialect."""

import sqlalchemy

from memcore.compat.conflict_store import MemoryConflict, SQLAlchemyConflictStore


def test_disposing_the_engine_returns_the_reading_connection_and_reads_still_work(sql_engine):
    engine = sqlalchemy.create_engine(sql_engine.url.render_as_string(hide_password=False))
    try:
        store = SQLAlchemyConflictStore(engine)
        fields = {"user_id": "u", "memory_a_id": "a", "memory_b_id": "b", "category": "c"}
        store.add_conflict(MemoryConflict(**fields, similarity_score=0.5, avg_importance=0.5, id="c-1"))
        assert store.get_conflict("c-1").id == "c-1"
        assert engine.pool.checkedout() == 1  # the fast reader's connection
        engine.dispose()
        assert engine.pool.checkedout() == 0
        assert store.get_conflict("c-1").id == "c-1"  # a new reader opens on the next read
    finally:
        engine.dispose()
    assert engine.pool.checkedout() == 0
