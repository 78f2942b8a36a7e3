"""Running the `memcore` command in-process, as the e2e tests do."""

import json

from infrastructure.cli.main import main


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
