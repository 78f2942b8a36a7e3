"""Hostile values into every `memcore` CLI command, one parameter at a time.

The commands and their parameters are read from the Typer app itself, so a command added later is
covered without editing this file. Each call puts one hostile string into one parameter (argument
or option) and benign values into the others the command needs; `--url` points at the database
under test (it gets hostile values of its own on a few commands). A call is judged by its outcome:
exit 0 is `accepted`, exit 1 (a memcore error) or 2 (a usage error) with a one-line message is
`rejected`, anything else (an exception escaping `main`, a traceback, another exit code, a password
in the output) is `leaked`. Content given as "-" is read from stdin, which gets the hostile value.
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from memcore.errors import InvalidInput
from tests.reliability.hostile import HOSTILE, Tally

SKIPPED = {"bench", "quickstart"}  # measured elsewhere; quickstart writes its own scenario
ARGV_LIMIT = 100_000  # one argument of a process cannot be much longer (MAX_ARG_STRLEN is 128 KiB)


def cli_values() -> dict[str, str]:
    """The hostile table as the strings a shell can pass: numbers spelled out, 100 KB for 10 MB."""
    values: dict[str, str] = {}
    for name, value in HOSTILE.items():
        if isinstance(value, str):
            if "\x00" in value:
                continue  # no process can be given a NUL byte in an argument
            values[name] = value if len(value) <= ARGV_LIMIT else "x" * ARGV_LIMIT
        elif isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
            values[name] = str(value)
    values["NaN"] = "nan"
    values["dict"] = '{"a": 1}'
    values["list"] = '["a"]'
    values["deeply nested"] = '{"d": ' * 2000 + '"bottom"' + "}" * 2000
    values["naive timestamp"] = "2026-01-02T03:04:05"
    values["huge float"] = "1e400"
    values["newline"] = "line one\nline two"
    return values


def benign(url: str, ids: dict[str, str], workdir: Path) -> dict[str, str]:
    """A value each parameter can take, by (command, parameter) or by parameter name."""
    empty = workdir / "empty"
    empty.mkdir(exist_ok=True)
    lines = workdir / "lines.jsonl"
    lines.write_text('{"key": "imported", "value": 1}\n')
    return {
        "revision": "head",
        "url": url,
        "out": str(workdir / "out.archive"),
        "archive": str(workdir / "missing.archive"),
        "source": url,
        "destination": f"sqlite:///{workdir / 'copy.db'}",
        "a": url,
        "b": url,
        "user": "u-cli",
        "memory_a": "a",
        "memory_b": "b",
        "category": "preferences",
        "similarity": "0.9",
        "importance": "0.5",
        "conflict_id": ids["conflict"],
        "decision": "keep_a",
        "idea_id": ids["idea"],
        "path": str(lines),
        "key": "cli-key",
        "value": '"x"',
        "content_hash": "h",
        "size": "1",
        "directory": str(empty),
        "sql": "SELECT 1",
        "user_id": ids["user"],
        "conversation_id": ids["conversation"],
        "content": "hello",
        "external_id": "e-cli",
        "text": "hello",
        "name": "snap",
        "chat start:user": ids["user"],
        "chat list:user": ids["user"],
        "knowledge upsert:source": "s-cli",
        "knowledge import:source": "s-cli",
        "knowledge search:source": "s-cli",
        "knowledge list:source": "s-cli",
        "memory export:path": str(workdir / "export.jsonl"),
        "users delete:user_id": "00000000-0000-4000-8000-000000000000",
        "chat delete:conversation_id": "00000000-0000-4000-8000-000000000000",
        "db import:url": f"sqlite:///{workdir / 'import.db'}",
    }


def commands() -> Iterator[tuple[list[str], list[Any]]]:
    """(the command's words, its parameters) for every leaf command of the app."""
    import typer.main

    from memcore.infrastructure.cli.main import app

    def walk(command: Any, words: list[str]) -> Iterator[tuple[list[str], list[Any]]]:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                if name not in SKIPPED:
                    yield from walk(child, [*words, name])
        else:
            yield words, list(command.params)

    yield from walk(typer.main.get_command(app), [])


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False)) or param.name == "help"


def _argv(words: list[str], params: list[Any], values: dict[str, str], target: str, hostile: str) -> list[str]:
    options: list[str] = []
    positional: list[str] = []
    command = " ".join(words)
    for param in params:
        if _is_flag(param):
            continue
        is_argument = param.param_type_name == "argument"
        if param.name == target:
            value = hostile
        elif param.required or is_argument or param.name == "url":
            value = values.get(f"{command}:{param.name}", values.get(param.name, "x"))
        else:
            continue
        if is_argument:
            positional.append(value)
        else:
            options += [param.opts[0], value]
    return [*words, *options, "--", *positional]


def _slots(params: list[Any]) -> list[str]:
    return [p.name for p in params if not _is_flag(p) and not (p.name == "url" and p.param_type_name == "option")]


def run_cli(
    tally: Tally, url: str, ids: dict[str, str], workdir: Path, capsys: Any, per_slot: int | None = None
) -> None:
    """Every slot of every command gets the hostile values (`per_slot` of them in turn, or all)."""
    from memcore.infrastructure.cli.main import main

    values = benign(url, ids, workdir)
    table = cli_values()
    names = list(table)
    turn = 0

    def invoke(argv: list[str], stdin: str = "") -> Any:
        def call() -> int:
            saved = sys.stdin
            sys.stdin = io.StringIO(stdin)
            try:
                code = main(argv)
            finally:
                sys.stdin = saved
            out, err = capsys.readouterr()
            if argv[:2] == ["db", "downgrade"]:  # put the schema back for the calls after it
                main(["db", "upgrade", "--url", url])
                capsys.readouterr()
            if tally.password and (tally.password in out or tally.password in err):
                raise AssertionError("the database password was printed")
            if code not in (0, 1, 2) or "Traceback" in err:
                raise AssertionError(f"exit {code}: {err[-300:]}")
            if code in (1, 2):
                message = err.strip().splitlines()[-1] if err.strip() else ""
                raise InvalidInput(message)  # judged by Tally: a message must be there
            return code

        return call

    for words, params in commands():
        entry = "cli " + " ".join(words)
        for slot in _slots(params):
            chosen = names if per_slot is None else [names[(turn + i) % len(names)] for i in range(per_slot)]
            turn += per_slot or 0
            for name in chosen:
                tally.call(f"{entry} ({slot})", name, invoke(_argv(words, params, values, slot, table[name])))
        if "--url" in [opt for p in params for opt in p.opts]:
            for name in ("sql fragment", "empty") if per_slot is not None else ("sql fragment", "empty", "600-char id"):
                tally.call(f"{entry} (--url)", name, invoke(_argv(words, params, values, "url", table[name])))
    for name in names if per_slot is None else names[:per_slot]:  # content from stdin
        argv = ["chat", "post", "--url", url, "--", ids["conversation"], "-"]
        tally.call("cli chat post (stdin)", name, invoke(argv, stdin=table[name]))
