"""Hostile input through the chat, ideas, conflict-store, checkpointer and catalog drop-ins and
through every CLI command, on every dialect: exact round trip or a typed memcore error, never a
raw driver exception, a crash or a partial batch. Figures go to the results file per entry point."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import make_url

import memcore
from memcore import commands as c
from tests.reliability import hostile_drop_ins
from tests.reliability.conftest import FULL
from tests.reliability.hostile import Tally
from tests.reliability.hostile_cli import run_cli
from tests.reliability.test_concurrency import dialect_of

DROP_INS = ("chat", "ideas", "conflicts", "checkpoints", "catalog")


def _password(url: str) -> str | None:
    """The password as a URL shows it (":secret@"): the bare word may be the user's or database's name too."""
    password = make_url(url).password
    return f":{password}@" if password else None


def _record(tally: Tally, results, database: str, case: str) -> None:
    results.record("hostile input", dialect_of(database), case, **tally.totals())
    for entry, row in sorted(tally.rows.items()):
        results.record("hostile input per entry point", dialect_of(database), entry, **row)
    if os.environ.get("MEMCORE_HOSTILE_LEAKS"):
        with open(os.environ["MEMCORE_HOSTILE_LEAKS"], "a", errors="backslashreplace") as out:
            out.write("".join(f"{dialect_of(database)} {leak}\n" for leak in tally.leaks))


@pytest.mark.parametrize("drop_in", DROP_INS)
def test_hostile_values_through_the_drop_ins(database, drop_in, results):
    tally = Tally(_password(database))
    getattr(hostile_drop_ins, drop_in)(database, tally)
    _record(tally, results, database, f"drop-in {drop_in}")
    assert tally.leaks == [], "\n".join(tally.leaks[:40])


def test_hostile_values_through_every_cli_command(database, results, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a hostile path lands here, if anywhere
    with memcore.connect(database) as app:
        ids = {
            "conflict": app.handle(c.RecordConflict("u-cli", "a", "b", "preferences", 0.9, 0.5)),
            "idea": str(app.handle(c.AddIdea({"title": "cli idea", "source_id": "cli-idea"}))),
            "user": str(app.handle(c.CreateUser(external_id="cli-user")).id),
        }
        ids["conversation"] = str(app.handle(c.StartConversation(title="cli")).id)
    tally = Tally(_password(database))
    try:
        run_cli(tally, database, ids, tmp_path, capsys, per_slot=None if FULL else 2)
    finally:
        with memcore.connect(database) as app:
            app.migrate()  # `db downgrade` with a hostile revision may have reverted the schema
    _record(tally, results, database, "every CLI command")
    assert tally.leaks == [], "\n".join(tally.leaks[:40])
