"""`expand_env_vars`: the LTM drop-in's `${NAME}` / `${NAME:-fallback}` references in settings.

A string has each reference replaced by the environment variable's value, or by the fallback (an
empty string without one) when the variable is unset; mappings and lists are expanded item by
item, into new ones; every other value is returned as it is.
"""

import os
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["expand_env_vars"]

_REFERENCE = re.compile(r"\$\{(?P<name>[^}:]+)(?::-(?P<fallback>[^}]*))?\}")


def _value(found: re.Match[str]) -> str:
    return os.environ.get(found["name"], found["fallback"] or "")


def expand_env_vars(config: Any) -> Any:
    """`config` with its environment references expanded (see the module docstring)."""
    if isinstance(config, str):
        return _REFERENCE.sub(_value, config)
    if isinstance(config, Mapping):
        return {key: expand_env_vars(value) for key, value in config.items()}
    if isinstance(config, list):
        return [expand_env_vars(item) for item in config]
    return config
