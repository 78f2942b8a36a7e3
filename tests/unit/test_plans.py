"""Plans (infrastructure/sqlalchemy/plans.py): driven the same on a sync and an async database."""

import asyncio
from contextlib import asynccontextmanager, contextmanager

import pytest

from memcore.domain.shared.errors import TransactionConflict
from memcore.infrastructure.sqlalchemy import plans


class Recorder:
    """A database that answers every statement with its number and logs what happens."""

    def __init__(self, fail: int = 0) -> None:
        self.log: list[str] = []
        self.fail = fail

    def fetch_value(self, sql, params):
        self.log.append(sql)
        if self.fail:
            self.fail -= 1
            raise TransactionConflict("deadlock")
        return len(self.log)

    @contextmanager
    def transaction(self):
        self.log.append("BEGIN")
        try:
            yield
        except BaseException:
            self.log.append("ROLLBACK")
            raise
        self.log.append("COMMIT")


class AsyncRecorder(Recorder):
    async def fetch_value(self, sql, params):
        return Recorder.fetch_value(self, sql, params)

    @asynccontextmanager
    async def transaction(self):
        with Recorder.transaction(self):
            yield


def two_reads():
    first = yield ("fetch_value", "one", None)
    second = yield ("fetch_value", "two", None)
    return first, second


def rolled_back():
    yield ("fetch_value", "one", None)
    raise plans.Rollback("undone")


def carry_out(db, make, write):
    if isinstance(db, AsyncRecorder):
        return asyncio.run(plans.run_async(db, make, write))
    return plans.run(db, make, write)


@pytest.fixture(params=[Recorder, AsyncRecorder], ids=["sync", "async"])
def kind(request):
    return request.param


def test_a_read_plan_runs_without_a_transaction(kind):
    db = kind()
    assert carry_out(db, two_reads, write=False) == (1, 2)
    assert db.log == ["one", "two"]


def test_a_write_plan_runs_in_one_transaction(kind):
    db = kind()
    assert carry_out(db, two_reads, write=True) == (2, 3)
    assert db.log == ["BEGIN", "one", "two", "COMMIT"]


def test_rollback_undoes_the_plan_and_returns_its_value(kind):
    db = kind()
    assert carry_out(db, rolled_back, write=True) == "undone"
    assert db.log == ["BEGIN", "one", "ROLLBACK"]


def test_an_aborted_transaction_runs_the_plan_again_from_the_start(kind):
    db = kind(fail=2)
    assert carry_out(db, two_reads, write=True) == (8, 9)
    assert db.log == ["BEGIN", "one", "ROLLBACK"] * 2 + ["BEGIN", "one", "two", "COMMIT"]


def test_retries_end_with_the_error(kind):
    db = kind(fail=plans.ATTEMPTS)
    with pytest.raises(TransactionConflict):
        carry_out(db, two_reads, write=True)
    assert db.log.count("BEGIN") == plans.ATTEMPTS
