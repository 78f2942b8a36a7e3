"""The chat drop-in API connects through each configuration route, as a host app configures it."""

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from memcore.infrastructure.compat import chat
from memcore.infrastructure.sqlalchemy import migrate
from tests.conftest import server_url

ROUTE_VARIABLES = ("DATABASE_URL", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_PATH", "DB_ECHO")


@pytest.fixture
def environment(monkeypatch):
    """A clean slate: none of the route variables set, and no engine left from an earlier test."""
    for name in (*ROUTE_VARIABLES, "MEMCORE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    chat.dispose_engine()
    yield monkeypatch
    chat.dispose_engine()


def _round_trip() -> str:
    """Write a user through the drop-in API and read it back in a new session."""
    chat.init_db()
    with chat.get_session() as session:
        user = chat.create_user(session, email="route@example.com", name="Route")
    with chat.get_session() as session:
        found = chat.get_user_by_email(session, "route@example.com")
        assert found is not None and found.id == user.id
        assert chat.delete_user(session, user.id) is True
    return user.id


def test_nothing_is_read_from_the_environment_at_import(environment, tmp_path):
    environment.setenv("DB_PATH", str(tmp_path / "late.db"))
    assert make_url(str(chat.get_engine().url)).database == str(tmp_path / "late.db")


def test_db_path_puts_the_database_in_that_sqlite_file(environment, tmp_path):
    path = tmp_path / "chat" / "bot.db"
    path.parent.mkdir()
    environment.setenv("DB_PATH", str(path))

    _round_trip()

    engine = chat.get_engine()
    assert (engine.dialect.name, engine.url.database) == ("sqlite", str(path))
    assert path.exists() and {"users", "messages"} <= set(inspect(engine).get_table_names())


def test_database_url_wins_over_db_host_and_db_path(environment, tmp_path):
    environment.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'from-url.db'}")
    environment.setenv("DB_HOST", "db.invalid")  # would fail to connect if it were used
    environment.setenv("DB_PATH", str(tmp_path / "from-path.db"))

    _round_trip()

    assert (tmp_path / "from-url.db").exists() and not (tmp_path / "from-path.db").exists()


@pytest.mark.postgresql
def test_db_host_and_friends_reach_the_postgresql_server(environment, tmp_path, engines):
    engines["postgresql"]  # migrated once per run by the shared fixture
    url = make_url(server_url("postgresql"))
    for name, value in (
        ("DB_HOST", url.host),
        ("DB_PORT", str(url.port or 5432)),
        ("DB_NAME", url.database),
        ("DB_USER", url.username),
        ("DB_PASSWORD", url.password),
    ):
        environment.setenv(name, value)
    environment.setenv("DB_PATH", str(tmp_path / "unused.db"))

    user_id = _round_trip()

    engine = chat.get_engine()
    assert (engine.dialect.name, engine.url.host, engine.url.database) == ("postgresql", url.host, url.database)
    assert migrate.current(engine) == migrate.head()
    assert len(user_id) == 36 and not (tmp_path / "unused.db").exists()


def test_db_echo_logs_the_sql(environment, tmp_path, caplog):
    environment.setenv("DB_PATH", str(tmp_path / "echo.db"))
    environment.setenv("DB_ECHO", "true")
    assert chat.get_engine().echo is True
    _round_trip()
    assert any("INSERT INTO users" in record.getMessage() for record in caplog.records)


def test_without_db_echo_nothing_is_logged(environment, tmp_path, caplog):
    environment.setenv("DB_PATH", str(tmp_path / "quiet.db"))
    _round_trip()
    assert chat.get_engine().echo is False
    assert not [r for r in caplog.records if r.name.startswith("sqlalchemy.engine")]


def test_drop_db_and_reset_db_leave_the_file_empty_and_current(environment, tmp_path):
    environment.setenv("DB_PATH", str(tmp_path / "reset.db"))
    chat.init_db()
    with chat.get_session() as session:
        chat.create_user(session, external_id="keep-me?")
    chat.reset_db()
    with chat.get_session() as session:
        assert chat.list_users(session) == []
    chat.drop_db()
    assert "users" not in inspect(chat.get_engine()).get_table_names()
    assert migrate.current(chat.get_engine()) is None
    chat.init_db()
    assert migrate.current(chat.get_engine()) == migrate.head()
