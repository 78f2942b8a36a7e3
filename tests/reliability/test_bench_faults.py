"""`memcore bench --workload faults` on every dialect, at its smallest scale: every crash context,
the hostile values and (on the servers) connection kills idle and under load, with the figures
that must be 0 at 0 on memcore's side, and the report JSON without the database password."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from memcore.infrastructure.bench.fault_crash import BATCH
from memcore.infrastructure.cli.main import main
from tests.reliability.test_concurrency import dialect_of

MUST_BE_ZERO = ("ours_lost", "ours_partial", "ours_gaps", "ours_integrity_failures", "ours_leaked",
                "ours_writes_lost", "ours_unrecovered", "ours_untyped_errors")  # fmt: skip


# The figures results.md shows per kind of phase: memcore's under their plain names (so the ones
# that must be 0 are checked there too), the raw driver's prefixed raw_.
SHOWN = {
    "crash": ("kills", "acked_batches", "lost", "partial", "gaps", "integrity_failures", "raw_lost", "raw_partial"),
    "hostile": ("inputs_tried", "accepted", "rejected", "leaked", "raw_driver_exceptions"),
    "servers": ("outages", "outages_survived", "kills", "restarts", "connections_killed", "calls_ok", "failed_calls",
                "commit_unknown", "outage_s", "time_to_recover_s", "unrecovered", "writes_lost", "untyped_errors",
                "raw_failed_calls", "raw_time_to_recover_s", "raw_writes_lost"),
}  # fmt: skip


def record(results, dialect: str, name: str, phase: dict) -> None:
    kind = "crash" if name.startswith("crash") else "hostile" if name.startswith("hostile") else "servers"
    figures = {}
    for shown in SHOWN[kind]:
        key = shown if shown.startswith(("raw_", "inputs")) else f"ours_{shown}"
        if key in phase:
            figures[shown] = phase[key]
    results.record(f"bench faults: {kind}", dialect, f"{name} (--rows 1)", **figures)


def test_faults_workload_reports_nothing_lost_partial_or_leaked(database, results, capsys):
    code = main(["bench", "--workload", "faults", "--url", database, "--rows", "1", "--rounds", "1", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    password = make_url(database).password
    assert not password or f":{password}@" not in out
    phases = {phase["name"]: phase for phase in json.loads(out)["phases"]}
    dialect = dialect_of(database)
    expected = {f"crash {context}" for context in BATCH} | {"hostile input"}
    if dialect != "sqlite":
        expected |= {"connection kill", "connection kill under load"}
    assert set(phases) == expected
    for name, phase in phases.items():
        record(results, dialect, name, phase)
        assert {k: phase[k] for k in MUST_BE_ZERO if k in phase} == {k: 0 for k in MUST_BE_ZERO if k in phase}, name
    for context in BATCH:
        assert phases[f"crash {context}"]["ours_kills"] == 1
    assert phases["hostile input"]["inputs_tried"] > 0
    if dialect != "sqlite":
        assert phases["connection kill"]["ours_outages_survived"] == phases["connection kill"]["ours_outages"]
        assert phases["connection kill under load"]["ours_connections_killed"] > 0


def test_faults_workload_leaves_no_rows_behind(database, capsys):
    main(["bench", "--workload", "faults", "--url", database, "--rows", "1", "--rounds", "1", "--json"])
    capsys.readouterr()
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("idea_inspiration", "conflicts", "ltm_entries", "knowledge_chunks", "messages",
                                    "conversations", "pipeline_checkpoints")}  # fmt: skip
    finally:
        engine.dispose()
    assert counts == dict.fromkeys(counts, 0)


def test_faults_workload_restarts_a_server_where_it_may(private_server, results, capsys, monkeypatch):
    """With MEMCORE_BENCH_RESTART (here: a restart of the private server), the bench restarts the
    server under load: memcore recovers by itself and loses no acknowledged write."""
    import shlex
    import sys
    from pathlib import Path

    from tests.reliability.servers import PASSWORD

    repository = Path(__file__).resolve().parents[2]
    command = f"cd {shlex.quote(str(repository))} && {shlex.quote(sys.executable)} -m tests.reliability.servers"
    monkeypatch.setenv("MEMCORE_BENCH_RESTART", f"{command} restart {private_server.kind}")
    url = private_server.url
    code = main(["bench", "--workload", "faults", "--url", url, "--rows", "1", "--rounds", "1", "--json"])
    out = capsys.readouterr().out
    assert code == 0 and PASSWORD not in out
    phase = {p["name"]: p for p in json.loads(out)["phases"]}["server restart under load"]
    record(results, private_server.kind, "server restart under load", phase)
    assert phase["ours_restarts"] == 1
    assert (phase["ours_writes_lost"], phase["ours_unrecovered"], phase["ours_untyped_errors"]) == (0, 0, 0)


def test_the_bench_keeps_its_books_when_its_own_connection_is_ended_from_outside(private_server):
    """The bench counts and cleans up on one connection of its own; when something outside ends it
    (here every connection of the user is killed), it opens a new one and goes on. It never kills
    that connection itself."""
    from memcore.infrastructure.bench.faults import FaultsWorkload

    with FaultsWorkload(private_server.url, 1) as bench:
        first = bench._own_pid()
        assert private_server.kill_connections() >= 1
        assert bench._exec("SELECT 1") == [(1,)]
        second = bench._own_pid()
        assert second != first
        assert bench._kill(second) is False  # its own: spared
        assert bench._own_pid() == second
