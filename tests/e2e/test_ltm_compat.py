"""The LTM drop-in API (SQLAlchemyBackend, SQLAlchemyCatalog) as agent code written for it uses it."""

import logging
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from memcore.domain.shared.errors import InvalidInput, NotFound, StorageUnavailable
from memcore.infrastructure.compat.ltm import SQLAlchemyBackend, SQLAlchemyCatalog

SECRET = "s3cr3t-pw"
UNREACHABLE = {
    "postgresql": f"postgresql+psycopg://memcore:{SECRET}@127.0.0.1:1/nowhere",
    "mariadb": f"mysql+pymysql://memcore:{SECRET}@127.0.0.1:1/nowhere",
}


@pytest.fixture
def url(sql_engine):
    return sql_engine.url.render_as_string(hide_password=False)


@pytest.fixture
def backend(url):
    with SQLAlchemyBackend(url, pool_size=2) as backend:
        yield backend


@pytest.fixture
def catalog(url):
    with SQLAlchemyCatalog(url, pool_size=2) as catalog:
        yield catalog


def test_the_agent_workflow_runs_unchanged(backend):
    assert backend.dialect in ("sqlite", "postgresql", "mysql")
    profile = {"name": "Ann", "likes": ["tomatoes", {"kind": "basil"}], "age": 41, "vip": True, "score": 0.5}
    assert backend.store("user:1:profile", profile, {"user": "u1", "kind": "profile"}) == {
        "success": True, "stored": True, "key": "user:1:profile", "created": True,
    }  # fmt: skip
    assert backend.store("user:1:profile", {**profile, "age": 42}, {"user": "u1"})["created"] is False
    backend.store("user:1:note", "Asked how to grow tomatoes on a balcony", {"user": "u1", "kind": "note"})
    backend.store("user:2:note", ["basil", "mint"], None)
    backend.store("user:2:counter", 7)

    assert backend.retrieve("user:1:profile") == {
        "success": True, "value": {**profile, "age": 42}, "found": True, "metadata": {"user": "u1"},
    }  # fmt: skip
    assert backend.retrieve("nobody", default={"empty": True}) == {
        "success": True, "value": {"empty": True}, "found": False, "metadata": None,
    }  # fmt: skip
    assert backend.retrieve("user:2:counter")["value"] == 7

    found = backend.search("tomatoes")
    assert found["success"] and found["count"] == 2
    assert {r["key"] for r in found["results"]} == {"user:1:profile", "user:1:note"}
    assert all(isinstance(r["score"], float) for r in found["results"])
    notes = backend.search(metadata_filter={"kind": "note"}, limit=10)
    assert [r["key"] for r in notes["results"]] == ["user:1:note"] and "score" not in notes["results"][0]
    assert backend.search("basil", metadata_filter={"user": "u1"})["results"][0]["key"] == "user:1:profile"
    assert backend.search('"; DROP TABLE ltm_entries; -- AND OR NEAR * (')["success"] is True
    assert backend.search("", limit=2)["count"] == 2

    assert [key for key, _, _ in backend.iterate_all()] == ["user:1:note", "user:1:profile", "user:2:counter",
                                                             "user:2:note"]  # fmt: skip
    assert backend.delete("user:2:note") == {"success": True, "deleted": True, "key": "user:2:note"}
    assert backend.delete("user:2:note")["deleted"] is False


def test_a_transaction_commits_on_exit_and_sees_its_own_writes(backend):
    backend.store("gone", 1)
    with backend.transaction() as tx:
        assert tx.store("a", {"n": 1})["created"] is True
        assert tx.retrieve("a")["value"] == {"n": 1}
        assert tx.delete("gone")["deleted"] is True
        assert tx.retrieve("gone", default="-") == {"success": True, "value": "-", "found": False, "metadata": None}
    assert tx.result == {"success": True, "committed": True, "operations": 4}
    assert backend.retrieve("a")["found"] and not backend.retrieve("gone")["found"]


def test_an_exception_in_the_block_rolls_everything_back(backend):
    backend.store("kept", "old")
    with pytest.raises(KeyError), backend.transaction() as tx:
        tx.store("kept", "new")
        tx.store("b", 2)
        raise KeyError("boom")
    assert tx.result["success"] is False and "KeyError" in tx.result["error"]
    assert backend.retrieve("kept")["value"] == "old" and not backend.retrieve("b")["found"]


