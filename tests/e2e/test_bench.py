"""`memcore bench` as a user runs it: both sides of every phase measured, on real data.

Only the shape and sanity of the report are checked here; speed is never asserted in tests.
"""

import json

import pytest
from sqlalchemy import func, select

from memcore.infrastructure.cli.main import main
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.tables import conflicts
from tests.e2e.cli import bench

PHASE_KEYS = {"name", "ops", "ours_s", "raw_s", "ours_ops_per_s", "raw_ops_per_s", "ratio", "pct_of_raw"}


def test_the_conflicts_benchmark_reports_ours_and_raw_for_every_phase(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    report = bench(capsys, "conflicts", url, 200)
    assert {k: report[k] for k in ("workload", "dialect", "url", "rows", "rounds")} == {
        "workload": "conflicts",
        "dialect": "sqlite",
        "url": url,
        "rows": 200,
        "rounds": 1,
    }
    assert report["python"] and report["sqlalchemy"]
    assert [p["name"] for p in report["phases"]] == ["record", "get", "pending"]
    for phase in report["phases"]:
        assert set(phase) == PHASE_KEYS
        assert all(phase[k] > 0 for k in PHASE_KEYS - {"name"}), phase
        assert phase["ratio"] == pytest.approx(phase["ours_s"] / phase["raw_s"])
        assert phase["pct_of_raw"] == pytest.approx(100 / phase["ratio"])
        assert phase["ours_ops_per_s"] == pytest.approx(phase["ops"] / phase["ours_s"])
    assert report["phases"][0]["ops"] == 200


def test_the_benchmark_leaves_the_recorded_rows_in_the_table(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    assert main(["bench", "--url", url, "--rows", "200", "--rounds", "1", "--json"]) == 0

    engine = build_engine(Settings(url=url))
    try:
        with engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(conflicts)).scalar_one()
            users = connection.execute(select(func.count(conflicts.c.user_id.distinct()))).scalar_one()
    finally:
        engine.dispose()
    assert (count, users) == (200, 200)


def test_an_unknown_workload_is_a_one_line_error(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    code = main(["bench", "--workload", "nope", "--url", url, "--json"])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith("error:") and err.count("\n") == 1
    assert "nope" in err and "conflicts" in err
    assert not (tmp_path / "b.db").exists()


def test_the_benchmark_refuses_a_database_holding_real_conflicts(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"
    add = ["conflicts", "add", "--url", url, "--user", "ann", "--memory-a", "m1", "--memory-b", "m2"]
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main([*add, "--category", "city", "--similarity", "0.8", "--importance", "0.4", "--id", "c-0"]) == 0
    capsys.readouterr()

    code = main(["bench", "--url", url, "--rows", "10", "--rounds", "1", "--json"])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith("error:") and "scratch database" in err
    assert main(["conflicts", "show", "c-0", "--url", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["user_id"] == "ann"
