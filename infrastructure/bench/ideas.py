"""The "ideas" workload: bulk load, point reads and filtered pages, via memcore and via the raw driver.

Both sides start from the same deterministic ideas as plain dicts and hand back the same data, so
the raw side does what a hand-written loader does: it encodes each row (JSON as text, naive UTC
times) inside its timed bulk load, and decodes the rows it reads (JSON parsed, times made aware)
as memcore's views are. The bulk load commits once per batch on both sides; the reads are single
statements, as a content pipeline's queries are. The prepared data is kept out of the garbage
collector's sight while the clock runs (see freeze_data), so neither side pays for walking it.
"""

import json
import random
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from memcore.application.ideas.commands import AddIdeas
from memcore.domain.shared.specification import Field, Query
from memcore.infrastructure.bench.phase import Phase
from memcore.infrastructure.bench.workload import BenchWorkload

DEFAULT_ROWS = 100_000
BATCH = 5_000
PAGE = 20
MIN_SCORE = 80
SOURCE_PREFIX = "bench-idea-"
BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)
CATEGORIES = (
    "technology", "science", "health", "finance", "education", "travel",
    "food", "music", "sports", "politics", "art", "gaming",
)  # fmt: skip
SOURCE_TYPES = ("text",) * 8 + ("video",) * 7 + ("audio",) * 4 + ("unknown",)
WORDS = (
    "agent", "memory", "vector", "prompt", "pipeline", "garden", "river", "budget", "sensor", "recipe",
    "climate", "rocket", "market", "lesson", "melody", "stadium", "pixel", "harbour", "protein", "ledger",
    "café", "naïve", "Zürich", "東京", "données", "señal", "история", "insight", "workflow", "trend",
)  # fmt: skip
LANGUAGES = ("en", "de", "fr", "es", "ja", "cs")
# Stored columns in the order of the raw INSERT; `id` is assigned by the database.
STORED = (
    "title", "description", "content", "keywords", "source_type", "metadata", "source_id", "source_url",
    "source_created_by", "source_created_at", "score", "category", "subcategory_relevance",
    "contextual_category_scores", "created_at", "updated_at",
)  # fmt: skip
JSON_FIELDS = frozenset({"keywords", "metadata", "subcategory_relevance", "contextual_category_scores"})
TIME_FIELDS = frozenset({"source_created_at", "created_at", "updated_at"})
COLUMNS = "id, " + ", ".join(STORED)


def _sentence(rng: random.Random, length: int) -> str:
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words).capitalize() + "."


def _idea(i: int, rng: random.Random, previous: datetime | None) -> dict[str, Any]:
    """One realistic idea; every 50th shares the previous one's created_at (ties for the ordering)."""
    source_type = rng.choice(SOURCE_TYPES)
    if previous is not None and i % 50 == 49:
        created = previous
    else:
        created = BASE_TIME + timedelta(seconds=rng.randrange(365 * 86_400), microseconds=rng.randrange(1_000_000))
    category = CATEGORIES[rng.randrange(len(CATEGORIES))]
    return {
        "title": f"{_sentence(rng, 30)[:-1]} #{i}",
        "description": _sentence(rng, 200),
        "content": _sentence(rng, 400) if source_type == "text" and i % 3 == 0 else None,
        "keywords": [rng.choice(WORDS) for _ in range(rng.randrange(2, 7))],
        "source_type": source_type,
        "metadata": {
            "lang": rng.choice(LANGUAGES),
            "views": rng.randrange(10_000_000),
            "tags": [rng.choice(WORDS) for _ in range(3)],
            "engagement": {"likes": rng.randrange(100_000), "shares": rng.randrange(5_000)},
        },
        "source_id": f"{SOURCE_PREFIX}{i}",
        "source_url": f"https://example.com/{source_type}/{i}",
        "source_created_by": f"creator-{rng.randrange(500)}",
        "source_created_at": None if i % 10 == 0 else created - timedelta(days=rng.randrange(30), seconds=i % 86_400),
        "score": None if i % 13 == 0 else rng.randrange(101),
        "category": category,
        "subcategory_relevance": {f"{category}/{rng.choice(WORDS)}": rng.randrange(101) for _ in range(2)},
        "contextual_category_scores": {name: rng.randrange(101) for name in rng.sample(CATEGORIES, 3)},
        "created_at": created,
        "updated_at": created + timedelta(hours=rng.randrange(48)),
    }


def make_ideas(rows: int) -> list[dict[str, Any]]:
    rng = random.Random(100_000)
    ideas: list[dict[str, Any]] = []
    previous = None
    for i in range(rows):
        ideas.append(_idea(i, rng, previous))
        previous = ideas[-1]["created_at"]
    return ideas


def _time_text(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def _encoders(on_sqlite: bool) -> list[tuple[str, Any]]:
    """What a hand-written loader does per column: JSON as text, datetimes as naive UTC."""
    as_time = _time_text if on_sqlite else _naive_utc
    dumps = json.JSONEncoder(allow_nan=False).encode
    return [(name, dumps if name in JSON_FIELDS else as_time if name in TIME_FIELDS else None) for name in STORED]


def _read_time(value: datetime | str) -> datetime:
    """A stored time back to aware UTC: SQLite gives ISO text, the servers naive datetimes."""
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).replace(tzinfo=UTC)


# What a hand-written reader does to hand a row to its caller: JSON parsed, times made aware.
_DECODERS = [
    (i, json.loads if name in JSON_FIELDS else _read_time)
    for i, name in enumerate(("id", *STORED))
    if name in JSON_FIELDS or name in TIME_FIELDS
]


