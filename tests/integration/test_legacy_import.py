"""Importing ideas from a legacy raw-SQLite database into every dialect."""

import json
import sqlite3

import pytest
from sqlalchemy.orm import sessionmaker

from memcore.application.bootstrap import build_services
from memcore.application.ideas.commands import ImportLegacyIdeas
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.container import container_for
from memcore.infrastructure.legacy.ideas_sqlite import SqliteLegacyIdeaSource
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from tests.parity.common import Clock

LEGACY_DDL = """
CREATE TABLE idea_inspiration (
    id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, description TEXT, content TEXT,
    keywords TEXT, source_type TEXT, metadata TEXT, source_id TEXT, source_url TEXT,
    source_created_by TEXT, source_created_at TEXT, score INTEGER, category TEXT,
    subcategory_relevance TEXT, contextual_category_scores TEXT,
    created_at TEXT DEFAULT CURRENT_TIMESTAMP, updated_at TEXT DEFAULT CURRENT_TIMESTAMP
)"""
COLUMNS = "title, keywords, source_type, metadata, source_id, score, category, subcategory_relevance, created_at"


def legacy_db(path, rows):
    with sqlite3.connect(path) as connection:
        connection.execute(LEGACY_DDL)
        connection.executemany(f"INSERT INTO idea_inspiration ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return str(path)


def good(n, **overrides):
    row = {
        "title": f"Idea {n} ✨", "keywords": json.dumps(["ai", f"k{n}"]), "source_type": "video",
        "metadata": json.dumps({"views": n * 1000}), "source_id": f"yt:{n}", "score": n % 101,
        "category": "tech", "subcategory_relevance": json.dumps({"ml": 3}), "created_at": "2024-05-01 10:00:00",
    }  # fmt: skip
    row.update(overrides)
    return tuple(row.values())


@pytest.fixture
def services(sql_engine):
    uow = SqlAlchemyUnitOfWork(sessionmaker(sql_engine, expire_on_commit=False))
    return build_services(uow, clock=Clock(), open_legacy_source=SqliteLegacyIdeaSource)


def run_import(services, path, batch_size=3):
    return services.bus.handle(ImportLegacyIdeas(path, batch_size))


def test_an_import_streams_batches_skips_bad_rows_and_can_run_twice(services, tmp_path):
    rows = [good(n) for n in range(1, 8)]
    rows.insert(2, good(50, keywords="[not json"))  # malformed JSON: skipped and reported
    rows.insert(4, good(51, metadata="[1, 2]"))  # JSON of the wrong kind
    rows.insert(5, good(52, source_id=None))  # no source id: gets a stable legacy one
    rows.insert(6, good(53, score=250))  # out of range
    path = legacy_db(tmp_path / "legacy.db", rows)

    first = run_import(services, path)
    assert (first.read, first.imported, first.skipped) == (11, 8, 3)
    reasons = dict(first.reasons)
    assert reasons[3] == "malformed JSON in keywords"
    assert "metadata holds JSON list" in reasons[5]
    assert "score" in reasons[7]
    assert services.ideas.count() == 8
    imported = services.ideas.get_by_source_id("yt:1")
    assert (imported.title, imported.keywords, imported.metadata) == ("Idea 1 ✨", ["ai", "k1"], {"views": 1000})
    assert imported.created_at.isoformat() == "2024-05-01T10:00:00+00:00"
    assert services.ideas.get_by_source_id("legacy:6").title == "Idea 52 ✨"

    second = run_import(services, path)
    assert (second.read, second.imported, second.skipped) == (11, 0, 11)
    assert services.ideas.count() == 8


def test_a_missing_file_or_table_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidInput, match="no legacy database"):
        SqliteLegacyIdeaSource(str(tmp_path / "nope.db"))
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(InvalidInput, match="has no idea_inspiration table"):
        SqliteLegacyIdeaSource(str(tmp_path / "empty.db"))


def test_the_container_wires_the_sqlite_reader(tmp_path):
    path = legacy_db(tmp_path / "legacy.db", [good(1), good(2)])
    container = container_for(f"sqlite:///{tmp_path / 'target.db'}")
    try:
        migrate.upgrade(container.engine())
        report = container.services().bus.handle(ImportLegacyIdeas(path))
    finally:
        container.shutdown_resources()
    assert (report.read, report.imported) == (2, 2)
