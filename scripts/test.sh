#!/usr/bin/env bash
# Installs memcore with its test tools, starts PostgreSQL and MariaDB on loopback, then runs the
# linters and the whole test suite on SQLite, PostgreSQL and MariaDB. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[dev]"
eval "$(bash scripts/servers.sh)"

ruff check .
lint-imports
# Exit code 5 (no tests collected) fails the run like any other failure.
python3 -m pytest "$@"
