"""No error, traceback, log line, repr, CLI output or benchmark JSON shows a database password.

Everything memcore says while running against a private server whose URL holds servers.PASSWORD,
while failing to reach an unreachable one, and while refused for a wrong password, is collected
and searched for the password (also percent-encoded).
"""

from __future__ import annotations

import logging
import traceback
from urllib.parse import quote

import pytest

import memcore
from memcore import commands as c
from memcore.compat.ltm import SQLAlchemyBackend
from memcore.errors import MemcoreError
from memcore.infrastructure.cli.main import main
from tests.reliability.servers import PASSWORD


def _texts_of(exc: BaseException) -> list[str]:
    return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]


def test_no_output_of_memcore_shows_the_password(private_server, caplog, capsys, results):
    said: list[str] = []
    unreachable = private_server.url.replace(f":{private_server.port}/", ":9/")
    wrong = private_server.url.replace(PASSWORD, f"not-{PASSWORD}")
    caplog.set_level(logging.DEBUG)
    with memcore.connect(private_server.url, echo=True) as app:  # SQL logging on (DB_ECHO)
        said += [repr(app), app.url, repr(app.settings), str(app.settings)]
        app.handle(c.StoreMemory("k", {"v": 1}))
        app.memory.get_value("k")
        for bad in (c.StoreMemory("", 1), c.PostMessage("not-a-uuid", "user", "x")):
            with pytest.raises(MemcoreError) as caught:
                app.handle(bad)
            said += _texts_of(caught.value)
    for url in (unreachable, wrong):
        with pytest.raises(MemcoreError) as caught, memcore.connect(url, lazy_connect=False) as app:
            app.handle(c.StoreMemory("k", 1))
        said += _texts_of(caught.value)
        backend = SQLAlchemyBackend(url, lazy=True)
        said += [repr(backend), backend.masked_url, str(backend.store("k", 1))]
        backend.close()
    for args in (
        ["memory", "put", "--url", private_server.url, "k", '"v"', "--json"],
        ["memory", "get", "--url", unreachable, "k"],
        ["memory", "get", "--url", wrong, "k", "--json"],
        ["bench", "--workload", "conflicts", "--url", private_server.url, "--rows", "50", "--rounds", "1", "--json"],
        # the faults bench: its crash children, connection kills and raw-driver errors report too
        ["bench", "--workload", "faults", "--url", private_server.url, "--rows", "2", "--rounds", "1", "--json"],
        ["bench", "--workload", "faults", "--url", wrong, "--rows", "2", "--rounds", "1", "--json"],
    ):
        main(args)
        out, err = capsys.readouterr()
        said += [out, err]
    said.append(caplog.text)
    secrets = (PASSWORD, quote(PASSWORD, safe=""))
    shown = [text[:300] for text in said if any(secret in text for secret in secrets)]
    results.record("secrets", private_server.kind, "errors, tracebacks, logs, reprs, CLI, bench JSON",
                   outputs_searched=len(said), log_records=len(caplog.records), secrets_shown=len(shown))  # fmt: skip
    assert shown == []
