"""Crash atomicity, shared by `memcore bench --workload faults` and tests/reliability/test_crash.py.

A child process writes batches into one context (ideas, conflicts, memory entries, knowledge
chunks, conversation posts, checkpoints) and logs each batch's number once its commit returned
(an acknowledged write); the parent SIGKILLs it at a random moment. Afterwards every acknowledged
batch must be stored whole (`lost` otherwise) and no batch may be stored in part (`partial`).
Batch rows are tagged `<tag>/<k>`, the tag being `<prefix><run>-<n>`, so a caller can tell its
rows from anyone else's.
"""

import json
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from memcore.application.checkpoints.commands import SaveCheckpoint
from memcore.application.conversations.commands import BulkUpsertKnowledgeChunks, PostMessage
from memcore.application.ideas.commands import AddIdeas
from memcore.application.memory.commands import StoreMemories, StoreMemory
from memcore.infrastructure.app import connect

CONTEXT = multiprocessing.get_context("fork")  # fast enough for hundreds of kills
BATCH = {"ideas": 40, "conflicts": 40, "ltm_entries": 40, "knowledge": 30, "posts": 1, "checkpoints": 40}
CRASH_THREAD = "crash-thread"

# What each context stores per batch row: (sql, column naming the row's batch).
_STORED = {
    "ideas": ("SELECT source_id FROM idea_inspiration", "source_id"),
    "conflicts": ("SELECT id FROM conflicts", "id"),
    "ltm_entries": ("SELECT {key} FROM ltm_entries", "{key}"),
    "knowledge": ("SELECT external_id FROM knowledge_chunks WHERE source = 'crash'", "external_id"),
}


def _ideas(app: Any, tag: str, batch: int, target: str | None) -> None:
    items = [{"title": f"{tag} {k}", "description": "d" * 200, "content": "c" * 500, "keywords": ["crash"],
              "source_type": "text", "metadata": {"tag": tag}, "source_id": f"{tag}/{k}", "score": 50,
              "category": "technology"} for k in range(batch)]  # fmt: skip
    app.handle(AddIdeas(items))


def _conflicts(app: Any, tag: str, batch: int, target: str | None) -> None:
    from datetime import UTC, datetime

    from memcore.domain.conflicts.model import MemoryConflict

    now = datetime.now(UTC)
    items = [MemoryConflict(id=f"{tag}/{k}", user_id="crash", memory_a_id=f"a{k}", memory_b_id=f"b{k}",
                            category="preferences", similarity_score=0.5, avg_importance=0.5, created_at=now)
             for k in range(batch)]  # fmt: skip
    uow = app.services.bus.uow
    with uow:
        uow.conflicts.add_many(items)
        uow.commit()


def _memory(app: Any, tag: str, batch: int, target: str | None) -> None:
    entries = [StoreMemory(f"{tag}/{k}", {"text": f"remember {tag} item {k}", "pad": "x" * 300}, {"tag": tag})
               for k in range(batch)]  # fmt: skip
    app.handle(StoreMemories(entries))


def _knowledge(app: Any, tag: str, batch: int, target: str | None) -> None:
    words = f"searchable words {tag.replace('-', ' ')} number"
    items = [{"source": "crash", "external_id": f"{tag}/{k}", "title": f"chunk {tag}", "content": f"{words} {k} " * 5}
             for k in range(batch)]  # fmt: skip
    app.handle(BulkUpsertKnowledgeChunks(items))


def _posts(app: Any, tag: str, batch: int, target: str | None) -> None:
    app.handle(PostMessage(target or app.conversations.list_all(limit=1)[0].id, "user", tag))


def _checkpoints(app: Any, tag: str, batch: int, target: str | None) -> None:
    state = {"tag": tag, "writes": [f"{tag}/{k}" for k in range(batch)]}
    app.handle(SaveCheckpoint(target or CRASH_THREAD, "pipeline", state))


WRITERS: dict[str, Callable[[Any, str, int, str | None], None]] = {
    "ideas": _ideas,
    "conflicts": _conflicts,
    "ltm_entries": _memory,
    "knowledge": _knowledge,
    "posts": _posts,
    "checkpoints": _checkpoints,
}


def bulk_writer(url: str, context: str, run: int, batch: int, ack_path: str, target: str | None = None,
                prefix: str = "r") -> None:  # fmt: skip
    """Writes batches `<prefix><run>-0`, `-1`, … of `batch` rows until killed; appends each batch's
    number to `ack_path` once its commit has returned. `target`: the conversation or thread."""
    with connect(url) as app, open(ack_path, "a", buffering=1) as acks:
        write = WRITERS[context]
        for n in range(10**6):
            write(app, f"{prefix}{run}-{n}", batch, target)
            acks.write(f"{n}\n")
            acks.flush()
            os.fsync(acks.fileno())


