"""`memcore bench --workload ideas` as a user runs it: bulk load, point reads and pages, ours and raw.

Only the shape and sanity of the report are checked here; speed is never asserted in tests.
"""

import json

import pytest
from sqlalchemy import func, select

from memcore.infrastructure.bench.ideas import make_ideas
from memcore.infrastructure.cli.main import main
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.tables import idea_inspiration
from tests.e2e.cli import bench, bench_args

PHASE_KEYS = {"name", "ops", "ours_s", "raw_s", "ours_ops_per_s", "raw_ops_per_s", "ratio", "pct_of_raw"}


def test_the_ideas_benchmark_reports_ours_and_raw_for_every_phase(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    report = bench(capsys, "ideas", url, 300)
    assert {k: report[k] for k in ("workload", "dialect", "url", "rows", "rounds")} == {
        "workload": "ideas",
        "dialect": "sqlite",
        "url": url,
        "rows": 300,
        "rounds": 1,
    }
    assert [p["name"] for p in report["phases"]] == ["bulk_load", "point_read", "filtered_page"]
    for phase in report["phases"]:
        assert set(phase) == PHASE_KEYS
        assert all(phase[k] > 0 for k in PHASE_KEYS - {"name"}), phase
        assert phase["ratio"] == pytest.approx(phase["ours_s"] / phase["raw_s"])
        assert phase["ours_ops_per_s"] == pytest.approx(phase["ops"] / phase["ours_s"])
    assert [p["ops"] for p in report["phases"]] == [300, 300, 30]


def test_the_ideas_benchmark_leaves_the_loaded_ideas_in_the_table(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    bench(capsys, "ideas", url, 300)
    engine = build_engine(Settings(url=url))
    try:
        with engine.connect() as connection:
            count, sources, categories, scored = connection.execute(
                select(
                    func.count(),
                    func.count(idea_inspiration.c.source_id.distinct()),
                    func.count(idea_inspiration.c.category.distinct()),
                    func.count(idea_inspiration.c.score),
                )
            ).one()
    finally:
        engine.dispose()
    assert (count, sources, categories) == (300, 300, 12)
    assert 0 < scored < count  # some ideas have no score
    expected = sum(idea["category"] == "technology" and (idea["score"] or 0) > 80 for idea in make_ideas(300))
    assert main(["ideas", "count", "--url", url, "--category", "technology", "--min-score", "81", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"count": expected}


def test_the_ideas_benchmark_refuses_a_database_holding_real_ideas(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main(["ideas", "add", "--url", url, "--title", "Keep me", "--source-id", "yt:123", "--json"]) == 0
    capsys.readouterr()

    code = main(bench_args("ideas", url, 10))

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith("error:") and "scratch database" in err
    assert main(["ideas", "count", "--url", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"count": 1}
