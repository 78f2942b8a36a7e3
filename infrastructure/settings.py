"""Settings from the environment (and an optional YAML file); the URL is only ever shown masked."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from sqlalchemy.engine import URL, make_url

from memcore.domain.shared.errors import InvalidInput

DEFAULT_SQLITE_PATH = "memcore.db"
_TRUE = {"1", "true", "yes", "on"}


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE


def _of(kind: type) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise InvalidInput(f"setting {attribute.name} must be {kind.__name__}, got {value!r}")

    return check


@attrs.frozen
class Settings:
    """How to reach the database and size the pool."""

    url: str = attrs.field(repr=False, validator=_of(str))
    echo: bool = attrs.field(default=False, validator=_of(bool))
    pool_size: int = attrs.field(default=5, validator=_of(int))
    max_overflow: int = attrs.field(default=10, validator=_of(int))
    # Off by default: a ping costs a round trip per transaction; pool_recycle covers idle drops.
    pool_pre_ping: bool = attrs.field(default=False, validator=_of(bool))
    lazy_connect: bool = attrs.field(default=True, validator=_of(bool))  # False: connect at start-up
    busy_timeout_ms: int = attrs.field(default=5000, validator=_of(int))
    statement_timeout_ms: int | None = attrs.field(default=None, validator=attrs.validators.optional(_of(int)))
    max_failed_attempts: int = attrs.field(default=3, validator=_of(int))
    # e.g. SERIALIZABLE or REPEATABLE READ; the message bus retries commands the database aborts.
    isolation_level: str | None = attrs.field(default=None, validator=attrs.validators.optional(_of(str)))

    def __repr__(self) -> str:
        return f"Settings(url={self.masked_url!r}, echo={self.echo}, pool_size={self.pool_size})"

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    def with_url(self, url: str | None) -> "Settings":
        return self if url is None else attrs.evolve(self, url=url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, yaml_path: str | None = None) -> "Settings":
        """DATABASE_URL wins; else DB_HOST & co build a PostgreSQL URL; else SQLite at DB_PATH."""
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        yaml_path = yaml_path or env.get("MEMCORE_CONFIG")
        if yaml_path:
            values.update(_read_yaml(yaml_path))
        if env.get("DATABASE_URL"):
            values["url"] = env["DATABASE_URL"]
        elif env.get("DB_HOST"):
            values["url"] = URL.create(
                "postgresql+psycopg",
                username=env.get("DB_USER") or None,
                password=env.get("DB_PASSWORD") or None,
                host=env["DB_HOST"],
                port=_int("DB_PORT", env["DB_PORT"]) if env.get("DB_PORT") else None,
                database=env.get("DB_NAME") or "memcore",
            ).render_as_string(hide_password=False)
        elif "url" not in values:
            path = env.get("DB_PATH") or values.pop("path", None) or DEFAULT_SQLITE_PATH
            values["url"] = f"sqlite:///{Path(path)}"
        for key, name in (("echo", "DB_ECHO"), ("pool_pre_ping", "DB_POOL_PRE_PING"), ("lazy_connect", "DB_LAZY")):
            if env.get(name):
                values[key] = _flag(env[name])
        for key, name in (
            ("pool_size", "DB_POOL_SIZE"),
            ("max_overflow", "DB_MAX_OVERFLOW"),
            ("statement_timeout_ms", "DB_STATEMENT_TIMEOUT_MS"),
        ):
            if env.get(name):
                values[key] = _int(name, env[name])
        if env.get("DB_ISOLATION_LEVEL"):
            values["isolation_level"] = env["DB_ISOLATION_LEVEL"].upper()
        values.pop("path", None)
        known = {f.name for f in attrs.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise InvalidInput(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**values)


def _int(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer, got {text!r}") from None


def _read_yaml(path: str) -> dict[str, Any]:
    try:
        import yaml  # optional: only needed when a YAML file is given
    except ImportError as exc:
        raise InvalidInput("reading a YAML settings file needs PyYAML (pip install pyyaml)") from exc
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except OSError as exc:
        raise InvalidInput(f"cannot read settings file {path}: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"settings file {path} must hold a mapping")
    section = data.get("database", data)
    if not isinstance(section, dict):
        raise InvalidInput(f"the database section of {path} must be a mapping")
    return dict(section)


def mask_url(url: str | URL) -> str:
    """The URL with its password (in the user part or the query) replaced by ***."""
    try:
        parsed = make_url(url)
    except Exception:  # an unparsable URL: show nothing of it rather than a secret
        return "<unparsable database URL>"
    secrets = {k: "***" for k in parsed.query if k.lower() in ("password", "passwd", "pwd")}
    if secrets:
        parsed = parsed.update_query_dict(secrets)
    return parsed.render_as_string(hide_password=True)
