"""`memcore bench --workload sql`: both sides of every phase, sync and asyncio, on real data."""

from memcore.infrastructure.cli.main import main
from memcore.infrastructure.sqlalchemy.database import Database
from tests.e2e.cli import bench, bench_args

PHASES = ["execute_many", "fetch_one", "fetch_all", "async_execute_many", "async_fetch_one", "async_fetch_all"]


def test_the_sql_benchmark_reports_ours_and_raw_for_every_phase_and_drops_its_table(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    report = bench(capsys, "sql", url, 300)
    assert (report["workload"], report["dialect"], report["rows"]) == ("sql", "sqlite", 300)
    assert [p["name"] for p in report["phases"]] == PHASES
    assert all(p["ours_s"] > 0 and p["raw_s"] > 0 for p in report["phases"])
    with Database(url) as db:
        assert not db.table_exists("bench_sql_items")


def test_the_sql_benchmark_refuses_a_table_holding_someone_elses_rows(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"
    with Database(url) as db:
        db.execute("CREATE TABLE bench_sql_items (id INTEGER PRIMARY KEY, name VARCHAR(64))")
        db.execute("INSERT INTO bench_sql_items (id, name) VALUES (1, 'precious')")

    code = main(bench_args("sql", url, 10))

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert "scratch database" in err
    with Database(url) as db:
        assert db.fetch_value("SELECT name FROM bench_sql_items") == "precious"
