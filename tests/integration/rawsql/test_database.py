"""Database and AsyncDatabase behave the same on SQLite, PostgreSQL and MariaDB."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest

from memcore.domain.shared.errors import AlreadyExists, InvalidInput, StorageUnavailable
from tests.conftest import dialect_param, server_url
from tests.integration.rawsql.conftest import create_items, drop_tables, open_database

INSERT = "INSERT INTO raw_items (id, name, data, at, score) VALUES (:id, :name, :data, :at, :score)"


def _item(i: int, **values: object) -> dict[str, object]:
    return {"id": i, "name": f"item {i}", "data": None, "at": None, "score": None, **values}


@pytest.fixture
def items(db):
    create_items(db)
    return db


def test_values_round_trip_unchanged(items):
    at = datetime(2024, 2, 29, 23, 59, 58, 123456)
    text = "naïve café 東京 🧠 'quoted' \"double\" back\\slash"
    items.execute(INSERT, _item(1, name=text, data=b"\x00\xff\x10binary", at=at, score=0.1 + 0.2))
    items.execute(INSERT, _item(2))

    row = items.fetch_one("SELECT name, data, at, score FROM raw_items WHERE id = :id", {"id": 1})
    empty = items.fetch_one("SELECT name, data, at, score FROM raw_items WHERE id = :id", {"id": 2})

    assert row["name"] == text
    assert bytes(row["data"]) == b"\x00\xff\x10binary"
    # SQLite has no datetime type: its driver stores and returns ISO text, with the microseconds.
    assert row["at"] == (at.isoformat(" ") if items.dialect == "sqlite" else at)
    assert row["score"] == 0.1 + 0.2
    assert (empty["data"], empty["at"], empty["score"]) == (None, None, None)
    assert items.fetch_value("SELECT id FROM raw_items WHERE at = :at", {"at": at}) == 1


def test_a_list_or_tuple_expands_inside_in(items):
    items.execute_many(INSERT, [_item(i) for i in range(1, 6)])
    ids = "SELECT id FROM raw_items WHERE id IN (:ids) ORDER BY id"
    not_ids = "SELECT id FROM raw_items WHERE id NOT IN (:ids) ORDER BY id"

    assert [r["id"] for r in items.fetch_all(ids, {"ids": [4, 2, 99]})] == [2, 4]
    assert [r["id"] for r in items.fetch_all(ids, {"ids": (5,)})] == [5]
    assert items.fetch_all(ids, {"ids": []}) == []
    assert [r["id"] for r in items.fetch_all(not_ids, {"ids": []})] == [1, 2, 3, 4, 5]
    assert [r["id"] for r in items.fetch_all(not_ids, {"ids": [1, 2, 3]})] == [4, 5]


@pytest.mark.parametrize(
    "evil",
    ["x'); DROP TABLE raw_items; --", "' OR '1'='1", ":id", "%s %(id)s ? $1", "\\'; SELECT 1; #", "100%"],
)
def test_injection_attempts_passed_as_values_stay_values(items, evil):
    items.execute(INSERT, _item(1, name=evil))

    assert items.fetch_value("SELECT name FROM raw_items WHERE name = :name", {"name": evil}) == evil
    assert items.fetch_value("SELECT COUNT(*) FROM raw_items WHERE name = :name", {"name": "nothing"}) == 0
    assert items.table_exists("raw_items")


def test_missing_and_unused_parameters_are_refused_before_anything_is_sent(items):
    with pytest.raises(InvalidInput, match=r"missing parameter :score\b"):
        items.execute(INSERT, {k: v for k, v in _item(1).items() if k != "score"})
    with pytest.raises(InvalidInput, match=r"unused parameter :colour\b"):
        items.execute(INSERT, {**_item(1), "colour": "red"})
    with pytest.raises(InvalidInput, match=r"missing parameter :name"):
        items.execute_many(INSERT, [_item(2), {k: v for k, v in _item(3).items() if k != "name"}])

    assert items.fetch_value("SELECT COUNT(*) FROM raw_items") == 0


def test_colons_in_literals_comments_and_casts_are_not_parameters(items):
    cast = "CAST(:n AS INTEGER)" if items.dialect == "sqlite" else "CAST(:n AS SIGNED)"
    if items.dialect == "postgresql":
        cast = ":n::integer"
    row = items.fetch_one(f"SELECT ':not_one' AS text, {cast} AS n -- :nor_this\n", {"n": 7})

    assert row == {"text": ":not_one", "n": 7}


def test_execute_reports_the_rows_affected(items):
    assert items.execute_many(INSERT, [_item(i) for i in range(1, 4)]) == 3
    assert items.execute("UPDATE raw_items SET score = :s WHERE id <= :id", {"s": 1.5, "id": 2}) == 2
    assert (
        items.execute_many("UPDATE raw_items SET name = :n WHERE id = :id", [{"n": "a", "id": 1}, {"n": "b", "id": 9}])
        == 1
    )
    assert items.execute("DELETE FROM raw_items WHERE id IN (:ids)", {"ids": [1, 3]}) == 2
    assert items.fetch_all("SELECT id, name FROM raw_items") == [{"id": 2, "name": "item 2"}]
    assert items.fetch_one("SELECT id FROM raw_items WHERE id = :id", {"id": 42}) is None
    assert items.fetch_value("SELECT name FROM raw_items WHERE id = :id", {"id": 42}) is None


def test_a_failed_batch_writes_nothing(items):
    rows = [_item(1), _item(2), _item(1, name="dup-value-xyz")]

    with pytest.raises(AlreadyExists) as raised:
        items.execute_many(INSERT, rows)

    assert items.fetch_value("SELECT COUNT(*) FROM raw_items") == 0
    assert "INSERT INTO raw_items" in str(raised.value) and "dup-value-xyz" not in str(raised.value)


def test_errors_name_the_sql_but_never_the_values(items):
    items.execute(INSERT, _item(7, name="secret-value"))

    with pytest.raises(AlreadyExists) as duplicate:
        items.execute(INSERT, _item(7, name="secret-value"))
    with pytest.raises(InvalidInput, match="SELEC name FRO raw_items"):
        items.fetch_all("SELEC name FRO raw_items")
    with pytest.raises(InvalidInput, match="no_such_table"):
        items.fetch_all("SELECT * FROM no_such_table WHERE id = :id", {"id": 1})

    assert "INSERT INTO raw_items" in str(duplicate.value)
    assert "secret-value" not in str(duplicate.value) and "7" not in str(duplicate.value).split("[SQL")[0]


def test_a_transaction_commits_everything_or_nothing(items):
    with items.transaction():
        items.execute(INSERT, _item(1))
        items.execute(INSERT, _item(2))
        assert items.fetch_value("SELECT COUNT(*) FROM raw_items") == 2  # seen inside
    with pytest.raises(RuntimeError), items.transaction():
        items.execute(INSERT, _item(3))
        items.execute("UPDATE raw_items SET name = :n", {"n": "changed"})
        raise RuntimeError("mid-way")
    with pytest.raises(AlreadyExists), items.transaction():
        items.execute(INSERT, _item(4))
        items.execute(INSERT, _item(1))

    assert items.fetch_all("SELECT id, name FROM raw_items ORDER BY id") == [
        {"id": 1, "name": "item 1"},
        {"id": 2, "name": "item 2"},
    ]


def test_nested_transactions_are_savepoints(items):
    with items.transaction():
        items.execute(INSERT, _item(1))
        with pytest.raises(RuntimeError), items.transaction():
            items.execute(INSERT, _item(2))
            raise RuntimeError("inner only")
        with items.transaction():
            items.execute(INSERT, _item(3))
            with pytest.raises(AlreadyExists), items.transaction():
                items.execute(INSERT, _item(1))
        items.execute_many(INSERT, [_item(4)])

    assert [r["id"] for r in items.fetch_all("SELECT id FROM raw_items ORDER BY id")] == [1, 3, 4]


def test_stream_yields_a_large_result_batch_by_batch(items):
    items.execute_many(INSERT, [_item(i, score=i / 2) for i in range(2500)])

    rows = items.stream("SELECT id, score FROM raw_items WHERE id >= :low ORDER BY id", {"low": 0}, batch_size=100)

    assert isinstance(rows, Iterator) and not isinstance(rows, list | tuple)
    assert next(rows) == {"id": 0, "score": 0.0}
    assert [r["id"] for r in rows] == list(range(1, 2500))
    with pytest.raises(InvalidInput, match="batch_size"):
        items.stream("SELECT id FROM raw_items", batch_size=0)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("dialect", [dialect_param("postgresql")])
def test_a_postgresql_stream_reads_through_a_server_side_cursor(dialect, mode):
    with _database(dialect, mode) as items:
        items.execute_many(INSERT, [_item(i) for i in range(300)])
        with items.transaction():
            rows = items.stream("SELECT id FROM raw_items ORDER BY id", batch_size=50)
            first = next(rows)
            open_cursors = items.fetch_value("SELECT COUNT(*) FROM pg_cursors")
            rest = list(rows)

    assert first == {"id": 0} and len(rest) == 299
    assert open_cursors >= 1


def test_table_exists(items):
    assert items.table_exists("raw_items")
    assert not items.table_exists("raw_nothing_here")


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("dialect", [dialect_param("postgresql"), dialect_param("mariadb")])
def test_a_lost_connection_is_storage_unavailable_and_the_next_call_reconnects(dialect, mode):
    pg = dialect == "postgresql"
    with _database(dialect, mode) as items:
        victim = items.fetch_value("SELECT pg_backend_pid()" if pg else "SELECT CONNECTION_ID()")
        killer = open_database(server_url(dialect), "sync")
        try:
            if pg:
                killer.fetch_value("SELECT pg_terminate_backend(:pid)", {"pid": victim})
            else:
                killer.execute(f"KILL {int(victim)}")
        finally:
            killer.close()

        with pytest.raises(StorageUnavailable, match="SELECT 1"):
            items.fetch_value("SELECT 1 AS one")
        assert items.fetch_value("SELECT 2 AS two") == 2


@contextmanager
def _database(dialect: str, mode: str) -> Iterator[Any]:
    database = open_database(server_url(dialect), mode)
    drop_tables(database)
    create_items(database)
    try:
        yield database
    finally:
        drop_tables(database)
        database.close()


def test_the_password_is_never_shown(url):
    database = open_database(url, "sync")
    try:
        shown = repr(database) + database.masked_url
    finally:
        database.close()
    if "memcore:memcore@" in url:
        assert "memcore:memcore@" not in shown and "***" in shown


def test_unknown_options_are_refused():
    with pytest.raises(InvalidInput, match="pool_sise"):
        open_database("sqlite://", "sync", pool_sise=3)


def test_a_value_beyond_a_database_limit_is_invalid_input_and_writes_nothing(db):
    # An indexed text column: PostgreSQL's btree refuses a key this large (SQLSTATE 54000, a
    # program limit); SQLite and MariaDB (a prefix index) store it.
    mysql = db.dialect in ("mysql", "mariadb")
    prefix, kind = ("(100)", "LONGTEXT") if mysql else ("", "TEXT")
    db.execute(f"CREATE TABLE raw_big (id INTEGER PRIMARY KEY, body {kind})")
    db.execute(f"CREATE INDEX ix_raw_big_body ON raw_big (body{prefix})")
    body = os.urandom(300_000).hex()  # 600 kB that compress badly

    if db.dialect == "postgresql":
        with pytest.raises(InvalidInput, match="beyond a limit of the database") as raised:
            db.execute("INSERT INTO raw_big (id, body) VALUES (:id, :body)", {"id": 1, "body": body})
        assert body[:40] not in str(raised.value)
        assert db.fetch_value("SELECT COUNT(*) FROM raw_big") == 0
    else:
        db.execute("INSERT INTO raw_big (id, body) VALUES (:id, :body)", {"id": 1, "body": body})
        assert db.fetch_value("SELECT body FROM raw_big WHERE id = 1") == body
