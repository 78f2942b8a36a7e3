"""`memcore db export | import | copy | verify` as a user runs them."""

import json

import memcore
from tests.e2e.cli import run, run_json
from tests.integration.test_transfer import populate


def test_export_import_copy_and_verify_from_the_command_line(tmp_path, capsys):
    src, restored, copied = (f"sqlite:///{tmp_path / name}.db" for name in ("src", "restored", "copied"))
    populate(src)
    archive = tmp_path / "backup.zip"

    manifest = run_json(capsys, "db", "export", src, str(archive))
    assert manifest["tables"]["messages"]["rows"] == 3 and archive.exists()
    imported = run_json(capsys, "db", "import", str(archive), restored)
    assert imported["verify"]["ok"] and imported["total_rows"] == sum(t["rows"] for t in manifest["tables"].values())
    copied_report = run_json(capsys, "db", "copy", src, copied, "--context", "memory")
    assert set(copied_report["rows"]) == {"ltm_entries", "ltm_catalog", "ltm_catalog_snapshots"}
    assert run_json(capsys, "db", "verify", src, restored)["ok"] is True

    code, out, err = run(capsys, "db", "copy", src, copied)
    assert code == 1 and "already holds data" in err and "--replace" in err
    code, out, _ = run(capsys, "db", "verify", src, copied)  # only memory was copied
    assert code == 1 and "differ" in out


def test_verify_names_the_differing_row_and_fails(tmp_path, capsys):
    a, b = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    populate(a)
    assert run(capsys, "db", "copy", a, b)[0] == 0
    with memcore.connect(b) as app:
        app.handle(memcore.DeleteMemory("user:1:🙂"))
    code, out, _ = run(capsys, "db", "verify", a, b, "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert report["differences"] == ["ltm_entries: 2 rows != 1 rows (first differing row: {'key': 'user:1:🙂'})"]


def test_bad_input_is_one_line_and_a_non_zero_exit(tmp_path, capsys):
    code, _, err = run(capsys, "db", "import", str(tmp_path / "missing.zip"), f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 1 and err.startswith("error: no archive")
    same = f"sqlite:///{tmp_path / 'x.db'}"
    code, _, err = run(capsys, "db", "copy", same, same)
    assert code == 1 and "same database" in err
    code, _, err = run(capsys, "db", "export", "postgresql+psycopg://u:s3cret@127.0.0.1:1/x", str(tmp_path / "o.zip"))
    assert code == 1 and "s3cret" not in err and not (tmp_path / "o.zip").exists()
    assert not (tmp_path / "o.zip.partial").exists()


def test_adopt_shows_its_plan_then_opens_the_database_in_place(tmp_path, capsys):
    import sqlite3

    from tests.integration.test_migrations import LEGACY

    path = tmp_path / "chat.db"
    with sqlite3.connect(path) as connection:
        for statement in LEGACY:
            connection.execute(statement.format(dt="TIMESTAMP", text="TEXT"))
    url = f"sqlite:///{path}"

    code, out, _ = run(capsys, "db", "adopt", url, "--dry-run")
    assert code == 0 and "users: adopt its 1 rows, add email_key" in out and "would be at" in out
    assert run(capsys, "db", "current", "--url", url)[1].strip() == "none (not migrated)"
    plan = run_json(capsys, "db", "adopt", url)
    assert plan["applied"] and plan["ok"]
    assert "modify_type users.created_at" in plan["kept_differences"]  # the legacy column types stay
    assert run(capsys, "db", "current", "--url", url)[1].strip() == plan["head"]
    with memcore.connect(url) as app:
        assert app.users.get_by_email("ann@example.org").external_id == "ext-1"
