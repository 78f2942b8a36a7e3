"""`execute_positional`: values by position, checked like named ones, on three dialects sync and async."""

import pytest

from memcore.domain.shared.errors import AlreadyExists, InvalidInput
from tests.integration.rawsql.conftest import create_items

INSERT = "INSERT INTO raw_items (id, name, data, at, score) VALUES (:id, :name, :data, :at, :score)"


@pytest.fixture
def items(db):
    create_items(db)
    return db


def test_values_bind_in_the_order_their_names_are_written(items):
    rows = ", ".join(f"(:i{k}, :n{k}, NULL, NULL, :s{k})" for k in range(500))
    values = [v for k in range(500) for v in (k, f"item {k} 100% ':x'", k / 4)]

    assert items.execute_positional(f"INSERT INTO raw_items (id, name, data, at, score) VALUES {rows}", values) == 500
    assert items.execute_positional("UPDATE raw_items SET score = :s WHERE id < :id", (9.5, 3)) == 3

    got = items.fetch_all("SELECT id, name, score FROM raw_items WHERE id IN (:ids) ORDER BY id", {"ids": [0, 2, 499]})
    name = "item {} 100% ':x'".format
    assert got == [{"id": 0, "name": name(0), "score": 9.5}, {"id": 2, "name": name(2), "score": 9.5},
                   {"id": 499, "name": name(499), "score": 499 / 4}]  # fmt: skip


@pytest.mark.parametrize(
    ("sql", "values", "message"),
    [
        (INSERT, [1, "a", None, None], "4 values for 5 parameters"),
        (INSERT, [1, "a", None, None, 1.0, 2], "6 values for 5 parameters"),
        (INSERT, {"id": 1}, "must be a list or tuple"),
        (INSERT, "abcde", "must be a list or tuple"),
        ("DELETE FROM raw_items WHERE id IN (:ids)", [[1, 2]], "no IN lists"),
        ("UPDATE raw_items SET score = :s WHERE id = :s", [1], "each :name written once"),
    ],
)
def test_wrong_values_are_refused_before_anything_is_sent(items, sql, values, message):
    items.execute(INSERT, {"id": 1, "name": "kept", "data": None, "at": None, "score": 1.0})

    with pytest.raises(InvalidInput, match=message):
        items.execute_positional(sql, values)

    assert items.fetch_all("SELECT id, name, score FROM raw_items") == [{"id": 1, "name": "kept", "score": 1.0}]


def test_a_failed_statement_is_a_typed_error_and_writes_nothing_in_a_transaction(items):
    with pytest.raises(AlreadyExists) as raised, items.transaction():
        items.execute_positional(INSERT, [1, "a", None, None, None])
        items.execute_positional(INSERT, [1, "secret-value", None, None, None])

    assert items.fetch_value("SELECT COUNT(*) FROM raw_items") == 0
    assert "secret-value" not in str(raised.value)