def test_a_failed_operation_rolls_the_transaction_back(backend, caplog):
    with caplog.at_level(logging.WARNING), backend.transaction() as tx:
        assert tx.store("a", 1)["success"] is True
        failed = tx.store("", 2)
        assert failed["error_type"] == "validation_error"
        assert tx.store("c", 3)["error"].startswith("the transaction already failed")
    assert tx.result["success"] is False and tx.result["error_type"] == "validation_error"
    assert not backend.retrieve("a")["found"]
    assert "memory transaction rolled back" in caplog.text


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.store("", 1), "key must not be empty"),
        (lambda b: b.store(None, 1), "key must not be empty"),
        (lambda b: b.store("k" * 513, 1), "longer than 512 characters"),
        (lambda b: b.store("k", object()), "is not a JSON value"),
        (lambda b: b.store("k", float("nan")), "JSON cannot represent"),
        (lambda b: b.store("k", 1, metadata=["not", "a", "dict"]), "must be a JSON object"),
        (lambda b: b.retrieve(""), "key must not be empty"),
        (lambda b: b.delete(None), "key must not be empty"),
        (lambda b: b.search("x", limit=-1), "limit must be an integer"),
        (lambda b: b.search(metadata_filter={"a": [1]}), ""),
    ],
)
def test_bad_input_is_a_validation_error_and_stores_nothing(backend, call, message):
    result = call(backend)
    assert result["success"] is False and result["error_type"] == "validation_error"
    assert message in result["error"]
    assert backend.search()["count"] == 0


def test_every_call_after_close_is_a_connection_error(url):
    backend = SQLAlchemyBackend(url)
    backend.store("k", 1)
    backend.close()
    backend.close()  # twice is harmless
    for result in (backend.store("k", 2), backend.retrieve("k"), backend.delete("k"), backend.search("k")):
        assert result["success"] is False and result["error_type"] == "connection_error"
        assert "closed" in result["error"]
    assert list(backend.iterate_all()) == []
    with backend.transaction() as tx:
        assert tx.store("k", 3)["error_type"] == "connection_error"
    assert tx.result["error_type"] == "connection_error"


def test_lazy_opens_nothing_until_first_use_and_migrates_then(tmp_path):
    path = tmp_path / "lazy.db"
    backend = SQLAlchemyBackend(f"sqlite:///{path}", lazy=True)
    catalog = SQLAlchemyCatalog(f"sqlite:///{path}", lazy=True)
    assert backend.dialect == "sqlite" and not path.exists()
    assert backend.store("k", {"v": 1})["created"] is True  # the schema was created on first use
    assert catalog.track_entry("blob", "sha256:ab", None, 0, None)["created"] is True
    backend.close()
    catalog.close()
    with SQLAlchemyBackend(f"sqlite:///{path}") as again:  # eager: opens and finds the schema current
        assert again.retrieve("k")["value"] == {"v": 1}


@pytest.mark.parametrize("dialect", [pytest.param("postgresql", marks=pytest.mark.postgresql),
                                     pytest.param("mariadb", marks=pytest.mark.mariadb)])  # fmt: skip
def test_an_unreachable_server_is_a_connection_error_without_the_password(dialect):
    lazy = SQLAlchemyBackend(UNREACHABLE[dialect], lazy=True)
    result = lazy.store("k", 1)
    assert result["success"] is False and result["error_type"] == "connection_error"
    assert SECRET not in result["error"]
    lazy.close()
    with pytest.raises(StorageUnavailable) as caught:
        SQLAlchemyBackend(UNREACHABLE[dialect])  # eager: fails at once, as a memcore error
    assert SECRET not in str(caught.value)


