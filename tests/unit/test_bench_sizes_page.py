"""The scale-curve page (bench/sizes_page.py) from split --sizes reports: no database, no timing."""

from memcore.infrastructure.bench import sizes_page


def _report(dialect, workload, size, p50, measured="2026-12-08T03:00:00+00:00", ops=None):
    op = {"name": "get", "p50_ms": p50, "p99_ms": 2 * p50, "ops_per_s": 1000 / p50}
    if ops is not None:
        op["ops"] = ops
    run = {"workload": workload, "size": size, "load_s": 1.0, "peak_rss_mb": 120.0, "operations": [op]}
    return {"dialect": dialect, "ops": 2000, "measured_at": measured, "runs": [run]}


def test_split_reports_merge_into_one_table_per_dialect_with_every_size():
    text = sizes_page.page([_report("sqlite", "memory", 1000, 0.5), _report("sqlite", "memory", 1_000_000, 0.25),
                            _report("sqlite", "chat", 1000, 1.0), _report("mariadb", "memory", 1000, 3.0)])  # fmt: skip
    assert text.count("### ") == 2
    sqlite = text.split("### sqlite")[1].split("### ")[0]
    assert "| operation | 1,000 | 1,000,000 |" in sqlite
    assert "| memory get | 0.5 / 1 / 2,000 | 0.25 / 0.5 / 4,000 |" in sqlite
    assert "| chat get | 1 / 2 / 1,000 | not run |" in sqlite
    assert "| memory | 120 MB, 1 s | 120 MB, 1 s |" in sqlite


def test_a_later_run_of_the_same_size_wins_and_a_cut_short_operation_says_so():
    first = _report("postgresql", "memory", 1000, 9.0, "2026-12-08T03:00:00+00:00")
    again = _report("postgresql", "memory", 1000, 1.0, "2026-12-08T03:10:00+00:00", ops=25)
    text = sizes_page.page([first, again])
    assert "| memory get | 1 / 2 / 1,000 (25 timed) |" in text and "9 / 18" not in text
    assert "2026-12-08T03:00:00+00:00 to 2026-12-08T03:10:00+00:00" in text