def _decoded(row: Sequence[Any]) -> list[Any]:
    values = list(row)
    for i, decode in _DECODERS:
        if values[i] is not None:
            values[i] = decode(values[i])
    return values


def _params(idea: dict[str, Any], encoders: list[tuple[str, Any]]) -> tuple[Any, ...]:
    return tuple(
        value if encode is None or value is None else encode(value)
        for name, encode in encoders
        for value in (idea[name],)
    )


class IdeasWorkload(BenchWorkload):
    # The prepared ideas are a million long-lived objects that every full collection would walk,
    # charging each side by how much it allocates; a loader streaming its input holds none of them.
    freeze_data = True

    def __init__(self, url: str | None, rows: int) -> None:
        super().__init__(url, rows)
        self.ideas = make_ideas(rows)
        self.batches = [tuple(self.ideas[start : start + BATCH]) for start in range(0, rows, BATCH)]
        self.commands = [AddIdeas(items=batch) for batch in self.batches]
        picker = random.Random(10_000)
        # Positions in the loaded table; turned into ids once a side has loaded it.
        self.read_positions = [picker.randrange(rows) for _ in range(min(10_000, rows))]
        self.read_ids: list[int] = []
        self.page_categories = [CATEGORIES[i % len(CATEGORIES)] for i in range(min(1_000, max(1, rows // 10)))]
        self.page_queries = [
            Query(
                where=(Field("category") == category) & (Field("score") > MIN_SCORE),
                order_by=[Field("created_at").desc()],
                limit=PAGE,
            )
            for category in self.page_categories
        ]

    def _open(self, stack: ExitStack) -> None:
        super()._open(stack)
        self.reader = self._connection(stack, autocommit=True)  # like the one memcore's point reads use
        foreign = f"idea_inspiration WHERE source_id IS NULL OR source_id NOT LIKE '{SOURCE_PREFIX}%'"
        self._refuse_foreign_rows({"ideas": foreign}, "the idea_inspiration table")
        mark = self.mark
        self.insert_sql = f"INSERT INTO idea_inspiration ({', '.join(STORED)}) VALUES ({self._marks(len(STORED))})"
        self.get_sql = f"SELECT {COLUMNS} FROM idea_inspiration WHERE id = {mark}"
        # The ordering memcore sends: the primary key as tie-break (both columns are NOT NULL, so
        # PostgreSQL needs no NULLS clause and can walk the created_at index).
        order = "created_at DESC, id ASC"
        self.page_sql = (
            f"SELECT {COLUMNS} FROM idea_inspiration WHERE category = {mark} AND score > {MIN_SCORE} "
            f"ORDER BY {order} LIMIT {PAGE}"
        )

    def phases(self) -> Sequence[Phase]:
        return [
            Phase("bulk_load", self.rows, self._ours_load, self._raw_load, before=self._clear, after=self._stored),
            Phase("point_read", len(self.read_positions), self._ours_get, self._raw_get, before=self._pick_ids),
            Phase("filtered_page", len(self.page_queries), self._ours_pages, self._raw_pages),
        ]

    # -- untimed set-up and checks

    def _clear(self) -> None:
        self._empty("idea_inspiration")

    def _stored(self) -> tuple[Any, ...]:
        """What the load left: the row count and two ideas read back through memcore (ids aside)."""
        count = self._count("idea_inspiration", "bulk_load")
        self._analyze("idea_inspiration")
        by_source = self.services.ideas.get_by_source_id
        first, last = by_source(self.ideas[0]["source_id"]), by_source(self.ideas[-1]["source_id"])
        return count, attrs.evolve(first, id=0), attrs.evolve(last, id=0)

    def _pick_ids(self) -> None:
        cursor = self.conn.cursor()
        cursor.execute("SELECT id FROM idea_inspiration ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.close()
        self.conn.rollback()
        self.read_ids = [ids[position] for position in self.read_positions]

    # -- memcore's use cases

    def _ours_load(self) -> int:
        handle = self.services.bus.handle
        return sum(handle(cmd) for cmd in self.commands)

    def _ours_get(self) -> list[str]:
        get = self.services.ideas.get
        return [get(idea_id).title for idea_id in self.read_ids]

    def _ours_pages(self) -> list[int]:
        find = self.services.ideas.find
        return [view.id for query in self.page_queries for view in find(query)]

    # -- the raw DB-API driver doing the same

    def _raw_load(self) -> int:
        """From the same dicts memcore gets: encode each batch (JSON text, naive UTC times), insert it."""
        conn, cursor, sql = self.conn, self.conn.cursor(), self.insert_sql
        on_sqlite = self.backend == "sqlite"  # isolation_level=None: without BEGIN every row commits alone
        encoders = _encoders(on_sqlite)
        for batch in self.batches:
            params = [_params(idea, encoders) for idea in batch]
            if on_sqlite:
                cursor.execute("BEGIN")
            cursor.executemany(sql, params)
            conn.commit()
        cursor.close()
        return self.rows

    def _raw_get(self) -> list[str]:
        cursor, sql = self.reader.cursor(), self.get_sql
        titles: list[str] = []
        for idea_id in self.read_ids:
            cursor.execute(sql, (idea_id,))
            titles.append(_decoded(cursor.fetchone())[1])
        cursor.close()
        return titles

    def _raw_pages(self) -> list[int]:
        conn, cursor, sql = self.conn, self.conn.cursor(), self.page_sql
        ids: list[int] = []
        for category in self.page_categories:
            cursor.execute(sql, (category,))
            ids.extend(_decoded(row)[0] for row in cursor.fetchall())
            conn.rollback()  # end the read transaction, as memcore's connection does on return
        cursor.close()
        return ids
