"""`memcore bench --workload memory` as a user runs it: store, replace, retrieve and search, ours and raw.

Only the shape and sanity of the report are checked here; speed is never asserted in tests.
"""

import json

import pytest

from memcore.infrastructure.bench.harness import percentile
from memcore.infrastructure.bench.memory_text import KEY_PREFIX, MemoryText
from memcore.infrastructure.cli.main import main
from tests.e2e.cli import bench, bench_args

PHASE_KEYS = {"name", "ops", "ours_s", "raw_s", "ours_ops_per_s", "raw_ops_per_s", "ratio", "pct_of_raw", "target"}
LATENCY_KEYS = {"raw_ops", "ours_p50_ms", "ours_p95_ms", "raw_p50_ms", "raw_p95_ms", "speedup_p50", "note"}


def test_the_memory_benchmark_reports_ours_and_raw_for_every_phase(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    report = bench(capsys, "memory", url, 300)
    assert {k: report[k] for k in ("workload", "dialect", "url", "rows", "rounds")} == {
        "workload": "memory", "dialect": "sqlite", "url": url, "rows": 300, "rounds": 1,
    }  # fmt: skip
    phases = {p["name"]: p for p in report["phases"]}
    assert list(phases) == ["store", "replace", "retrieve", "search", "search_vs_like_top10"]
    assert [phases[name]["ops"] for name in phases] == [300, 300, 300, 1000, 1000]
    for name in ("store", "replace", "retrieve"):
        assert set(phases[name]) == PHASE_KEYS
        assert phases[name]["target"]["metric"] == "pct_of_raw" and phases[name]["target"]["min"] == 50
    search = phases["search"]
    assert set(search) == PHASE_KEYS | LATENCY_KEYS
    assert search["raw_ops"] == 1000 and "LIKE" in search["note"]  # 300 rows: every query scanned
    assert search["target"]["metric"] == "speedup_p50" and search["target"]["min"] == 20
    assert search["speedup_p50"] == pytest.approx(search["raw_p50_ms"] / search["ours_p50_ms"])
    assert search["ours_p50_ms"] <= search["ours_p95_ms"] and search["raw_p50_ms"] <= search["raw_p95_ms"]
    assert set(phases["search_vs_like_top10"]) == PHASE_KEYS - {"target"} | LATENCY_KEYS
    assert "LIMIT 10" in phases["search_vs_like_top10"]["note"] and "LIMIT" not in search["note"]
    for phase in phases.values():
        assert all(phase[k] > 0 for k in ("ours_s", "raw_s", "ratio", "pct_of_raw")), phase
        if "target" in phase:
            assert phase["target"]["met"] == (phase[phase["target"]["metric"]] >= phase["target"]["min"])


def test_both_sides_do_the_same_work_on_every_dialect(sql_engine, capsys):
    url = sql_engine.url.render_as_string(hide_password=False)

    # The harness fails a phase whose sides stored or found different things.
    report = bench(capsys, "memory", url, 200)
    assert (
        report["dialect"]
        == {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mariadb"}[sql_engine.dialect.name]
    )
    assert [p["ops"] for p in report["phases"]] == [200, 200, 200, 1000, 1000]


def test_the_like_scan_is_sampled_at_scale_and_the_report_says_so():
    from memcore.infrastructure.bench.memory import MemoryWorkload

    workload = MemoryWorkload(None, 100_000)
    assert len(workload.queries) == 1000 and len(workload.like_queries) == 200
    assert set(workload.like_queries) <= set(workload.queries)


def test_the_generator_is_deterministic_and_realistic():
    first, again = MemoryText().entries(500), MemoryText().entries(500)
    assert first == again
    keys = [key for key, _, _, _ in first]
    assert len(set(keys)) == 500 and all(key.startswith(KEY_PREFIX) for key in keys)
    kinds = {metadata["kind"] for _, _, metadata, _ in first}
    assert kinds == {"profile", "preference", "summary", "fact", "task", "episode"}
    words = MemoryText().query_words(50)
    text = json.dumps([value for _, value, _, _ in MemoryText().entries(5000)]).lower()
    assert sum(word in text for word in words) >= 45  # query words are words the entries use


def test_percentiles_are_nearest_rank():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert [percentile(values, p) for p in (1, 50, 95, 100)] == [1.0, 3.0, 5.0, 5.0]
    assert percentile([7.0], 50) == 7.0


def test_the_memory_benchmark_refuses_a_database_holding_real_memories(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main(["memory", "put", "user:1:profile", '{"name": "Ann"}', "--url", url]) == 0
    capsys.readouterr()

    code = main(bench_args("memory", url, 10))

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith("error:") and "scratch database" in err
    assert main(["memory", "get", "user:1:profile", "--url", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["value"] == {"name": "Ann"}
