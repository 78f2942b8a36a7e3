"""Reads the `idea_inspiration` table of a legacy raw-SQLite database, streamed, for import.

JSON columns are text and timestamps are text there. A row that cannot be read (malformed JSON,
a bad timestamp) is passed on as the reason, so the import reports it instead of failing.
"""

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from memcore.domain.ideas.model import FIELDS, parse_timestamp
from memcore.domain.shared.errors import InvalidInput

TABLE = "idea_inspiration"
JSON_COLUMNS = {"keywords": list, "metadata": dict, "subcategory_relevance": dict, "contextual_category_scores": dict}
TIME_COLUMNS = ("source_created_at", "created_at", "updated_at")


class SqliteLegacyIdeaSource:
    """Yields (legacy id, idea dict | reason) in id order, `fetch_size` rows from SQLite at a time."""

    def __init__(self, path: str, fetch_size: int = 1000) -> None:
        try:
            found = Path(path).is_file()
        except (OSError, ValueError) as exc:  # a name too long for the file system, say
            raise InvalidInput(f"cannot open a legacy database at {path[:200]!r}: {exc.__class__.__name__}") from None
        if not found:
            raise InvalidInput(f"no legacy database at {path}")
        self.connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        self.fetch_size = fetch_size
        try:
            found = self.connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,))
        except sqlite3.DatabaseError as exc:  # "file is not a database", say
            self.connection.close()
            raise InvalidInput(f"cannot open a legacy database at {path[:200]!r}: {exc}") from None
        if found.fetchone() is None:
            self.connection.close()
            raise InvalidInput(f"{path} has no {TABLE} table")

    def count(self) -> int:
        return self.connection.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0]

    def rows(self) -> Iterator[tuple[int, dict[str, Any] | str]]:
        cursor = self.connection.execute(f"SELECT * FROM {TABLE} ORDER BY id")
        names = [column[0] for column in cursor.description]
        while batch := cursor.fetchmany(self.fetch_size):
            for values in batch:
                row = dict(zip(names, values, strict=True))
                yield row["id"], _idea(row)

    def close(self) -> None:
        self.connection.close()


def _idea(row: dict[str, Any]) -> dict[str, Any] | str:
    data = {name: row[name] for name in FIELDS if name in row and name != "id"}
    for name, kind in JSON_COLUMNS.items():
        text = data.get(name)
        if text is None or text == "":
            data[name] = kind()
            continue
        try:
            data[name] = json.loads(text)
        except (TypeError, ValueError):
            return f"malformed JSON in {name}"
        if not isinstance(data[name], kind):
            return f"{name} holds JSON {type(data[name]).__name__}, expected {kind.__name__}"
    for name in TIME_COLUMNS:
        if isinstance(data.get(name), str):
            try:
                data[name] = parse_timestamp(name, data[name])
            except InvalidInput as exc:
                return str(exc)
    return data