def test_a_locked_database_is_a_connection_timeout(tmp_path):
    path = tmp_path / "locked.db"
    backend = SQLAlchemyBackend(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = backend.store("k", 1)  # waits out the busy timeout
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result["success"] is False and result["error_type"] == "connection_timeout"
    assert backend.store("k", 1)["success"] is True
    backend.close()


def test_a_statement_the_database_refuses_is_a_query_error(tmp_path):
    path = tmp_path / "broken.db"
    backend = SQLAlchemyBackend(f"sqlite:///{path}")
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE ltm_entries RENAME TO ltm_entries_moved")
    result = backend.store("k", 1)
    assert result["success"] is False and result["error_type"] == "query_error"
    backend.close()


def test_the_catalog_workflow_runs_unchanged(catalog):
    soon = datetime.now(UTC) + timedelta(days=1)
    made = catalog.track_entry("docs/a.pdf", "sha256:aa", "s3://b/a.pdf", 100, {"team": "x"}, expires_at=soon)
    assert made["success"] and made["created"] and len(made["entry_id"]) == 64
    assert catalog.track_entry("docs/a.pdf", "sha256:a1", "s3://b/a.pdf", 101, {"team": "x"})["created"] is False
    catalog.track_entry("docs/b.json", "sha256:bb", None, 12, None, inlined_value={"small": True})
    entry = catalog.get_entry("docs/a.pdf")
    assert set(entry) == {"id", "key", "content_hash", "storage_uri", "byte_size", "inlined_value", "metadata",
                          "expires_at", "created_at", "updated_at"}  # fmt: skip
    assert (entry["id"], entry["content_hash"], entry["byte_size"], entry["expires_at"]) == (
        made["entry_id"], "sha256:a1", 101, None,
    )  # fmt: skip
    assert catalog.get_entry("nope") is None
    assert [e["key"] for e in catalog.list_entries(prefix="docs/")] == ["docs/a.pdf", "docs/b.json"]
    assert [e["key"] for e in catalog.list_entries(metadata_filter={"team": "x"}, limit=5)] == ["docs/a.pdf"]

    snapshot_id = catalog.create_snapshot("nightly")
    snapshot = catalog.get_snapshot(snapshot_id)
    assert (snapshot["id"], snapshot["name"], snapshot["entry_count"], snapshot["total_bytes"]) == (
        snapshot_id, "nightly", 2, 113,
    )  # fmt: skip
    catalog.track_entry("docs/c.txt", "sha256:cc", "s3://b/c.txt", 7, None)
    assert [e["key"] for e in catalog.get_changed_entries(snapshot_id)] == ["docs/c.txt"]
    assert len(catalog.get_changed_entries()) == 3
    assert catalog.delete_entry("docs/c.txt") is True and catalog.delete_entry("docs/c.txt") is False


def test_catalog_batches_are_atomic_unless_told_otherwise(catalog):
    good = [{"key": f"b/{i}", "content_hash": f"h{i}", "byte_size": i, "storage_uri": f"s3://x/{i}"} for i in range(3)]
    bad = {"key": "b/bad", "content_hash": "h", "byte_size": -1}

    atomic = catalog.store_batch([*good, bad])
    assert (atomic["success"], atomic["stored_count"], atomic["failed_count"]) == (False, 0, 1)
    assert atomic["errors"][0]["index"] == 3 and atomic["errors"][0]["key"] == "b/bad"
    assert catalog.list_entries(prefix="b/") == []

    partial = catalog.store_batch([*good, bad], atomic=False)
    assert (partial["stored_count"], partial["failed_count"]) == (3, 1)
    fetched = catalog.retrieve_batch(["b/0", "b/2", "b/missing"])
    assert (fetched["success"], fetched["found_count"], fetched["missing_count"]) == (True, 2, 1)
    assert fetched["entries"]["b/missing"] is None and fetched["entries"]["b/2"]["byte_size"] == 2


def test_cleanup_deletes_only_expired_entries(catalog):
    past, future = datetime.now(UTC) - timedelta(seconds=5), datetime.now(UTC) + timedelta(days=1)
    for i in range(5):
        catalog.track_entry(f"old/{i}", "h", None, 1, None, expires_at=past)
    catalog.track_entry("fresh", "h", None, 1, None, expires_at=future)
    catalog.track_entry("forever", "h", None, 1, None)
    assert catalog.cleanup_expired(batch_size=2) == {"success": True, "deleted_count": 5}
    assert [e["key"] for e in catalog.list_entries()] == ["forever", "fresh"]


def test_catalog_errors_are_dicts_or_memcore_errors(url):
    catalog = SQLAlchemyCatalog(url)
    bad = catalog.track_entry("k", "h", None, -5, None)
    assert bad["success"] is False and bad["error_type"] == "validation_error"
    assert catalog.cleanup_expired(batch_size=0)["error_type"] == "validation_error"
    with pytest.raises(InvalidInput):
        catalog.list_entries(limit=-1)
    with pytest.raises(NotFound):
        catalog.get_changed_entries("00000000-0000-4000-8000-000000000000")
    catalog.close()
    assert catalog.retrieve_batch(["k"])["error_type"] == "connection_error"
    with pytest.raises(StorageUnavailable, match="closed"):
        catalog.get_entry("k")
