"""The LTM drop-in API's YAML configuration and registries, as a host application uses them."""

import re

import pytest

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.compat.ltm import (
    SQLAlchemyBackend,
    SQLAlchemyCatalog,
    create_catalog_backend,
    create_ltm_backend,
    get_registered_backends,
    get_registered_catalog_backends,
    load_ltm_from_yaml,
    parse_ltm_settings,
    register_backend,
    register_catalog_backend,
)

SECRET_URL = "postgresql://user:s3cr3t@localhost/dbname"
ISSUE_YAML = """\
settings:
  ltm:
    backend: sqlalchemy
    url: {url}
    pool_size: 10
    lazy: true
    catalog:
      type: sqlalchemy
      url: {catalog_url}
"""


def test_the_issues_block_gives_both_factories_their_options():
    config = parse_ltm_settings(
        {"backend": "sqlalchemy", "url": SECRET_URL, "pool_size": 10, "lazy": True,
         "catalog": {"type": "sqlalchemy", "url": "sqlite:///catalog.db"}}
    )  # fmt: skip
    assert (config.ltm.name, config.ltm.options) == (
        "sqlalchemy",
        {"url": SECRET_URL, "pool_size": 10, "lazy": True},
    )
    # the catalog inherits what it does not set itself
    assert (config.catalog.name, config.catalog.options) == (
        "sqlalchemy",
        {"url": "sqlite:///catalog.db", "pool_size": 10, "lazy": True},
    )
    assert "s3cr3t" not in repr(config)


def test_without_a_catalog_block_the_catalog_shares_the_backends_database():
    config = parse_ltm_settings({"settings": {"ltm": {"url": "sqlite:///m.db", "echo": False}}})
    assert config.ltm.name == config.catalog.name == "sqlalchemy"
    assert config.catalog.options == {"url": "sqlite:///m.db", "echo": False}


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"backend": "sqlalchemy"}, "settings.ltm needs a url"),
        ({"url": ""}, "settings.ltm needs a url"),
        ({"url": "sqlite://", "pool_sise": 3}, "unknown keys in settings.ltm: pool_sise"),
        ({"url": "sqlite://", "catalog": {"kind": "x"}}, "unknown keys in settings.ltm.catalog: kind"),
        ({"url": "sqlite://", "pool_size": "ten"}, "settings.ltm.pool_size must be int"),
        ({"url": "sqlite://", "pool_size": 0}, "pool_size must be at least 1"),
        ({"url": "sqlite://", "lazy": "yes"}, "settings.ltm.lazy must be bool"),
        ({"url": "sqlite://", "backend": "redis"}, "'redis' is not a registered backend (registered: sqlalchemy"),
        ({"url": "sqlite://", "catalog": {"type": "s3"}}, "settings.ltm.catalog.type 's3' is not a registered"),
        ({"url": "sqlite://", "catalog": "sqlite://"}, "settings.ltm.catalog must be a mapping"),
        (["url"], "settings.ltm must be a mapping"),
    ],
)
def test_a_bad_block_is_refused_with_a_clear_message(block, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_ltm_settings(block)


def test_a_password_never_shows_in_a_config_error():
    with pytest.raises(InvalidInput) as caught:
        parse_ltm_settings({"url": SECRET_URL, "catalog": {"url": 5}})
    assert "s3cr3t" not in str(caught.value)


def test_yaml_builds_a_lazy_backend_and_catalog_that_work(tmp_path):
    url = f"sqlite:///{tmp_path / 'ltm.db'}"
    path = tmp_path / "agent.yaml"
    path.write_text(ISSUE_YAML.format(url=url, catalog_url=f"sqlite:///{tmp_path / 'catalog.db'}"))

    backend, catalog = load_ltm_from_yaml(path)

    assert isinstance(backend, SQLAlchemyBackend) and isinstance(catalog, SQLAlchemyCatalog)
    assert not (tmp_path / "ltm.db").exists()  # lazy: nothing opened yet
    with backend, catalog:
        assert backend.store("k", {"v": 1})["created"] is True
        assert backend.retrieve("k")["value"] == {"v": 1}
        assert catalog.track_entry("blob", "sha256:ab", "s3://b/blob", 10, {})["created"] is True
    assert (tmp_path / "ltm.db").exists() and (tmp_path / "catalog.db").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("settings:\n  other: 1\n", "has no settings.ltm block"),
        ("settings:\n  ltm: [1]\n", "settings.ltm in .* must be a mapping"),
        ("settings:\n  ltm:\n    url: [unclosed\n", "is not valid YAML at line 3"),
        ("settings:\n  ltm:\n    lazy: true\n", "settings.ltm needs a url"),
    ],
)
def test_a_bad_yaml_file_is_refused_with_a_clear_message(tmp_path, text, message):
    path = tmp_path / "agent.yaml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match=message):
        load_ltm_from_yaml(path)


def test_a_missing_yaml_file_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidInput, match=r"cannot read .*nope\.yaml: No such file"):
        load_ltm_from_yaml(tmp_path / "nope.yaml")


def test_registries_make_backends_by_name_and_take_new_ones(tmp_path, monkeypatch):
    from memcore.infrastructure.compat import ltm

    # registrations below go into copies, so other tests see the registries as shipped
    monkeypatch.setattr(ltm, "_BACKENDS", dict(ltm._BACKENDS))
    monkeypatch.setattr(ltm, "_CATALOGS", dict(ltm._CATALOGS))
    made = []

    class Recording:
        def __init__(self, **options):
            made.append(options)

    assert get_registered_backends() == ["sqlalchemy"]
    assert get_registered_catalog_backends() == {"sqlalchemy": SQLAlchemyCatalog}
    url = f"sqlite:///{tmp_path / 'r.db'}"
    backend = create_ltm_backend("sqlalchemy", url=url, lazy=True)
    catalog = create_catalog_backend("sqlalchemy", url=url, lazy=True)
    assert (type(backend), type(catalog), backend.dialect) == (SQLAlchemyBackend, SQLAlchemyCatalog, "sqlite")
    backend.close()
    catalog.close()
    with pytest.raises(InvalidInput, match="no LTM backend named 'recording' \\(registered: sqlalchemy\\)"):
        create_ltm_backend("recording", url=url)
    with pytest.raises(ValueError, match="no catalog backend"):  # what the replaced factories raised
        create_catalog_backend("recording", url=url)
    register_backend("Recording", backend_class=Recording)  # names are case-insensitive
    register_catalog_backend("recording", cls=Recording)
    assert isinstance(create_ltm_backend(backend_type="RECORDING", url="x://", pool_size=2), Recording)
    assert isinstance(create_catalog_backend("recording", url="y://"), Recording)
    assert made == [{"url": "x://", "pool_size": 2}, {"url": "y://"}]
    assert parse_ltm_settings({"backend": "recording", "url": "x://"}).ltm.name == "recording"
    assert set(get_registered_backends()) == {"sqlalchemy", "recording"}
    with pytest.raises(InvalidInput, match="needs a class or factory"):
        register_backend("broken", "not callable")
    with pytest.raises(InvalidInput, match="non-empty string"):
        register_catalog_backend("", Recording)
