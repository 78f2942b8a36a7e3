"""The suite's figures: each test records rows; the session writes them as JSON and a Markdown table.

Written to MEMCORE_RELIABILITY_RESULTS (a directory) as results.json and results.md, so a run's
figures can be read and linked. By default a full-scale run writes docs/reliability/ of the
repository (the figures the README links) and a short run (CI's) the temporary directory, so
a test run never rewrites the committed figures with smaller ones.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[2]
# Figures that must be 0 for the suite to hold its promises (the tests assert them too).
MUST_BE_ZERO = ("lost", "partial", "leaked", "errors", "integrity_failures", "duplicates", "gaps", "interleaved",
                "writes_lost", "unrecovered", "raw_errors", "untyped_errors", "secrets_shown",
                "locked_errors")  # fmt: skip


class Results:
    def __init__(self, scale: str) -> None:
        self.scale = scale
        self.rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, section: str, dialect: str, case: str, **figures: Any) -> None:
        with self._lock:
            self.rows.append({"section": section, "dialect": dialect, "case": case, **figures})

    def write(self, directory: Path | None = None) -> Path | None:
        if not self.rows:
            return None
        target = directory or self._default_directory()
        target.mkdir(parents=True, exist_ok=True)
        document = {
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "scale": self.scale,
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}",
            "must_be_zero": list(MUST_BE_ZERO),
            "rows": sorted(self.rows, key=lambda r: (r["section"], r["dialect"], r["case"])),
        }
        (target / "results.json").write_text(json.dumps(document, indent=2, default=str) + "\n")
        (target / "results.md").write_text(markdown(document))
        return target

    def _default_directory(self) -> Path:
        chosen = os.environ.get("MEMCORE_RELIABILITY_RESULTS")
        if chosen:
            return Path(chosen)
        if self.scale == "full":
            return REPOSITORY / "docs" / "reliability"
        return Path(tempfile.gettempdir()) / "memcore-reliability"


def markdown(document: dict[str, Any]) -> str:
    lines = [
        "# memcore reliability figures",
        "",
        f"Written by `tests/reliability` ({document['scale']} scale) at {document['written_at']} on "
        f"{document['machine']}. Figures named {', '.join(f'`{n}`' for n in document['must_be_zero'])} "
        "must be 0. Regenerate: `MEMCORE_RELIABILITY=full python -m pytest tests/reliability`.",
        "",
    ]
    sections: dict[str, list[dict[str, Any]]] = {}
    for row in document["rows"]:
        sections.setdefault(row["section"], []).append(row)
    for section, rows in sections.items():
        keys = ["dialect", "case"]
        for row in rows:
            keys.extend(k for k in row if k not in keys and k != "section")
        lines += [f"## {section}", "", "| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys)]
        lines += ["| " + " | ".join(_cell(row.get(k, "")) for k in keys) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value).replace("|", "\\|")
