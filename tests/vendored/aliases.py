"""Let vendored test files import the packages they were written for, as memcore's drop-ins.

`alias("casual_memory.models", some_module)` puts `some_module` (or a module made from a mapping
of names) in `sys.modules` under the original name, with every parent package created, so the
vendored file's own import lines resolve to memcore without a character of it changed.
"""

import sys
import types
from collections.abc import Mapping
from typing import Any


def alias(name: str, target: types.ModuleType | Mapping[str, Any]) -> None:
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
