"""The quickstart's raw-SQL and checkpoints scenario: a pipeline service with its own SQL."""

import asyncio
import tempfile
from pathlib import Path

from memcore.application.bootstrap import Services
from memcore.application.checkpoints.commands import DeleteThread, PruneThread, SaveCheckpoint
from memcore.infrastructure.cli.output import console, print_table
from memcore.infrastructure.compat.checkpoints import SQLCheckpointer
from memcore.infrastructure.compat.database import AsyncDatabase, Database

THREAD = "quickstart-thread"
MIGRATIONS = {
    "V001__create_quickstart_notes.sql": (
        "CREATE TABLE quickstart_notes (id INTEGER PRIMARY KEY, body VARCHAR(200) NOT NULL);\n"
    ),
    "V002__add_tag.sql": "ALTER TABLE quickstart_notes ADD tag VARCHAR(50);\n",
}  # fmt: skip
NOTES = [
    {"id": 1, "body": "fetch the calendar", "tag": "input"},
    {"id": 2, "body": "draft the plan ✍️", "tag": "draft"},
    {"id": 3, "body": "send it to Alice", "tag": "output"},
]


def raw_sql_and_checkpoints(url: str, services: Services) -> None:
    console.rule("raw SQL: a pipeline service migrates and queries its own table")
    with tempfile.TemporaryDirectory() as directory, Database(url) as db:
        for name, sql in MIGRATIONS.items():
            Path(directory, name).write_text(sql)
        report = db.migrate(directory)
        applied = ", ".join(report.applied) or f"none (already at V{report.version:03d})"
        console.print(f"SQL migrations applied: {applied}")
        with db.transaction():
            db.execute("DELETE FROM quickstart_notes")
            db.execute_many("INSERT INTO quickstart_notes (id, body, tag) VALUES (:id, :body, :tag)", NOTES)
        rows = db.fetch_all(
            "SELECT id, body, tag FROM quickstart_notes WHERE tag IN (:tags) ORDER BY id", {"tags": ["draft", "output"]}
        )
        print_table("notes tagged draft or output", ["id", "body", "tag"], rows)

    console.rule("checkpoints: a workflow saves its state at each step and resumes")
    services.bus.handle(DeleteThread(THREAD))
    parent = None
    for step in ("collect", "plan", "review"):
        parent = services.bus.handle(SaveCheckpoint(THREAD, "weekly-planner", {"step": step}, parent_id=parent))
    history = [view.to_dict() for view in services.checkpoints.history(THREAD)]
    print_table("history, newest first", ["sequence", "pipeline_id", "state", "created_at"], history)
    pruned = services.bus.handle(PruneThread(THREAD, keep_last=2))
    latest = services.checkpoints.latest(THREAD)
    console.print(f"pruned {pruned}; resuming from step {latest.state['step']!r} (checkpoint #{latest.sequence})")
    asyncio.run(_async_service(url))


async def _async_service(url: str) -> None:
    async with AsyncDatabase(url) as db:
        checkpointer = SQLCheckpointer(db)
        saved = await checkpointer.save_checkpoint(THREAD, "weekly-planner", {"step": "send"}, {"by": "async"})
        latest = await checkpointer.load_checkpoint(THREAD)
    console.print(f"an async service saved {saved[:8]}…; latest is now #{latest['sequence']} ({latest['state']})")
