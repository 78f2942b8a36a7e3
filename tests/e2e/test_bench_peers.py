"""`memcore bench --vs-peers` and `--sizes` as a user runs them, at tiny sizes: the shape of the
reports and the pages they write, never speed."""

import json
import sys

import pytest

from tests.e2e.cli import run
from tests.e2e.test_bench_sizes import OPERATIONS as SIZED_OPERATIONS

OPERATIONS = {
    "conflicts": ["conflicts_add", "conflicts_get", "conflicts_pending"],
    "memory": ["memory_put", "memory_get", "memory_search_filter"],
    "sessions": ["add_items_x1_vs_sdk", "add_items_x10_vs_sdk", "get_items_50_vs_sdk"],
}


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def sqlite_engine(engines):
    return engines["sqlite"]


def test_every_peer_runs_beside_memcore_or_says_why_not(sql_engine, capsys, tmp_path):
    page = tmp_path / "peers.md"
    code, out, err = run(capsys, "bench", "--vs-peers", "--url", url_of(sql_engine), "--rows", "60",
                         "--rounds", "1", "--json", "--markdown", str(page))  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    groups = {g["group"]: g for g in report["groups"]}
    assert list(groups) == list(OPERATIONS)
    mariadb = report["dialect"] == "mariadb"
    unavailable = {"conflicts", "memory"} if mariadb else set()
    for name, group in groups.items():
        if name in unavailable:
            assert group["status"] == "unavailable" and group["reason"] and "phases" not in group
            continue
        assert group["status"] == "ran"
        assert [p["name"] for p in group["phases"]] == OPERATIONS[name]
        for phase in group["phases"]:
            speedup = phase["ours_ops_per_s"] / phase["raw_ops_per_s"]
            assert phase["memcore_vs_peer"] == pytest.approx(speedup)
    text = page.read_text()
    assert "| dialect | operation |" in text and "memcore/peer" in text
    assert ("not run:" in text) == mariadb
    assert "password" not in text and "memcore:memcore@" not in text


def test_a_missing_peer_is_an_error_naming_the_bench_extra(sqlite_engine, capsys, monkeypatch):
    for module in ("casual_memory", "casual_memory.models", "casual_memory.storage.conflicts.sqlalchemy"):
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed: importing it fails
    code, _out, err = run(capsys, "bench", "--vs-peers", "--peers", "conflicts", "--url", url_of(sqlite_engine),
                          "--rows", "10", "--rounds", "1")  # fmt: skip
    assert code == 1 and "memcore[bench]" in err


def test_the_scale_curves_report_p50_p99_and_throughput_per_size(sql_engine, capsys, tmp_path):
    page = tmp_path / "sizes.md"
    code, out, err = run(capsys, "bench", "--workload", "all", "--sizes", "50,200", "--url", url_of(sql_engine),
                         "--json", "--markdown", str(page))  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    runs = [(r["workload"], r["size"]) for r in report["runs"]]
    names = list(SIZED_OPERATIONS)
    assert runs == [(name, size) for name in names for size in (50, 200)]
    for r in report["runs"]:
        assert r["peak_rss_mb"] > 0 and r["load_s"] > 0
        for op in r["operations"]:
            assert 0 < op["p50_ms"] <= op["p99_ms"] and op["ops_per_s"] > 0
    ops = sum(len(names) for names in SIZED_OPERATIONS.values())
    assert page.read_text().count("\n| ") == 2 + 2 * ops  # head, rule, one row per op and size


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sizes", "10,x"], "whole numbers"),
        (["--sizes", "0"], "at least 1"),
        (["--plot", "p.png"], "--sizes"),
        (["--vs-peers", "--peers", "nope"], "unknown peer group"),
        (["--markdown", "p.md"], "--vs-peers or --sizes"),
        (["--workload", "nope", "--sizes", "10"], "unknown sized workload"),
    ],
)
def test_bad_bench_options_are_refused_before_anything_runs(sqlite_engine, capsys, args, message):
    code, _out, err = run(capsys, "bench", "--url", url_of(sqlite_engine), *args)
    assert code == 1 and message in err


def test_the_scale_curves_plot_is_a_png(sqlite_engine, capsys, tmp_path):
    plot = tmp_path / "sizes.png"
    code, _out, err = run(capsys, "bench", "--workload", "conflicts", "--sizes", "20,40",
                          "--url", url_of(sqlite_engine), "--plot", str(plot))  # fmt: skip
    assert code == 0, err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_missing_matplotlib_is_an_error_naming_the_plot_extra(sqlite_engine, capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _out, err = run(capsys, "bench", "--workload", "conflicts", "--sizes", "20",
                          "--url", url_of(sqlite_engine), "--plot", str(tmp_path / "p.png"))  # fmt: skip
    assert code == 1 and "memcore[plot]" in err
