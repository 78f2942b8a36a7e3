"""Let vendored test files import the packages they were written for, as memcore's drop-ins.

`alias("casual_memory.models", some_module)` puts `some_module` (or a module made from a mapping
of names) in `sys.modules` under the original name, with every parent package created, so the
vendored file's own import lines resolve to memcore without a character of it changed.
`restore(prefix)` puts back what the aliases under `prefix` replaced, for a suite whose files import
the original only at module level: the real package, when installed, is then the real one again
for every later test (the bench runs casual-memory itself as a peer).
"""

import sys
import types
from collections.abc import Mapping
from typing import Any

_MISSING = object()
_replaced: dict[str, Any] = {}  # name -> the module it replaced in sys.modules, or _MISSING


def alias(name: str, target: types.ModuleType | Mapping[str, Any]) -> None:
    _replaced.setdefault(name, sys.modules.get(name, _MISSING))
    if not isinstance(target, types.ModuleType):
        module = types.ModuleType(name, f"memcore stand-in for {name}")
        module.__dict__.update(target)
        target = module
    sys.modules[name] = target
    parent, _, child = name.rpartition(".")
    if parent:
        if parent not in sys.modules:
            package = types.ModuleType(parent, f"memcore stand-in package {parent}")
            package.__path__ = []
            alias(parent, package)
        setattr(sys.modules[parent], child, target)


def restore(prefix: str) -> None:
    """Undo every alias named `prefix` or under it."""
    for name in [n for n in _replaced if n == prefix or n.startswith(prefix + ".")]:
        previous = _replaced.pop(name)
        if previous is _MISSING:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
