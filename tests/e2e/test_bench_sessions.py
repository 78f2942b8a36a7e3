"""`memcore bench --workload sessions|metrics` as a user runs them; the shape of the report only,
never speed. The harness itself fails a phase whose two sides did different work."""

from tests.e2e.cli import bench

PHASE_KEYS = {"name", "ops", "ours_s", "raw_s", "ours_ops_per_s", "raw_ops_per_s", "ratio", "pct_of_raw"}
SESSION_PHASES = ["add_items_x1_vs_sdk", "add_items_x10_vs_sdk", "get_items_50_vs_sdk",
                  "add_items_x1_vs_raw", "add_items_x10_vs_raw", "get_items_50_vs_raw"]  # fmt: skip


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_the_sessions_benchmark_runs_beside_the_agents_sdk_on_every_dialect(sql_engine, capsys):
    report = bench(capsys, "sessions", url_of(sql_engine), 100)
    phases = {p["name"]: p for p in report["phases"]}
    assert list(phases) == SESSION_PHASES
    assert [p["ops"] for p in phases.values()] == [100, 10, 25, 100, 10, 25]
    for name, phase in phases.items():
        assert set(phase) >= PHASE_KEYS and all(phase[k] > 0 for k in ("ours_s", "raw_s", "ratio"))
        if name.endswith("_vs_sdk"):
            assert phase["target"]["min"] == 300 and "SQLAlchemySession" in phase["note"]
            assert phase["target"]["met"] == (phase["pct_of_raw"] >= 300)


def test_the_metrics_benchmark_ingests_and_aggregates_on_every_dialect(sql_engine, capsys):
    report = bench(capsys, "metrics", url_of(sql_engine), 3000, rounds=2)
    ingest, aggregate = report["phases"]
    assert (ingest["name"], ingest["ops"], ingest["target"]["min"]) == ("ingest_batch_1000", 3000, 80)
    assert (aggregate["name"], aggregate["ops"]) == ("aggregate_1m", 1) and "3,000 points" in aggregate["note"]
