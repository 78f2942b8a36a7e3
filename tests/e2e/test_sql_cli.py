"""`memcore sql ...` as a user runs it, on every dialect."""

import json

import pytest

from memcore.infrastructure.sqlalchemy.database import Database
from tests.conftest import SQL_DIALECTS, dialect_param, server_url
from tests.e2e.cli import run

TABLES = ("cli_users", "memcore_sql_migrations")


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def url(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}" if request.param == "sqlite" else server_url(request.param)
    _drop(url)
    yield url
    _drop(url)


def _drop(url):
    with Database(url) as db:
        for table in TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table}")


def test_migrate_query_and_exec_from_the_command_line(capsys, url, tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "V001__create_users.sql").write_text("CREATE TABLE cli_users (id INTEGER PRIMARY KEY, name VARCHAR(50));")
    (folder / "V002__seed.sql").write_text("INSERT INTO cli_users (id, name) VALUES (1, 'Zoë');")

    code, out, _ = run(capsys, "sql", "migrate", str(folder), "--url", url, "--dry-run")
    assert code == 0 and "would apply V001__create_users.sql" in out and "would apply V002__seed.sql" in out
    code, out, _ = run(capsys, "sql", "migrate", str(folder), "--url", url, "--json")
    assert code == 0
    assert json.loads(out)["applied"] == ["V001__create_users.sql", "V002__seed.sql"]
    code, out, _ = run(capsys, "sql", "migrate", str(folder), "--url", url)
    assert code == 0 and "nothing to apply" in out and "version 2" in out

    code, out, _ = run(
        capsys,
        "sql",
        "exec",
        "INSERT INTO cli_users (id, name) VALUES (:id, :name)",
        "-p",
        "id:=2",
        "-p",
        "name=O'Brien; --",
        "--url",
        url,
        "--json",
    )
    assert (code, json.loads(out)) == (0, {"rows_affected": 1})
    code, out, _ = run(
        capsys,
        "sql",
        "query",
        "SELECT id, name FROM cli_users WHERE id IN (:ids) ORDER BY id",
        "-p",
        "ids:=[1, 2]",
        "--url",
        url,
        "--json",
    )
    assert code == 0
    assert json.loads(out) == [{"id": 1, "name": "Zoë"}, {"id": 2, "name": "O'Brien; --"}]
    code, out, _ = run(capsys, "sql", "query", "SELECT name FROM cli_users WHERE id = :id", "-p", "id:=1", "--url", url)
    assert code == 0 and "Zoë" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sql", "query", "SELECT :a AS a"], "missing parameter :a"),
        (["sql", "query", "SELECT 1 AS one", "-p", "b=2"], "unused parameter :b"),
        (["sql", "query", "SELECT 1 AS one", "-p", "nonsense"], "not name=value"),
        (["sql", "query", "SELEC 1"], "SELEC 1"),
        (["sql", "migrate", "/no/such/folder"], "no migrations directory"),
    ],
)
def test_errors_are_one_line(capsys, url, args, message):
    code, out, err = run(capsys, *args, "--url", url)

    assert (code, out) == (1, "")
    assert err.startswith("error:") and err.count("\n") == 1 and message in err
    assert "memcore:memcore@" not in err


def test_a_changed_migration_is_refused_on_the_command_line(capsys, url, tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    first = folder / "V001__create_users.sql"
    first.write_text("CREATE TABLE cli_users (id INTEGER PRIMARY KEY);")
    assert run(capsys, "sql", "migrate", str(folder), "--url", url)[0] == 0
    first.write_text("CREATE TABLE cli_users (id INTEGER PRIMARY KEY, name VARCHAR(9));")

    code, _, err = run(capsys, "sql", "migrate", str(folder), "--url", url)

    assert code == 1 and "V001__create_users.sql was changed after it was applied" in err
