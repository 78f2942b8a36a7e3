"""The saver's repeated reads on an SQLite file, answered from the rows kept while PRAGMA data_version holds
(versioned.py): every change by another connection, process or this saver is seen at once."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from langgraph.checkpoint.base import empty_checkpoint

from memcore.infrastructure.sqlalchemy import tables
from memcore.integrations.langgraph import MemcoreSaver
from memcore.integrations.langgraph.versioned import versioned_ok

ROOT = Path(__file__).resolve().parents[2]


def cfg(thread_id: str = "t") -> dict:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}


def put(saver: MemcoreSaver, step: int, config: dict | None = None) -> dict:
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = {"step": step}
    return saver.put(config or cfg(), checkpoint, {"source": "loop", "step": step}, {})


@pytest.fixture
def path(tmp_path):
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    with MemcoreSaver.from_conn_string(url) as saver:
        saver.setup()
    return tmp_path / "graph.db"


def step_of(saver: MemcoreSaver) -> int | None:
    found = saver.get_tuple(cfg())
    return None if found is None else found.checkpoint["channel_values"]["step"]


def test_a_file_is_versioned_and_memory_is_not(path):
    with MemcoreSaver.from_conn_string(f"sqlite:///{path}") as saver:
        assert saver._versioned is not None and versioned_ok(saver._reader)
    for url in ("sqlite://", "sqlite:///:memory:"):
        with MemcoreSaver.from_conn_string(url) as saver:
            tables.metadata.create_all(saver.db.engine)  # the same in-memory database as the saver's
            assert saver._versioned is None
            put(saver, 1)
            assert step_of(saver) == 1
            put(saver, 2, saver.get_tuple(cfg()).config)
            assert step_of(saver) == 2


def test_another_saver_s_put_and_writes_are_seen_by_a_reader_that_kept_rows(path):
    url = f"sqlite:///{path}"
    with MemcoreSaver.from_conn_string(url) as reader, MemcoreSaver.from_conn_string(url) as writer:
        first = put(writer, 1)
        assert step_of(reader) == 1 and step_of(reader) == 1  # the second answered from the kept rows
        assert reader.get_tuple(cfg()).pending_writes == []
        writer.put_writes(first, [("step", 5)], "task-1")
        assert reader.get_tuple(cfg()).pending_writes == [("task-1", "step", 5)]
        put(writer, 2, first)
        assert step_of(reader) == 2
        assert [t.checkpoint["channel_values"]["step"] for t in reader.list(cfg())] == [2, 1]
        writer.delete_thread("t")
        assert step_of(reader) is None and list(reader.list(cfg())) == []


def test_a_change_from_another_process_is_seen(path):
    with MemcoreSaver.from_conn_string(f"sqlite:///{path}") as saver:
        put(saver, 1)
        assert step_of(saver) == 1
        script = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('DELETE FROM langgraph_checkpoints'); c.commit()"
        )
        done = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert step_of(saver) is None


def test_a_raw_update_on_another_connection_is_seen(path):
    with MemcoreSaver.from_conn_string(f"sqlite:///{path}") as saver:
        put(saver, 1)
        assert saver.get_tuple(cfg()).metadata["step"] == 1
        with sqlite3.connect(path) as raw:
            raw.execute("""UPDATE langgraph_checkpoints SET metadata = '{"step":7}'""")
        assert saver.get_tuple(cfg()).metadata == {"step": 7}


def test_the_saver_s_own_writes_are_seen_and_kept_rows_are_never_shared(path):
    with MemcoreSaver.from_conn_string(f"sqlite:///{path}") as saver:
        config = put(saver, 1)
        got = saver.get_tuple(cfg())
        got.checkpoint["channel_values"]["step"] = 99
        got.metadata["step"] = 99
        assert step_of(saver) == 1 and saver.get_tuple(cfg()).metadata["step"] == 1
        put(saver, 2, config)
        assert step_of(saver) == 2


def test_list_in_one_statement_gives_what_the_two_statement_path_gives(sql_url):
    """One thread's list without a filter reads checkpoints and writes together (not on MariaDB);
    a filter every checkpoint passes takes the two-statement path: the same tuples, same order."""
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        saver.setup()
        saver.delete_thread("one-statement")
        config = {"configurable": {"thread_id": "one-statement", "checkpoint_ns": "ns"}}
        for step in range(4):
            config = put(saver, step, config)
            for task, path in (("task-b", "~b"), ("task-a", "~b"), ("task-c", "~a")):
                saver.put_writes(config, [("step", step), ("other", task)], task, path)
        wanted = {"configurable": {"thread_id": "one-statement", "checkpoint_ns": "ns"}}
        for limit in (None, 2):
            one = list(saver.list(wanted, limit=limit))
            two = list(saver.list(wanted, limit=limit, filter={"source": "loop"}))
            assert [t.checkpoint["id"] for t in one] == [t.checkpoint["id"] for t in two]
            assert [t.pending_writes for t in one] == [t.pending_writes for t in two]
            assert [(t.config, t.parent_config, t.metadata) for t in one] == [
                (t.config, t.parent_config, t.metadata) for t in two
            ]
            assert len(one) == (limit or 4) and len(one[0].pending_writes) == 6
            assert [w[0] for w in one[0].pending_writes] == ["task-c"] * 2 + ["task-a"] * 2 + ["task-b"] * 2
        saver.delete_thread("one-statement")


def test_rows_kept_on_one_connection_are_not_trusted_on_the_next(tmp_path):
    """data_version counts per connection: after the reader's connection is renewed, an equal
    number proves nothing, so the rows are read again."""
    from memcore.integrations.langgraph.versioned import VersionedReads

    class Reader:  # a FastReader whose version never moves and whose connection is renewed
        def __init__(self) -> None:
            self.conn, self.reads = object(), 0

        def first(self, sql, args):
            return (1,)

        def all(self, sql, args):
            self.reads += 1
            return [(self.reads,)]

        def connection(self):
            return self.conn

    reader = Reader()
    reads = VersionedReads(reader)  # type: ignore[arg-type]
    reads.all("q", ())  # first read: no version asked
    assert reads.all("q", ()) == [(2,)]
    assert reads.all("q", ()) == [(2,)]  # same connection, same version: kept
    reader.conn = object()  # a reconnect
    assert reads.all("q", ()) == [(3,)]
