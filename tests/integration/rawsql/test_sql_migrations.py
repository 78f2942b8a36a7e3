"""SQL-file migrations for host apps, with Database and AsyncDatabase, on every dialect."""

from pathlib import Path

import pytest

from memcore.domain.shared.errors import InvalidInput, MemcoreError

V1 = """-- users first; a ';' inside a literal or a comment does not end a statement
CREATE TABLE mig_users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);
INSERT INTO mig_users (id, name) VALUES (1, 'ann; the first');
"""
V2 = "ALTER TABLE mig_users ADD COLUMN email VARCHAR(200);\n"
V3 = "CREATE TABLE mig_orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);\n"


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name, sql in files.items():
        (folder / f"{name}.sql").write_text(sql)
    return folder


def test_files_apply_in_version_order_and_are_recorded(db, tmp_path):
    folder = write(tmp_path / "m", V010__orders=V3, V002__add_email=V2, V001__create_users=V1)

    report = db.migrate(folder)

    assert report.applied == ("V001__create_users.sql", "V002__add_email.sql", "V010__orders.sql")
    assert report.version == 10
    assert db.fetch_one("SELECT id, name, email FROM mig_users") == {"id": 1, "name": "ann; the first", "email": None}
    recorded = db.fetch_all("SELECT version, name, checksum, applied_at FROM memcore_sql_migrations ORDER BY version")
    assert [(r["version"], r["name"]) for r in recorded] == [(1, "create_users"), (2, "add_email"), (10, "orders")]
    assert all(len(r["checksum"]) == 64 and r["applied_at"].endswith("+00:00") for r in recorded)


def test_running_again_applies_nothing(db, tmp_path):
    folder = write(tmp_path / "m", V001__create_users=V1, V002__add_email=V2)
    db.migrate(folder)

    again = db.migrate(folder)

    assert (again.applied, again.pending, again.version) == ((), (), 2)
    assert db.fetch_value("SELECT COUNT(*) FROM mig_users") == 1


def test_a_new_file_is_applied_on_the_next_run(db, tmp_path):
    folder = write(tmp_path / "m", V001__create_users=V1)
    db.migrate(folder)
    write(folder, V002__add_email=V2)

    assert db.migrate(folder).applied == ("V002__add_email.sql",)


def test_a_changed_applied_file_is_refused(db, tmp_path):
    folder = write(tmp_path / "m", V001__create_users=V1)
    db.migrate(folder)
    write(folder, V001__create_users=V1 + "-- edited\n", V002__add_email=V2)

    with pytest.raises(InvalidInput, match=r"V001__create_users\.sql was changed after it was applied"):
        db.migrate(folder)
    assert db.fetch_value("SELECT COUNT(*) FROM memcore_sql_migrations") == 1


def test_a_version_older_than_the_newest_applied_is_refused(db, tmp_path):
    folder = write(tmp_path / "m", V001__create_users=V1, V003__orders=V3)
    db.migrate(folder)
    write(folder, V002__add_email=V2)

    with pytest.raises(InvalidInput, match=r"V002__add_email\.sql is older than version 3"):
        db.migrate(folder)


def test_a_failing_file_is_rolled_back_and_reported_with_its_statement(db, tmp_path):
    bad = "INSERT INTO mig_users (id, name) VALUES (2, 'bo');\nINSERT INTO mig_nowhere (id) VALUES (1);\n"
    folder = write(tmp_path / "m", V001__create_users=V1, V002__bad=bad)

    with pytest.raises(MemcoreError) as raised:
        db.migrate(folder)

    message = str(raised.value)
    assert "V002__bad.sql: statement 2 (line 2) failed: INSERT INTO mig_nowhere" in message
    assert db.fetch_all("SELECT version FROM memcore_sql_migrations") == [{"version": 1}]
    assert db.fetch_value("SELECT COUNT(*) FROM mig_users") == 1  # the file's first insert was undone


def test_a_dialect_file_replaces_the_generic_one(db, tmp_path):
    own = {"sqlite": "sqlite", "postgresql": "postgresql"}.get(db.dialect, "mysql")
    other = "postgresql" if own != "postgresql" else "sqlite"
    folder = write(
        tmp_path / "m",
        V001__create_users=V1,
        V002__notes="CREATE TABLE mig_notes (id INTEGER PRIMARY KEY, generic INTEGER);",
        **{f"V002__notes.{own}": "CREATE TABLE mig_notes (id INTEGER PRIMARY KEY, own INTEGER);"},
        **{f"V003__orders.{other}": V3},
    )

    report = db.migrate(folder)

    assert report.applied == ("V001__create_users.sql", f"V002__notes.{own}.sql")
    db.execute("INSERT INTO mig_notes (id, own) VALUES (1, 2)")
    assert not db.table_exists("mig_orders")


def test_a_dry_run_lists_what_would_run_and_changes_nothing(db, tmp_path):
    folder = write(tmp_path / "m", V001__create_users=V1, V002__add_email=V2)

    report = db.migrate(folder, dry_run=True)

    assert (report.pending, report.applied, report.dry_run) == (
        ("V001__create_users.sql", "V002__add_email.sql"),
        (),
        True,
    )
    assert not db.table_exists("mig_users") and not db.table_exists("memcore_sql_migrations")


def test_badly_named_files_and_missing_folders_are_clear_errors(db, tmp_path):
    with pytest.raises(InvalidInput, match="no migrations directory"):
        db.migrate(tmp_path / "nowhere")
    with pytest.raises(InvalidInput, match=r"create_users\.sql: migration files are named"):
        db.migrate(write(tmp_path / "m", create_users=V1))
