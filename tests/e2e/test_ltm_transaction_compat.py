"""The LTM backend's transaction, ended early with commit() or rollback() as in the replaced backend."""

import pytest

from memcore.compat.ltm import SQLAlchemyBackend


@pytest.fixture
def backend(sql_engine):
    with SQLAlchemyBackend(sql_engine.url.render_as_string(hide_password=False)) as backend:
        yield backend


def test_rollback_inside_the_block_writes_nothing_and_the_block_then_ends_quietly(backend):
    with backend.transaction() as tx:
        tx.store("a", 1)
        assert tx.rollback() == {"success": True, "rolled_back": True}
        assert tx.commit()["error_type"] == "validation_error"  # already rolled back
    assert backend.retrieve("a")["found"] is False


def test_commit_inside_the_block_writes_at_once_and_a_later_rollback_is_refused(backend):
    with backend.transaction() as tx:
        tx.store("b", 2)
        assert tx.commit()["success"] is True
        assert backend.retrieve("b")["found"] is True
        assert tx.rollback() == {
            "success": False, "error": "the transaction is already committed", "error_type": "validation_error"
        }  # fmt: skip
    assert backend.retrieve("b")["value"] == 2
