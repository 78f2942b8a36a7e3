"""SQLite-written DDL through the nexusql drop-in behaves on every dialect as it does on SQLite:
`INTEGER PRIMARY KEY` numbers rows yet stores a given id (0 included), `TEXT` holds long text and
can be a key or UNIQUE, a compound index over TEXT columns can be made (MariaDB needs key
prefixes for it), and a GROUP BY of the key may select the columns the key determines."""

from collections.abc import Iterator

import pytest

from memcore.compat.nexusql import DatabaseManager
from tests.store_fixtures import url_of

_TABLES = ("nx_sessions", "nx_owners", "nx_people")


@pytest.fixture
def db(sql_engine) -> Iterator[DatabaseManager]:
    manager = DatabaseManager(url_of(sql_engine))
    assert manager.connect()
    for table in _TABLES:
        manager.execute(f"DROP TABLE IF EXISTS {table}")
    manager.execute("CREATE TABLE nx_people (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, bio TEXT, age INTEGER)")
    yield manager
    for table in _TABLES:
        manager.execute(f"DROP TABLE IF EXISTS {table}")
    manager.disconnect()


def test_integer_primary_key_numbers_rows_and_stores_given_ids_zero_included(db):
    db.execute("INSERT INTO nx_people (id, name) VALUES (:id, :name)", {"id": 0, "name": "zero"})
    db.execute("INSERT INTO nx_people (id, name) VALUES (:id, :name)", {"id": 1, "name": "one"})
    db.execute("INSERT INTO nx_people (id, name) VALUES (:id, :name)", {"id": 7, "name": "seven"})
    rows = db.fetch_all("SELECT id, name FROM nx_people ORDER BY id")
    assert [(row["id"], row["name"]) for row in rows] == [(0, "zero"), (1, "one"), (7, "seven")]


def test_an_omitted_integer_primary_key_is_numbered(db):
    db.execute("INSERT INTO nx_people (name) VALUES ('a')")
    db.execute("INSERT INTO nx_people (name) VALUES ('b')")
    ids = [row["id"] for row in db.fetch_all("SELECT id FROM nx_people ORDER BY id")]
    assert len(ids) == 2 and ids[0] < ids[1]


def test_text_holds_more_than_64_kib_and_stays_unique(db):
    long = "é" * 70_000  # 140,000 bytes: over MySQL's TEXT
    db.execute("INSERT INTO nx_people (name, bio) VALUES (:name, :bio)", {"name": "a", "bio": long})
    assert db.fetch_one("SELECT bio FROM nx_people WHERE name = 'a'")["bio"] == long
    with pytest.raises(Exception, match="already"):
        db.execute("INSERT INTO nx_people (name) VALUES ('a')")


def test_a_text_primary_key_and_a_text_foreign_key(db):
    db.execute("CREATE TABLE nx_owners (name TEXT PRIMARY KEY)")
    db.execute("CREATE TABLE nx_sessions (token TEXT PRIMARY KEY, owner TEXT REFERENCES nx_owners(name), note TEXT)")
    db.execute("INSERT INTO nx_owners (name) VALUES ('ann')")
    db.execute("INSERT INTO nx_sessions (token, owner, note) VALUES ('t-1', 'ann', 'a, b (c)')")
    row = db.fetch_one("SELECT * FROM nx_sessions WHERE token = 't-1'")
    assert (row["owner"], row["note"]) == ("ann", "a, b (c)")


def test_a_compound_index_over_text_columns(db):
    db.execute("CREATE INDEX nx_people_bio_age ON nx_people (bio, age)")
    db.execute("INSERT INTO nx_people (name, bio, age) VALUES ('a', 'x', 3)")
    assert db.fetch_one("SELECT name FROM nx_people WHERE bio = 'x' AND age = 3") == {"name": "a"}


def test_group_by_the_key_selects_the_columns_it_determines(db):
    db.execute("INSERT INTO nx_people (name, age) VALUES ('a', 1)")
    db.execute("INSERT INTO nx_people (name, age) VALUES ('b', 2)")
    rows = db.execute("SELECT p.name, COUNT(*) AS n FROM nx_people p GROUP BY p.id ORDER BY p.name")
    assert [(row["name"], row["n"]) for row in rows] == [("a", 1), ("b", 1)]
