"""Settings.from_env: which database URL wins, pool options, YAML files, and a password never shown."""

import pytest
from sqlalchemy.engine import make_url

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.settings import Settings

SECRET = "s3cr3t-pa55"
PG_ENV = {"DB_HOST": "db.example", "DB_PORT": "6543", "DB_NAME": "agents", "DB_USER": "bot", "DB_PASSWORD": SECRET}


def test_database_url_wins_over_every_other_source(tmp_path):
    config = tmp_path / "memcore.yaml"
    config.write_text("url: sqlite:///from-yaml.db\n")
    env = {**PG_ENV, "DATABASE_URL": "mysql+pymysql://u@h/db", "DB_PATH": "other.db"}
    assert Settings.from_env(environ=env, yaml_path=str(config)).url == "mysql+pymysql://u@h/db"


def test_db_variables_build_a_postgresql_url():
    url = make_url(Settings.from_env(environ=PG_ENV).url)
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.host, url.port) == ("bot", SECRET, "db.example", 6543)
    assert url.database == "agents"


def test_a_postgresql_url_defaults_the_database_name_and_port():
    url = make_url(Settings.from_env(environ={"DB_HOST": "db.example"}).url)
    assert (url.host, url.port, url.database, url.username) == ("db.example", None, "memcore", None)


def test_a_password_with_url_characters_survives_the_round_trip():
    password = "p@ss:w/rd%?#"
    settings = Settings.from_env(environ={**PG_ENV, "DB_PASSWORD": password})
    assert make_url(settings.url).password == password


def test_without_a_server_memcore_uses_sqlite_in_the_working_directory():
    assert Settings.from_env(environ={}).url == "sqlite:///memcore.db"
    assert Settings.from_env(environ={"DATABASE_URL": "", "DB_HOST": ""}).url == "sqlite:///memcore.db"


def test_db_path_chooses_the_sqlite_file(tmp_path):
    path = tmp_path / "data" / "agent.db"
    settings = Settings.from_env(environ={"DB_PATH": str(path)})
    assert make_url(settings.url).database == str(path)
    assert settings.url.startswith("sqlite:///")


def test_an_explicit_environ_ignores_the_process_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/from-process")
    assert Settings.from_env(environ={}).url == "sqlite:///memcore.db"
    assert Settings.from_env().url == "postgresql://u@h/from-process"


@pytest.mark.parametrize(("text", "expected"), [("1", True), ("true", True), (" YES ", True), ("on", True)])
def test_db_echo_turns_on_sql_logging(text, expected):
    assert Settings.from_env(environ={"DB_ECHO": text}).echo is expected


@pytest.mark.parametrize("text", ["0", "false", "no", "off", "nonsense"])
def test_other_db_echo_values_leave_logging_off(text):
    assert Settings.from_env(environ={"DB_ECHO": text}).echo is False


def test_pool_settings_have_defaults():
    settings = Settings.from_env(environ={})
    assert (settings.echo, settings.pool_size, settings.max_overflow) == (False, 5, 10)
    assert (settings.pool_pre_ping, settings.lazy_connect, settings.statement_timeout_ms) == (False, True, None)


def test_pool_settings_come_from_the_environment():
    env = {
        "DB_POOL_SIZE": "20",
        "DB_MAX_OVERFLOW": "0",
        "DB_STATEMENT_TIMEOUT_MS": "1500",
        "DB_POOL_PRE_PING": "false",
        "DB_LAZY": "0",
    }
    settings = Settings.from_env(environ=env)
    assert (settings.pool_size, settings.max_overflow, settings.statement_timeout_ms) == (20, 0, 1500)
    assert (settings.pool_pre_ping, settings.lazy_connect) == (False, False)


@pytest.mark.parametrize("name", ["DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_STATEMENT_TIMEOUT_MS"])
@pytest.mark.parametrize("text", ["ten", "1.5", "0x10"])
def test_a_setting_that_is_not_an_integer_is_invalid_input(name, text):
    with pytest.raises(InvalidInput, match=name) as caught:
        Settings.from_env(environ={**PG_ENV, name: text})
    assert SECRET not in str(caught.value)


def test_a_db_port_that_is_not_an_integer_is_invalid_input():
    with pytest.raises(InvalidInput, match="DB_PORT"):
        Settings.from_env(environ={**PG_ENV, "DB_PORT": "fifty"})


@pytest.mark.parametrize(
    "env", [PG_ENV, {"DATABASE_URL": f"postgresql+psycopg://bot:{SECRET}@db.example:5432/agents"}], ids=["db", "url"]
)
def test_the_password_never_appears_in_the_masked_url_or_repr(env):
    settings = Settings.from_env(environ=env)
    assert SECRET in settings.url
    for shown in (settings.masked_url, repr(settings), str(settings), f"{settings}"):
        assert SECRET not in shown
    assert "***" in settings.masked_url
    assert make_url(settings.masked_url).host == "db.example"


def test_an_unparsable_url_is_not_shown_at_all():
    settings = Settings(url=f"not a url {SECRET}")
    assert SECRET not in settings.masked_url
    assert SECRET not in repr(settings)


