"""A real graph: interrupted in this process, resumed from a new one on a fresh saver."""

import json
import subprocess
import sys
from pathlib import Path

from langgraph.checkpoint.serde.types import INTERRUPT

from memcore.integrations.langgraph import MemcoreSaver
from tests.integrations.graph_app import QUESTION, build, config

ROOT = Path(__file__).resolve().parents[2]


def test_an_interrupted_graph_resumes_in_a_new_process_with_its_state_and_pending_writes(sql_url, twin, tmp_path):
    counter = tmp_path / "runs.txt"
    with MemcoreSaver.from_conn_string(sql_url) as saver:
        graph = build(saver)
        first = graph.invoke({"steps": [], "counter": str(counter)}, config("t-1"))
        assert [i.value for i in first["__interrupt__"]] == [QUESTION]
        stored = saver.get_tuple(config("t-1"))
        assert {channel for _, channel, _ in stored.pending_writes} >= {INTERRUPT, "steps"}
    assert counter.read_text() == "fast\n"

    resumed = subprocess.run(
        [sys.executable, "-m", "tests.integrations.graph_app", sql_url, "t-1", twin],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    final = json.loads(resumed.stdout)
    assert final["answer"] == "Ada"
    assert sorted(final["steps"][1:3]) == ["ask", "fast"]
    assert (final["steps"][0], final["steps"][-1], len(final["steps"])) == ("start", "hello Ada", 4)
    assert counter.read_text() == "fast\n", "the finished task ran again: its pending write was lost"

    with MemcoreSaver.from_conn_string(sql_url) as saver:
        state = build(saver).get_state(config("t-1"))
        assert state.next == () and state.values["steps"] == final["steps"]
        history = list(saver.list(config("t-1")))
        assert len(history) >= 4 and history[0].checkpoint["id"] == state.config["configurable"]["checkpoint_id"]
