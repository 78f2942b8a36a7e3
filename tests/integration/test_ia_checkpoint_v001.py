"""A `pipeline_checkpoints` table made by ia_modules' own V001 migration, opened as it is by the
ia_modules checkpointer drop-in, on every dialect: rows ia_modules wrote read back through the
drop-in, rows the drop-in writes read back the way ia_modules reads them, and no column added.

The table is made by running ia_modules' V001 script itself (vendored unchanged beside ia_modules'
checkpoint tests) through the nexusql drop-in, as nexusql's migration runner runs it."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from memcore.compat.ia_checkpoint import CheckpointSaveError, CheckpointStatus, SQLCheckpointer
from memcore.compat.nexusql import DatabaseManager
from tests.store_fixtures import url_of

V001 = Path(__file__).parents[1] / "vendored" / "ia_modules_checkpoint" / "V001__complete_schema.sql"


def run(coroutine):
    return asyncio.run(coroutine)


def columns(db: DatabaseManager) -> set[str]:
    return {c["name"] for c in sa.inspect(db.database.engine).get_columns("pipeline_checkpoints")}


def ia_insert(db: DatabaseManager, thread: str, step: int, when: datetime, parent: str | None = None) -> str:
    """A row as ia_modules' SQLCheckpointer.save_checkpoint writes it (its columns, JSON text,
    `datetime.now().isoformat()`-style local time), sent through nexusql."""
    checkpoint_id = str(uuid.uuid4())
    names = (
        "checkpoint_id", "thread_id", "pipeline_id", "step_id", "step_index", "step_name", "state", "metadata",
        "parent_checkpoint_id", "timestamp",
    )  # fmt: skip
    db.execute(
        f"INSERT INTO pipeline_checkpoints ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        {
            "checkpoint_id": checkpoint_id, "thread_id": thread, "pipeline_id": "etl", "step_id": f"s{step}",
            "step_index": step, "step_name": f"Step {step}", "state": json.dumps({"done": step, "é": [1.5, None]}),
            "metadata": json.dumps({"by": "ia"}), "parent_checkpoint_id": parent, "timestamp": when.isoformat(),
        },
    )  # fmt: skip
    return checkpoint_id


@pytest.fixture
def v001_db(scratch_engine: Engine) -> Iterator[DatabaseManager]:
    """An empty database with ia_modules' V001 schema applied, and nothing of memcore's."""
    db = DatabaseManager(url_of(scratch_engine))
    assert db.connect()
    result = run(db.execute_script(V001.read_text(encoding="utf-8")))
    assert result.success, result
    yield db
    db.disconnect()


def test_the_v001_table_has_none_of_memcores_columns(v001_db):
    assert {"sequence", "created_at", "parent_id"}.isdisjoint(columns(v001_db))
    assert {"checkpoint_id", "step_id", "step_index", "timestamp", "state", "status"} <= columns(v001_db)


def test_rows_ia_modules_wrote_read_back_through_the_drop_in(v001_db):
    now = datetime.now()
    first = ia_insert(v001_db, "t1", 0, now - timedelta(seconds=20))
    second = ia_insert(v001_db, "t1", 1, now - timedelta(seconds=10), parent=first)
    ia_insert(v001_db, "t2", 0, now - timedelta(seconds=5))
    before = columns(v001_db)
    checkpointer = SQLCheckpointer(v001_db)

    newest = run(checkpointer.load_checkpoint("t1"))
    assert newest.checkpoint_id == second and newest.step_index == 1 and newest.step_id == "s1"
    assert newest.state == {"done": 1, "é": [1.5, None]} and newest.metadata == {"by": "ia"}
    assert newest.step_name == "Step 1" and newest.status is CheckpointStatus.COMPLETED
    assert newest.parent_checkpoint_id == first and newest.pipeline_id == "etl"
    assert newest.timestamp.tzinfo is not None
    assert abs(newest.timestamp - (now - timedelta(seconds=10)).astimezone(UTC)) < timedelta(seconds=1)
    assert run(checkpointer.load_checkpoint("t1", first)).step_index == 0
    assert run(checkpointer.load_checkpoint("t1", "not-a-uuid")) is None
    assert run(checkpointer.load_checkpoint("t3")) is None
    assert [c.checkpoint_id for c in run(checkpointer.list_checkpoints("t1"))] == [second, first]
    assert [c.checkpoint_id for c in run(checkpointer.list_checkpoints("t1", limit=1, offset=1))] == [first]
    assert run(checkpointer.list_checkpoints("t1", pipeline_id="other")) == []
    stats = run(checkpointer.get_checkpoint_stats())
    assert stats["total_checkpoints"] == 3 and stats["threads"] == ["t1", "t2"]
    assert run(checkpointer.get_checkpoint_stats("t1"))["oldest_checkpoint"] < newest.timestamp
    assert columns(v001_db) == before


def test_rows_the_drop_in_writes_read_back_the_way_ia_modules_reads_them(v001_db):
    first = ia_insert(v001_db, "t1", 0, datetime.now() - timedelta(seconds=5))
    checkpointer = SQLCheckpointer(v001_db)
    saved = run(checkpointer.save_checkpoint("t1", "etl", "s1", 1, {"n": [1, 2]}, {"k": "v"}, "Step 1", first))
    assert run(checkpointer.load_checkpoint("t1")).checkpoint_id == saved

    # ia_modules' own read: the newest row by timestamp, JSON and ISO time decoded from the row.
    row = v001_db.fetch_one("SELECT * FROM pipeline_checkpoints WHERE thread_id = :t ORDER BY timestamp DESC LIMIT 1",
                            {"t": "t1"})  # fmt: skip
    assert str(row["checkpoint_id"]) == saved and row["step_id"] == "s1" and row["step_index"] == 1
    decode = (lambda v: v) if isinstance(row["state"], dict) else json.loads
    assert decode(row["state"]) == {"n": [1, 2]} and decode(row["metadata"]) == {"k": "v"}
    assert str(row["parent_checkpoint_id"]) == first and row["status"] == "completed"
    stamp = row["timestamp"] if isinstance(row["timestamp"], datetime) else datetime.fromisoformat(row["timestamp"])
    assert stamp.tzinfo is None and abs(stamp - datetime.now()) < timedelta(seconds=30)


def test_deletes_on_the_v001_table(v001_db):
    start = datetime.now().replace(microsecond=0) - timedelta(seconds=30)  # whole seconds: MariaDB's TIMESTAMP
    ids = [ia_insert(v001_db, "t1", step, start + timedelta(seconds=step)) for step in range(4)]
    ia_insert(v001_db, "t2", 0, start)
    checkpointer = SQLCheckpointer(v001_db)
    assert run(checkpointer.delete_checkpoint("t1", ids[0])) is True
    assert run(checkpointer.delete_checkpoint("t1", ids[0])) is False
    assert run(checkpointer.delete_checkpoint("t1", "not-a-uuid")) is False
    assert run(checkpointer.delete_checkpoints("t1", keep_latest=2)) == 1
    assert [c.checkpoint_id for c in run(checkpointer.list_checkpoints("t1"))] == [ids[3], ids[2]]
    assert run(checkpointer.delete_checkpoints("t1", before=(start + timedelta(seconds=2.5)).astimezone(UTC))) == 1
    assert run(checkpointer.delete_checkpoints("t2")) == 1
    assert [c.checkpoint_id for c in run(checkpointer.list_checkpoints("t1"))] == [ids[3]]


def test_bad_input_is_refused_and_writes_nothing(v001_db):
    checkpointer = SQLCheckpointer(v001_db)
    for args in (
        ("t1", "etl", "s", "one", {}),
        ("t1", "etl", "", 0, {}),
        ("t1", "etl", "s", 0, {"x": object()}),
        ("", "etl", "s", 0, {}),
    ):
        with pytest.raises(CheckpointSaveError):
            run(checkpointer.save_checkpoint(*args))
    assert v001_db.fetch_one("SELECT COUNT(*) AS n FROM pipeline_checkpoints")["n"] == 0