def test_a_password_given_as_a_query_parameter_is_masked_too():
    settings = Settings.from_env(
        environ={"DATABASE_URL": f"postgresql+psycopg://bot@db.example/agents?password={SECRET}"}
    )
    assert SECRET not in settings.masked_url


def test_settings_can_come_from_a_yaml_file(tmp_path):
    config = tmp_path / "memcore.yaml"
    config.write_text("database:\n  url: postgresql+psycopg://u@h/db\n  pool_size: 3\n  echo: true\n")
    settings = Settings.from_env(environ={}, yaml_path=str(config))
    assert (settings.url, settings.pool_size, settings.echo) == ("postgresql+psycopg://u@h/db", 3, True)


def test_the_yaml_file_can_be_named_by_memcore_config_and_hold_a_flat_mapping(tmp_path):
    config = tmp_path / "flat.yaml"
    config.write_text(f"path: {tmp_path / 'yaml.db'}\nmax_overflow: 2\n")
    settings = Settings.from_env(environ={"MEMCORE_CONFIG": str(config)})
    assert make_url(settings.url).database == str(tmp_path / "yaml.db")
    assert settings.max_overflow == 2


def test_the_environment_overrides_the_yaml_file(tmp_path):
    config = tmp_path / "memcore.yaml"
    config.write_text("url: sqlite:///yaml.db\npool_size: 3\n")
    env = {"DATABASE_URL": "sqlite:///env.db", "DB_POOL_SIZE": "9"}
    settings = Settings.from_env(environ=env, yaml_path=str(config))
    assert (settings.url, settings.pool_size) == ("sqlite:///env.db", 9)


@pytest.mark.parametrize(("text", "match"), [("colour: blue\n", "unknown settings"), ("- a\n- b\n", "mapping")])
def test_a_yaml_file_with_unknown_keys_or_no_mapping_is_refused(tmp_path, text, match):
    config = tmp_path / "memcore.yaml"
    config.write_text(text)
    with pytest.raises(InvalidInput, match=match):
        Settings.from_env(environ={}, yaml_path=str(config))


def test_a_missing_yaml_file_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read"):
        Settings.from_env(environ={}, yaml_path=str(tmp_path / "absent.yaml"))


@pytest.mark.parametrize("text", ["database:\n", "database: [1, 2]\n"])
def test_a_yaml_database_section_that_is_not_a_mapping_is_refused(tmp_path, text):
    config = tmp_path / "memcore.yaml"
    config.write_text(text)
    with pytest.raises(InvalidInput):
        Settings.from_env(environ={}, yaml_path=str(config))


def test_a_yaml_pool_size_that_is_not_an_integer_is_refused(tmp_path):
    config = tmp_path / "memcore.yaml"
    config.write_text("pool_size: five\n")
    with pytest.raises(InvalidInput):
        Settings.from_env(environ={}, yaml_path=str(config))


def test_with_url_replaces_only_the_url():
    settings = Settings.from_env(environ={"DB_POOL_SIZE": "7"})
    assert settings.with_url(None) is settings
    moved = settings.with_url("sqlite:///elsewhere.db")
    assert (moved.url, moved.pool_size) == ("sqlite:///elsewhere.db", 7)


# -- the routes the chat database layer memcore replaces was configured by, one by one


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "mysql+pymysql://u@h/chat", **PG_ENV, "DB_PATH": "chat.db"}, "mysql+pymysql://u@h/chat"),
        ({**PG_ENV, "DB_PATH": "chat.db"}, f"postgresql+psycopg://bot:{SECRET}@db.example:6543/agents"),
        ({"DB_PATH": "chat.db", "DB_NAME": "agents", "DB_USER": "bot", "DB_PORT": "6543"}, "sqlite:///chat.db"),
        ({}, "sqlite:///memcore.db"),
    ],
    ids=["database-url", "db-host", "db-path", "default"],
)
def test_each_route_picks_its_url_and_the_next_route_only_when_the_one_above_is_unset(env, expected):
    assert Settings.from_env(environ=env).url == expected


def test_db_name_user_port_and_password_without_db_host_do_not_make_a_server_url():
    settings = Settings.from_env(environ={k: v for k, v in PG_ENV.items() if k != "DB_HOST"})
    assert make_url(settings.url).get_backend_name() == "sqlite"
    assert SECRET not in settings.url


def test_db_echo_reaches_the_engine_on_every_route(tmp_path):
    from memcore.infrastructure.sqlalchemy.engine import build_engine

    for env in ({"DB_PATH": str(tmp_path / "echo.db")}, PG_ENV, {"DATABASE_URL": "sqlite://"}):
        for text, expected in (("1", True), ("0", False)):
            engine = build_engine(Settings.from_env(environ={**env, "DB_ECHO": text}))
            try:
                assert engine.echo is expected, env
            finally:
                engine.dispose()


def test_db_echo_is_off_unless_set():
    assert Settings.from_env(environ=PG_ENV).echo is False
