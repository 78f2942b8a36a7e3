"""`memcore bench --workload copy`: memcore's copy and verification against hand-written ones."""

import pytest

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.bench.copy import CopyWorkload
from tests.e2e.cli import bench


def test_the_copy_benchmark_times_both_copies_and_both_verifications(sql_engine, capsys):
    url = sql_engine.url.render_as_string(hide_password=False)

    report = bench(capsys, "copy", url, 300, rounds=2)

    copy, verify = report["phases"]
    assert (copy["name"], verify["name"]) == ("copy", "verify") and copy["ops"] == 300
    assert copy["ours_peak_rss_growth_mb"] >= 0 and copy["raw_peak_rss_growth_mb"] >= 0
    assert all(phase["ours_s"] > 0 and phase["raw_s"] > 0 for phase in (copy, verify))


def test_the_copy_benchmark_refuses_a_destination_holding_data(tmp_path):
    import memcore

    url = f"sqlite:///{tmp_path / 'held.db'}"
    with memcore.connect(url) as app:
        app.migrate()
        app.handle(memcore.StoreMemory("someone's", 1))
    workload = CopyWorkload(url, 30)
    with pytest.raises(InvalidInput, match=r"holds 1 rows in ltm_entries the benchmark did not write"):
        workload.__enter__()
