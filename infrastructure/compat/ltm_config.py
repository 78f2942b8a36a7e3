"""The YAML `settings.ltm` block of the LTM drop-in API, read into what its factories need.

```yaml
settings:
  ltm:
    backend: sqlalchemy
    url: postgresql://user:pass@localhost/dbname
    pool_size: 10
    lazy: true
    catalog:            # optional; without it the catalog uses the LTM's url and options
      type: sqlalchemy
      url: postgresql://user:pass@localhost/dbname
```
"""

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import attrs

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.settings import mask_url

OPTIONS = {"url": str, "pool_size": int, "echo": bool, "lazy": bool}
LTM_KEYS = {"backend", "catalog", *OPTIONS}
CATALOG_KEYS = {"type", *OPTIONS}


@attrs.frozen
class BackendConfig:
    """A registered backend's name and the keyword arguments its factory takes."""

    name: str
    options: dict[str, Any] = attrs.field(repr=False)

    def __repr__(self) -> str:
        shown = {**self.options, "url": mask_url(self.options["url"])}
        return f"BackendConfig(name={self.name!r}, options={shown!r})"


@attrs.frozen
class LtmConfig:
    ltm: BackendConfig
    catalog: BackendConfig


def _unwrap(settings: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accept the `ltm` block itself, or a mapping that holds it under `settings` and/or `ltm`."""
    for wrapper in ("settings", "ltm"):
        if set(settings) == {wrapper} and isinstance(settings[wrapper], Mapping):
            settings = settings[wrapper]
    return settings


def _options(where: str, block: Mapping[str, Any], allowed: set[str], inherited: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(block) - allowed
    if unknown:
        raise InvalidInput(
            f"unknown keys in {where}: {', '.join(sorted(map(str, unknown)))} (allowed: {', '.join(sorted(allowed))})"
        )
    options = {**inherited, **{k: v for k, v in block.items() if k in OPTIONS}}
    if not options.get("url"):
        raise InvalidInput(f"{where} needs a url (e.g. url: sqlite:///memory.db)")
    for key, kind in OPTIONS.items():
        value = options.get(key)
        if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            shown = mask_url(value) if key == "url" else repr(value)
            raise InvalidInput(f"{where}.{key} must be {kind.__name__}, got {shown}")
    if options.get("pool_size") is not None and options["pool_size"] < 1:
        raise InvalidInput(f"{where}.pool_size must be at least 1, got {options['pool_size']}")
    return options


def _name(where: str, key: str, value: Any, known: Collection[str]) -> str:
    if not isinstance(value, str) or value.lower() not in known:
        raise InvalidInput(
            f"{where}.{key} {value!r} is not a registered backend (registered: {', '.join(sorted(known))})"
        )
    return value.lower()


def parse(settings: Mapping[str, Any], backends: Collection[str], catalogs: Collection[str]) -> LtmConfig:
    """The backend and catalog configurations, checked against the registered names."""
    if not isinstance(settings, Mapping):
        raise InvalidInput(f"settings.ltm must be a mapping, got {type(settings).__name__}")
    block = _unwrap(settings)
    ltm_options = _options("settings.ltm", block, LTM_KEYS, {})
    ltm = BackendConfig(_name("settings.ltm", "backend", block.get("backend", "sqlalchemy"), backends), ltm_options)
    catalog_block = block.get("catalog")
    if catalog_block is None:
        return LtmConfig(
            ltm, BackendConfig(_name("settings.ltm", "catalog.type", "sqlalchemy", catalogs), dict(ltm_options))
        )
    if not isinstance(catalog_block, Mapping):
        raise InvalidInput(f"settings.ltm.catalog must be a mapping, got {type(catalog_block).__name__}")
    where = "settings.ltm.catalog"
    options = _options(where, catalog_block, CATALOG_KEYS, ltm_options)
    return LtmConfig(
        ltm, BackendConfig(_name(where, "type", catalog_block.get("type", "sqlalchemy"), catalogs), options)
    )


def read_yaml(path: str | Path) -> dict[str, Any]:
    """The `settings.ltm` block of a YAML file."""
    try:
        import yaml  # optional: only needed when a YAML file is given
    except ImportError as exc:
        raise InvalidInput("reading a YAML file needs PyYAML (pip install memcore[yaml])") from exc
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        raise InvalidInput(f"{path} is not valid YAML{where}" + (f": {problem}" if problem else "")) from None
    settings = data.get("settings") if isinstance(data, dict) else None
    block = settings.get("ltm") if isinstance(settings, dict) else None
    if block is None:
        raise InvalidInput(f"{path} has no settings.ltm block")
    if not isinstance(block, dict):
        raise InvalidInput(f"settings.ltm in {path} must be a mapping")
    return block


# The replaced `parse_backend_config`'s flat engine settings: key -> the backend keyword it becomes.
FLAT_KEYS = {
    "ltm_path": "db_path", "ltm_url": "url", "ltm_auth_token": "auth_token", "ltm_account_id": "account_id",
    "ltm_database_id": "database_id", "ltm_api_token": "api_token", "ltm_collection": "collection",
    "ltm_blob_uri": "blob_uri", "ltm_lock_backend": "lock_backend", "ltm_lock_ttl": "lock_ttl",
    "litestream_replica": "replica_url", "catalog": "catalog_config", "storage": "storage_uri",
    "inline_threshold": "inline_threshold", "enable_fts": "enable_fts", "lazy": "lazy",
    "pool_size": "pool_size", "echo": "echo",
}  # fmt: skip


def parse_flat(config: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(backend_type, kwargs) from flat `ltm_*` settings, as the replaced helper read them: the type
    from `ltm_backend` (default "sqlite"), each known key renamed, a `storage` mapping as its `uri`."""
    if not isinstance(config, Mapping):
        raise InvalidInput(f"backend config must be a mapping, got {type(config).__name__}")
    kwargs = {FLAT_KEYS[key]: value for key, value in config.items() if key in FLAT_KEYS}
    storage = kwargs.get("storage_uri")
    if isinstance(storage, Mapping):
        kwargs["storage_uri"] = storage.get("uri", "./ltm_data/")
    return config.get("ltm_backend", "sqlite"), kwargs
