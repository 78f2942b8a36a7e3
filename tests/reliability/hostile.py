"""The table of hostile values, and how a call's outcome is judged.

An outcome is `accepted` (the call returned; where a round trip is checked it was exact),
`rejected` (a typed MemcoreError with a message, or a drop-in's failure dict), or `leaked`
(anything else: a raw driver/SQLAlchemy exception, a TypeError, a wrong round trip, a partial batch).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from memcore.errors import MemcoreError


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = {"d": value}
    return value


HOSTILE: dict[str, Any] = {
    "nul byte": "a\x00b",
    "lone surrogate": "a\ud800b",
    "4-byte unicode": "emoji 😀 clef 𝄞 han 𠜎",
    "10 MB string": "x" * 10_000_000,
    "600-char id": "k" * 600,
    "empty": "",
    "fts quote": 'say "hello',
    "fts star": "tomat*",
    "fts NEAR": "NEAR(alpha beta)",
    "fts OR": "alpha OR beta",
    "fts parenthesis": "(alpha",
    "fts minus": "-alpha",
    "sql fragment": "'; DROP TABLE users; --",
    "NaN": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "negative": -1,
    "zero": 0,
    "huge int": 2**70,
    "None": None,
    "bytes": b"bytes",
    "dict": {"a": 1},
    "list": ["a"],
    "naive timestamp": datetime(2026, 1, 2, 3, 4, 5),
    "deeply nested": _deep(2000),
    "non-serializable": {"x": object()},
    "set": {"a", "b"},
}
STRINGS = {name: value for name, value in HOSTILE.items() if isinstance(value, str)}


class Tally:
    """Outcomes per entry point."""

    def __init__(self, password: str | None = None) -> None:
        self.rows: dict[str, dict[str, int]] = {}
        self.leaks: list[str] = []
        self.password = password

    def _row(self, entry: str) -> dict[str, int]:
        return self.rows.setdefault(entry, {"tried": 0, "accepted": 0, "rejected": 0, "leaked": 0})

    def leak(self, entry: str, name: str, why: str) -> None:
        self._row(entry)["leaked"] += 1
        self.leaks.append(f"{entry} <- {name}: {why}")

    def call(self, entry: str, name: str, call: Callable[[], Any], check: Callable[[Any], str | None] | None = None):
        """Run `call`; `check(result)` says what is wrong with an accepted result (None: nothing)."""
        row = self._row(entry)
        row["tried"] += 1
        try:
            result = call()
        except MemcoreError as exc:
            message = str(exc)
            if not message.strip() or (self.password and self.password in message):
                self.leak(entry, name, f"{type(exc).__name__} with an unfit message: {message[:200]!r}")
            else:
                row["rejected"] += 1
            return None
        except RecursionError as exc:
            self.leak(entry, name, f"RecursionError: {exc}")
            return None
        except Exception as exc:
            self.leak(entry, name, f"{type(exc).__module__}.{type(exc).__name__}: {str(exc)[:200]}")
            return None
        if isinstance(result, dict) and result.get("success") is False:  # a drop-in's failure report
            errors = result.get("errors") or [{}]  # a batch's failures, each with its message
            if not (result.get("error") and result.get("error_type")) and not all(e.get("error") for e in errors):
                self.leak(entry, name, f"failure without error/error_type: {result}")
            else:
                row["rejected"] += 1
            return result
        problem = check(result) if check is not None else None
        if problem:
            self.leak(entry, name, problem)
        else:
            row["accepted"] += 1
        return result

    def totals(self) -> dict[str, int]:
        total = {"entry_points": len(self.rows), "tried": 0, "accepted": 0, "rejected": 0, "leaked": 0}
        for row in self.rows.values():
            for key in ("tried", "accepted", "rejected", "leaked"):
                total[key] += row[key]
        return total


def same(expected: Any, got: Any) -> bool:
    """Equal, NaN equal to NaN, tuples as the lists JSON gives back."""
    if isinstance(expected, float) and isinstance(got, float) and math.isnan(expected) and math.isnan(got):
        return True
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(expected) == len(got) and all(same(a, b) for a, b in zip(expected, got, strict=True))
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(same(expected[k], got[k]) for k in expected)
    return (type(expected) is type(got) and expected == got) or (
        isinstance(expected, (int, float)) and isinstance(got, (int, float)) and expected == got
    )
