"""The memory metadata filter on PostgreSQL reads through its GIN index (migration 0015); the other
dialects have no such index."""

from sqlalchemy import inspect, select

from memcore.domain.memory.ports import MEMORY_FIELDS, metadata_matches
from memcore.domain.shared.specification import Not
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler
from memcore.infrastructure.sqlalchemy.tables import ltm_entries

INDEX = "ix_ltm_entries_metadata_jsonb"


def _statement(engine, spec):
    columns = {name: ltm_entries.c[name] for name in MEMORY_FIELDS}
    compiler = SpecCompiler(columns, MEMORY_FIELDS, key="key", dialect=engine.dialect.name)
    statement = select(ltm_entries.c.key).where(compiler.where(spec))
    return str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def _plan(engine, sql: str) -> str:
    with engine.begin() as connection:
        # Scans the planner could fall back on are priced out: only an index it can use is left.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
        return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))


def test_the_metadata_filter_is_answered_by_the_gin_index_on_postgresql_only(sql_engine):
    indexes = {ix["name"] for ix in inspect(sql_engine).get_indexes("ltm_entries")}
    if sql_engine.dialect.name != "postgresql":
        assert INDEX not in indexes
        return
    assert INDEX in indexes
    plan = _plan(sql_engine, _statement(sql_engine, metadata_matches({"user": "u1", "kind": "note"})))
    assert INDEX in plan, plan


def test_an_entry_without_metadata_matches_the_negated_filter(sql_engine):
    with sql_engine.begin() as connection:
        connection.execute(ltm_entries.insert(), [
            {"key": "bare", "value": 1, "metadata": None, "created_at": _now(), "updated_at": _now()},
            {"key": "tagged", "value": 2, "metadata": {"user": "u1"}, "created_at": _now(), "updated_at": _now()},
        ])  # fmt: skip
    spec = metadata_matches({"user": "u1"})
    with sql_engine.connect() as connection:
        found = {row[0] for row in connection.exec_driver_sql(_statement(sql_engine, spec))}
        not_found = {row[0] for row in connection.exec_driver_sql(_statement(sql_engine, Not(spec)))}
    assert (found, not_found) == ({"tagged"}, {"bare"})


def _now():
    from datetime import UTC, datetime

    return datetime(2024, 1, 1, tzinfo=UTC)
