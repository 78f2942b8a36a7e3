"""Connections going back to the pool: open work is rolled back, finished work costs no round trip."""

import pytest
from sqlalchemy import text

from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from tests.conftest import server_url


def _rollbacks(cursor) -> int:
    cursor.execute("SHOW SESSION STATUS LIKE 'Com_rollback'")
    return int(cursor.fetchone()[1])


@pytest.mark.mariadb
def test_pymysql_connections_are_rolled_back_on_return_only_when_a_transaction_is_open(engines):
    engines["mariadb"]  # migrated, so the table exists
    engine = build_engine(Settings(url=server_url("mariadb"), pool_size=1, max_overflow=0))
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM ltm_entries"))
    pooled = engine.raw_connection()
    cursor = pooled.cursor()
    before = _rollbacks(cursor)
    cursor.execute("SELECT COUNT(*) FROM ltm_entries")
    pooled.commit()
    cursor.close()
    pooled.close()  # committed: nothing to roll back

    pooled = engine.raw_connection()  # the same connection (a pool of one)
    cursor = pooled.cursor()
    assert _rollbacks(cursor) == before
    cursor.execute(
        "INSERT INTO ltm_entries (`key`, value, created_at, updated_at)"
        " VALUES ('k', '1', '2024-01-01 00:00:00', '2024-01-01 00:00:00')"
    )
    cursor.close()
    pooled.close()  # left open: rolled back on return

    pooled = engine.raw_connection()
    cursor = pooled.cursor()
    assert _rollbacks(cursor) == before + 1
    cursor.execute("SELECT COUNT(*) FROM ltm_entries")
    assert cursor.fetchone()[0] == 0
    cursor.close()
    pooled.close()
    engine.dispose()


def test_sqlite_connections_left_in_a_transaction_are_rolled_back_on_return(tmp_path):
    engine = build_engine(Settings(url=f"sqlite:///{tmp_path / 'reset.db'}"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    pooled = engine.raw_connection()
    pooled.driver_connection.execute("BEGIN")
    pooled.driver_connection.execute("INSERT INTO t VALUES (1)")
    pooled.close()  # left open: rolled back on return
    pooled = engine.raw_connection()
    assert not pooled.driver_connection.in_transaction
    assert pooled.driver_connection.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    pooled.close()
    engine.dispose()
