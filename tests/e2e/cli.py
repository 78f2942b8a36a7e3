"""Running the `memcore` command in-process, as the e2e tests do."""

import json

from memcore.infrastructure.cli.main import main


def run(capsys, *args):
    """(exit code, stdout, stderr) of `memcore ARGS`."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args):
    """The parsed JSON `memcore ARGS --json` prints; it must succeed."""
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def bench_args(workload, url, rows, rounds=1):
    """`memcore bench` for WORKLOAD on URL, with a JSON report."""
    return ["bench", "--workload", workload, "--url", url, "--rows", str(rows), "--rounds", str(rounds), "--json"]


def bench(capsys, workload, url, rows, rounds=1):
    """The report `memcore bench` prints; it must succeed (the harness fails when ours and raw differ)."""
    code, out, err = run(capsys, *bench_args(workload, url, rows, rounds))
    assert code == 0, err
    return json.loads(out)
