#!/usr/bin/env bash
# Installs memcore with its test tools, starts PostgreSQL and MariaDB on loopback, then runs the
# linters and the whole test suite on SQLite, PostgreSQL and MariaDB. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[dev]"
eval "$(bash scripts/servers.sh)"

ruff check .
lint-imports
# Exit code 5 (no tests collected) fails the run like any other failure. The tests run on
# MEMCORE_TEST_WORKERS pytest-xdist workers (3 by default; 0 runs them in this process), each with
# databases of its own; the reliability suite stays together on one worker (tests/conftest.py).
python3 -m pytest -n "${MEMCORE_TEST_WORKERS:-3}" --dist loadgroup "$@"
