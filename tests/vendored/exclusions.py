"""Deselect the vendored tests a suite lists as excluded, and say which and why in the report."""

from pathlib import Path

import pytest


def deselect(
    config: pytest.Config, items: list[pytest.Item], conftest: str, excluded: dict[str, str],
    excluded_off_sqlite: dict[str, str] | None = None,
) -> None:  # fmt: skip
    """Drop `items` of this suite named in `excluded` (on every dialect) or in `excluded_off_sqlite`
    (on the server dialects only). A listed test missing from its file is an error: the list stays true."""
    here = Path(conftest).parent
    off_sqlite = excluded_off_sqlite or {}
    for name in excluded.keys() | off_sqlite.keys():
        file, _, test = name.partition("::")
        if f"def {test.rpartition('::')[2]}(" not in (here / file).read_text(encoding="utf-8"):
            raise pytest.UsageError(f"excluded vendored test not found: {name}")
    kept, dropped = [], []
    for item in items:
        path = Path(str(item.path))
        if here not in path.parents:
            kept.append(item)
            continue
        name = f"{path.relative_to(here).as_posix()}::{item.nodeid.split('::', 1)[1].split('[')[0]}"
        dialect = getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        excluding = name in excluded or (name in off_sqlite and dialect != "sqlite")
        (dropped if excluding else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