def acknowledged(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line for line in path.read_text().split("\n") if line.strip()]


def kill_once(url: str, context: str, run: int, ack: Path, target: str | None = None, prefix: str = "r",
              writer: Callable[..., None] = bulk_writer, batch: int | None = None) -> None:  # fmt: skip
    """Start a writer, let it acknowledge at least one batch, then SIGKILL it at a random moment."""
    args = (url, context, run, batch or BATCH[context], str(ack), target, prefix)
    child = CONTEXT.Process(target=writer, args=args)
    child.start()
    deadline = time.monotonic() + 60
    while not acknowledged(ack) and time.monotonic() < deadline and child.is_alive():
        time.sleep(0.002)
    if not child.is_alive():
        raise AssertionError(f"the writer died by itself (exit code {child.exitcode})")
    time.sleep(random.uniform(0, 0.08))
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join(10)


def stored_batches(engine: Engine, context: str, target: str | None = None, prefix: str = "") -> tuple[Counter, int]:
    """Rows stored per batch tag starting with `prefix`, and whether the posts' or checkpoints'
    sequence (of conversation / thread `target`, or of the whole table) has a gap."""
    key = engine.dialect.identifier_preparer.quote("key")
    with engine.connect() as connection:
        if context in _STORED:
            sql, column = (part.format(key=key) for part in _STORED[context])
            glue = " AND " if " WHERE " in sql else " WHERE "
            rows = connection.execute(text(f"{sql}{glue}{column} LIKE :like"), {"like": f"{prefix}%"}).scalars()
            return Counter(row.split("/")[0] for row in rows), 0
        if context == "posts":
            where = "WHERE conversation_id = :target" if target else ""
            sql = f"SELECT content, sequence FROM messages {where} ORDER BY sequence"
            rows = list(connection.execute(text(sql), {"target": target}))
            tags = Counter(r[0] for r in rows)
        else:
            sql = "SELECT state, sequence FROM pipeline_checkpoints WHERE thread_id = :target ORDER BY sequence"
            rows = list(connection.execute(text(sql), {"target": target or CRASH_THREAD}))
            tags = Counter()
            for r in rows:
                state = json.loads(r[0]) if isinstance(r[0], str) else r[0]
                tags[state["tag"]] += len(state["writes"])
        sequences = [r[1] for r in rows]
    tags = Counter({tag: n for tag, n in tags.items() if tag.startswith(prefix)})
    return tags, int(sequences != list(range(1, len(sequences) + 1)))


def count_run(engine: Engine, context: str, run: int, ack: Path, target: str | None = None,
              prefix: str = "r") -> dict[str, int]:  # fmt: skip
    """After run `run` was killed: batches acknowledged, lost and partial, and sequence gaps."""
    tags, gaps = stored_batches(engine, context, target, f"{prefix}{run}-")
    batch, acked = BATCH[context], acknowledged(ack)
    return {
        "acknowledged": len(acked),
        "lost": sum(1 for n in acked if tags.get(f"{prefix}{run}-{n}") != batch),
        "partial": sum(1 for n in tags.values() if n != batch),
        "gaps": gaps,
    }


def integrity_failures(engine: Engine) -> list[str]:
    """SQLite: integrity_check, foreign_key_check, each FTS5 index against its table; MariaDB:
    CHECK TABLE; PostgreSQL: every table read end to end."""
    failures = []
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            check = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
            if check != "ok":
                failures.append(f"integrity_check: {check}")
            if list(connection.exec_driver_sql("PRAGMA foreign_key_check")):
                failures.append("foreign_key_check found orphans")
            indexes = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
            ).scalars()
            for name in list(indexes):
                try:
                    connection.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
                except Exception as exc:
                    failures.append(f"{name}: {exc}")
            connection.rollback()
        elif engine.dialect.name == "mysql":
            tables = connection.exec_driver_sql("SHOW TABLES").scalars().all()
            for row in connection.exec_driver_sql(f"CHECK TABLE {', '.join(f'`{t}`' for t in tables)}"):
                if row[2] == "error" or (row[2] == "status" and row[3] != "OK"):
                    failures.append(f"{row[0]}: {row[3]}")
        else:
            for table in ("conflicts", "idea_inspiration", "ltm_entries", "knowledge_chunks", "messages",
                          "pipeline_checkpoints"):  # fmt: skip
                connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
    return failures
