"""The `memcore` command as a user runs it."""

import os
import subprocess
import sys

import pytest

from memcore.infrastructure.sqlalchemy import migrate
from tests.e2e.cli import run, run_json


@pytest.fixture
def url(sql_engine):
    return sql_engine.url.render_as_string(hide_password=False)


def test_a_conflict_goes_through_its_whole_life_on_the_command_line(capsys, url):
    add = ["conflicts", "add", "--url", url, "--user", "ann", "--category", "city", "--similarity", "0.8"]
    first = run_json(capsys, *add, "--memory-a", "m1", "--memory-b", "m2", "--importance", "0.4", "--id", "c1")
    run_json(capsys, *add, "--memory-a", "m3", "--memory-b", "m4", "--importance", "0.9", "--metadata", '{"é": [1]}')
    assert first == {"id": "c1"}
    pending = run_json(capsys, "conflicts", "pending", "ann", "--url", url)
    assert [p["avg_importance"] for p in pending] == [0.9, 0.4]
    assert pending[0]["metadata"] == {"é": [1]}
    resolved = run_json(capsys, "conflicts", "resolve", "c1", "--decision", "keep_b", "--by", "ann", "--url", url)
    assert resolved["winning_memory_id"] == "m2"
    assert run_json(capsys, "conflicts", "escalate", pending[0]["id"], "--url", url)["resolution_attempts"] == 1
    assert run_json(capsys, "conflicts", "count", "ann", "--status", "resolved", "--url", url)["count"] == 1
    shown = run_json(capsys, "conflicts", "show", "c1", "--url", url)
    assert (shown["status"], shown["metadata"]["resolved_by"]) == ("resolved", "ann")
    assert run_json(capsys, "conflicts", "clear", "ann", "--url", url)["removed"] == 2
    assert run_json(capsys, "conflicts", "count", "ann", "--url", url)["count"] == 0


def test_human_output_is_a_table(capsys, url):
    run(
        capsys,
        "conflicts",
        "add",
        "--url",
        url,
        "--user",
        "bo",
        "--memory-a",
        "x",
        "--memory-b",
        "y",
        "--category",
        "diet",
        "--similarity",
        "0.5",
        "--importance",
        "0.5",
    )
    code, out, _ = run(capsys, "conflicts", "pending", "bo", "--url", url)
    assert code == 0
    assert "pending conflicts of bo" in out and "diet" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["conflicts", "show", "nope"], "no conflict with id 'nope'"),
        (["conflicts", "resolve", "nope", "--decision", "keep_a"], "no conflict with id 'nope'"),
        (["conflicts", "count", "u", "--status", "lost"], "unknown status 'lost'"),
        (
            [
                "conflicts",
                "add",
                "--user",
                "u",
                "--memory-a",
                "a",
                "--memory-b",
                "a",
                "--category",
                "c",
                "--similarity",
                "0.5",
                "--importance",
                "0.5",
            ],
            "a memory cannot conflict with itself",
        ),
        (
            [
                "conflicts",
                "add",
                "--user",
                "u",
                "--memory-a",
                "a",
                "--memory-b",
                "b",
                "--category",
                "c",
                "--similarity",
                "0.5",
                "--importance",
                "0.5",
                "--metadata",
                "[1]",
            ],
            "--metadata must be a JSON object",
        ),
    ],
)
def test_bad_input_gives_one_line_and_a_non_zero_exit(capsys, url, args, message):
    code, out, err = run(capsys, *args, "--url", url)
    assert code == 1
    assert err.strip() == f"error: {message}" or message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_an_unmigrated_database_is_named_with_its_password_masked(capsys, tmp_path):
    code, _, err = run(capsys, "conflicts", "count", "u", "--url", f"sqlite:///{tmp_path}/empty.db")
    assert code == 1 and "memcore db upgrade" in err
    code, _, err = run(capsys, "db", "current", "--url", "postgresql://memcore:hunter2@127.0.0.1:1/x")
    assert code == 1 and "hunter2" not in err and "error:" in err


def test_db_commands_migrate_check_and_downgrade(capsys, tmp_path):
    url = f"sqlite:///{tmp_path}/db.db"
    assert run(capsys, "db", "current", "--url", url)[1].strip() == "none (not migrated)"
    assert run(capsys, "db", "check", "--url", url)[0] == 1
    assert run(capsys, "db", "upgrade", "--url", url)[0] == 0
    assert run(capsys, "db", "check", "--url", url)[0] == 0
    assert run(capsys, "db", "current", "--url", url)[1].strip() == migrate.head()
    assert run(capsys, "db", "downgrade", "--url", url)[0] == 0
    assert run(capsys, "db", "current", "--url", url)[1].strip() == "none (not migrated)"


def test_quickstart_runs_from_a_clean_directory_on_the_sqlite_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DB_"))}
    script = os.path.join(os.path.dirname(sys.executable), "memcore")
    for _ in range(2):  # a second run finds the database already there
        done = subprocess.run([script, "quickstart"], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "memcore.db").exists()
    assert "counts by status: pending=1, resolved=1, escalated=1" in done.stdout
    assert "mem-lives-lisbon" in done.stdout
    assert "technology ideas scoring over 80" in done.stdout
    assert "SQL migrations applied: none (already at V002)" in done.stdout  # the second run
    assert "resuming from step 'review' (checkpoint #3)" in done.stdout
    assert "latest is now #4" in done.stdout
