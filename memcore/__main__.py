"""`python -m memcore`: the memcore command."""

from memcore.infrastructure.cli.main import run

run()
