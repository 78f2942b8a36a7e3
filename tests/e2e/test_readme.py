"""The README is executed: its Python blocks run top to bottom on SQLite, its CLI listing names real
commands, and its two shell commands are the ones the wheel test and CI run."""

import os
import re
import shlex
import sqlite3
from pathlib import Path

import pytest

from memcore.infrastructure.cli.main import main
from tests.integration.test_legacy_import import good, legacy_db

README = Path(__file__).parents[2] / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
SETTINGS_ENV = ("DATABASE_URL", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_PATH", "MEMCORE_CONFIG")

AGENT_YAML = """\
settings:
  ltm:
    backend: sqlalchemy
    url: sqlite:///memcore.db
    lazy: true
"""
SQL_FILES = {
    "V001__create_accounts.sql": "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "V002__create_events.sql": "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL)",
}


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text()) if lang == language]


def test_every_block_is_python_shell_a_console_session_or_a_text_listing():
    assert {lang for lang, _ in BLOCK.findall(README.read_text())} == {"python", "bash", "console", "text"}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory holding what the README's blocks name, and no database settings."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    legacy_db(tmp_path / "old_ideas.db", [good(1), good(2)])
    (tmp_path / "agent.yaml").write_text(AGENT_YAML)
    (tmp_path / "sql").mkdir()
    for name, text in SQL_FILES.items():
        (tmp_path / "sql" / name).write_text(text)
    with sqlite3.connect(tmp_path / "app.db") as connection:  # a service's own database
        connection.execute("PRAGMA journal_mode=WAL")
    return tmp_path


def test_the_python_blocks_run_in_order_on_sqlite(workdir, capsys):
    namespace: dict = {"__name__": "readme"}
    sources = blocks("python")
    assert len(sources) >= 10
    for number, source in enumerate(sources, 1):
        try:
            exec(compile(source, f"README.md python block {number}", "exec"), namespace)
        except Exception as exc:
            pytest.fail(f"README python block {number} failed: {exc!r}\n{source}")
    from memcore.compat.chat import dispose_engine

    dispose_engine()
    out = capsys.readouterr().out
    assert "Did you move?" in out  # the first block printed the pending conflict
    assert "user:123:profile" in out  # iterate() printed the keys
    with sqlite3.connect(workdir / "memcore.db") as connection:
        (ideas,) = connection.execute("SELECT COUNT(*) FROM idea_inspiration").fetchone()
        (messages,) = connection.execute("SELECT COUNT(*) FROM messages").fetchone()
    assert ideas == 3  # yt:42 upserted once, two legacy ideas imported
    assert messages == 5  # two posts through the use cases, one through the chat drop-in, two memory items
    with sqlite3.connect(workdir / "app.db") as connection:
        names = [name for (name,) in connection.execute("SELECT name FROM accounts ORDER BY id")]
    assert names == ["Bo", "Cy", "Di"]  # Ann was deleted by the asyncio block


def test_the_console_sessions_run_after_the_python_blocks(workdir, capsys, monkeypatch):
    namespace: dict = {"__name__": "readme"}
    for source in blocks("python"):
        exec(compile(source, "README.md", "exec"), namespace)
    from memcore.compat.chat import dispose_engine

    dispose_engine()
    monkeypatch.setenv("TARGET_URL", f"sqlite:///{workdir / 'target.db'}")
    lines = [line[2:] for block in blocks("console") for line in block.splitlines() if line.startswith("$ ")]
    assert len(lines) >= 4
    for line in lines:
        words = shlex.split(os.path.expandvars(line.split("  #")[0]))
        assert words[0] == "memcore", line
        code = main(words[1:])
        err = capsys.readouterr().err
        assert code == 0, f"{line}: {err}"
    with sqlite3.connect(workdir / "target.db") as connection:
        (ideas,) = connection.execute("SELECT COUNT(*) FROM idea_inspiration").fetchone()
    assert ideas == 3 and (workdir / "backup.zip").exists()


def test_the_shell_commands_are_install_and_quickstart_then_the_test_script():
    assert [b.strip() for b in blocks("bash")] == ["pip install . && memcore quickstart", "bash scripts/test.sh"]


def command_paths() -> list[list[str]]:
    """`memcore A B` for each command of the CLI listing ("db upgrade | downgrade" names two)."""
    (listing,) = blocks("text")
    paths = []
    for line in listing.splitlines():
        words = re.sub(r"\[[^\]]*\]", "", line.split("  #")[0]).split()  # optional parts dropped
        assert words[0] == "memcore", line
        group, *alternatives = " ".join(words[1:]).split(" | ")
        first = group.split()[:2]
        paths.append([w for w in first if re.fullmatch(r"[a-z][a-z-]*", w)])
        paths += [[first[0], alternative.split()[0]] for alternative in alternatives]
    return paths


def test_every_command_in_the_cli_listing_exists(capsys):
    paths = command_paths()
    assert len(paths) > 40 and ["db", "downgrade"] in paths and ["catalog", "cleanup"] in paths
    for path in paths:
        code = main([*path, "--help"])
        err = capsys.readouterr().err
        assert code == 0, f"memcore {' '.join(path)}: {err}"
