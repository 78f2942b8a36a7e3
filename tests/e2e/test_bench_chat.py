"""`memcore bench --workload chat` as a user runs it, at a tiny size: the report's shape, the work done.

Speed is never asserted in tests; the benchmark itself is how memcore measures it.
"""

import pytest
from sqlalchemy import func, select

from memcore.infrastructure.cli.main import main
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.sqlalchemy.tables import conversations, knowledge_chunks, messages, users
from tests.e2e.cli import bench, bench_args

PHASE_KEYS = {"name", "ops", "ours_s", "raw_s", "ours_ops_per_s", "raw_ops_per_s", "ratio", "pct_of_raw"}


def test_the_chat_benchmark_reports_ours_and_raw_for_every_phase(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    report = bench(capsys, "chat", url, 400, rounds=2)
    assert (report["workload"], report["dialect"], report["rows"], report["rounds"]) == ("chat", "sqlite", 400, 2)
    assert [(p["name"], p["ops"]) for p in report["phases"]] == [
        ("post_message", 400),  # across 4 conversations
        ("page_messages", 1),  # a 50-message conversation, 50 at a time
        ("upsert_insert", 200),
        ("upsert_update", 200),
    ]
    for phase in report["phases"]:
        assert set(phase) == PHASE_KEYS
        assert all(phase[k] > 0 for k in PHASE_KEYS - {"name"}), phase
        assert phase["ratio"] == pytest.approx(phase["ours_s"] / phase["raw_s"])


def test_the_chat_benchmark_leaves_its_second_pass_of_chunks_and_its_long_conversation(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"

    bench(capsys, "chat", url, 1000)
    engine = build_engine(Settings(url=url))
    try:
        with engine.connect() as connection:
            chunks, revised = connection.execute(
                select(func.count(), func.count().filter(knowledge_chunks.c.content.like("%Revised in revision 2.")))
            ).one()
            in_chat = connection.execute(select(func.count()).select_from(messages)).scalar_one()
            (chats,) = connection.execute(select(func.count()).select_from(conversations)).one()
            (people,) = connection.execute(select(func.count()).select_from(users)).one()
    finally:
        engine.dispose()
    assert (chunks, revised) == (500, 500)  # every chunk was updated by the second pass
    assert (chats, in_chat, people) == (1, 100, 100)  # the paged conversation is the last chat phase's


def test_the_chat_benchmark_refuses_a_database_holding_real_users(tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/b.db"
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main(["users", "create", "--url", url, "--external-id", "auth0|real", "--json"]) == 0
    capsys.readouterr()

    code = main(bench_args("chat", url, 10))

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith("error:") and "scratch database" in err and "1 users" in err
    assert main(["users", "get", "--external-id", "auth0|real", "--url", url, "--json"]) == 0
