"""`memcore bench --workload faults` on every dialect, at its smallest scale: the figures that must
be 0 are 0 on memcore's side, and the report is JSON without the database password."""

from __future__ import annotations

import json

from sqlalchemy.engine import make_url

from memcore.infrastructure.cli.main import main
from tests.reliability.test_concurrency import dialect_of

MUST_BE_ZERO = ("ours_lost", "ours_partial", "ours_leaked", "ours_writes_lost")


def test_faults_workload_reports_nothing_lost_partial_or_leaked(database, results, capsys):
    code = main(["bench", "--workload", "faults", "--url", database, "--rows", "1", "--rounds", "1", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    password = make_url(database).password
    assert not password or f":{password}@" not in out
    figures = {k: v for phase in json.loads(out)["phases"] for k, v in phase.items()}
    results.record("bench faults", dialect_of(database), "memcore bench --workload faults --rows 1",
                   **{k: v for k, v in figures.items() if k.startswith(("ours_", "raw_", "inputs"))})  # fmt: skip
    assert {k: figures[k] for k in MUST_BE_ZERO if k in figures} == dict.fromkeys(
        [k for k in MUST_BE_ZERO if k in figures], 0
    )
    assert figures["ours_kills"] == 1 and figures["inputs_tried"] > 0
    if dialect_of(database) != "sqlite":
        assert figures["ours_outages_survived"] == figures["ours_outages"]
