"""`memcore bench --sizes` at tiny sizes on every dialect: every workload's bulk loader writes exactly
the rows asked for, and the report holds every operation at every size. Shapes, never speed."""

import json

import pytest

from memcore.infrastructure.bench import sizes, sizes_agents, sizes_more
from memcore.integrations.langgraph import bench_sizes
from tests.e2e.cli import run

OPERATIONS = {
    "conflicts": ["get", "pending", "record"],
    "memory": ["get", "search_filter", "search_filter_none", "store"],
    "ideas": ["get", "page", "add"],
    "chat": ["page", "post"],
    "checkpoints": ["latest", "save"],
    "metrics": ["record", "query_1s", "latest", "aggregate_10s"],
    "sessions": ["add_1", "get_50"],
    "langgraph_saver": ["put", "get_tuple", "list_10"],
    "langgraph_store": ["put", "get", "search_filter"],
}
# What each bulk load wrote, counted after the load (before any timed operation).
LOADED = {
    "conflicts": "SELECT COUNT(*) FROM conflicts",
    "memory": "SELECT COUNT(*) FROM ltm_entries",
    "ideas": "SELECT COUNT(*) FROM idea_inspiration",
    "chat": "SELECT COUNT(*) FROM messages",
    "checkpoints": "SELECT COUNT(*) FROM pipeline_checkpoints",
    "metrics": "SELECT COUNT(*) FROM metric_points",
    "sessions": "SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
    "WHERE c.session_id LIKE 'bench-sized-session-%'",
    "langgraph_saver": "SELECT COUNT(*) FROM langgraph_checkpoints WHERE thread_id LIKE 'bench-sized-%'",
    "langgraph_store": "SELECT COUNT(*) FROM langgraph_store WHERE namespace LIKE 'bench-sized.%'",
}


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_every_workload_is_sized():
    assert list(sizes.size_workloads()) == list(OPERATIONS)


@pytest.mark.parametrize("name", list(LOADED))
def test_the_bulk_loader_loads_exactly_the_size(sql_engine, monkeypatch, name):
    # Chunks of 40 rows, so 237 rows take several transactions and end in a partial one.
    for module in (sizes, sizes_more, sizes_agents, bench_sizes):
        monkeypatch.setattr(module, "CHUNK", 40)
    workload = sizes.size_workloads()[name]
    for size in (237, 90):  # a second, smaller load replaces the first
        with workload(url_of(sql_engine), size) as bench:
            bench.load()
            assert bench._scalar(LOADED[name]) == size
            if name == "sessions":  # sessions of 100 items
                held = "SELECT COUNT(*) FROM conversations WHERE session_id LIKE 'bench-sized-session-%'"
                assert bench._scalar(held) == -(-size // 100)
            bench._clear()
            assert bench._scalar(LOADED[name]) == 0


@pytest.mark.parametrize("name", ["sessions", "langgraph_saver", "langgraph_store"])
def test_the_new_workloads_report_every_operation_at_every_size(sql_engine, capsys, tmp_path, name):
    page = tmp_path / "sizes.md"
    code, out, err = run(capsys, "bench", "--workload", name, "--sizes", "30,150", "--url", url_of(sql_engine),
                         "--json", "--markdown", str(page))  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert [(r["workload"], r["size"]) for r in report["runs"]] == [(name, 30), (name, 150)]
    for r in report["runs"]:
        assert r["peak_rss_mb"] > 0 and r["load_s"] > 0
        assert [op["name"] for op in r["operations"]] == OPERATIONS[name]
        for op in r["operations"]:
            assert sizes.MIN_OPS <= op["ops"] <= sizes.OPS
            assert 0 < op["p50_ms"] <= op["p99_ms"] and op["ops_per_s"] > 0
    assert page.read_text().count("\n| ") == 2 + 2 * len(OPERATIONS[name])
    assert "memcore:memcore@" not in out + page.read_text()


def test_a_slow_operation_stops_at_its_time_budget():
    calls = []
    timed = sizes._timed(calls.append, range(1_000), budget_s=0.0)
    assert timed["ops"] == len(calls) == sizes.MIN_OPS
    assert sizes._timed(calls.append, range(50), budget_s=60.0)["ops"] == 50


def test_a_report_from_before_the_budget_shows_its_operations_count():
    old = {"dialect": "sqlite", "ops": 2000, "runs": [{"workload": "memory", "size": 10, "peak_rss_mb": 1.0,
           "operations": [{"name": "get", "p50_ms": 0.1, "p99_ms": 0.2, "ops_per_s": 9.0}]}]}  # fmt: skip
    assert sizes.rows_of(old)[0]["timed"] == "2,000"
