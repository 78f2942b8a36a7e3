"""SQL the memory context shares between its repositories and views.

- `metadata_has()` filters compiled per dialect, with the fake's semantics (types kept apart, numbers
  by value, a scalar never matching an array or object):
  PostgreSQL `metadata::jsonb @> {key: value}` (jsonb containment of a scalar member is equality;
  GIN-indexed, migration 0015);
  MariaDB `JSON_CONTAINS` (both documents are written by Python's encoder, so strings compare as
  the same escaped text) plus a check that the member is not an array or object, which
  JSON_CONTAINS would search inside; SQLite `json_each` on both documents, comparing type and atom.
- `Upsert`: create-or-replace in one statement, telling which happened, on a DB-API cursor of the
  transaction: PostgreSQL `ON CONFLICT DO UPDATE ... RETURNING (xmax = 0)`; MariaDB
  `ON DUPLICATE KEY UPDATE` whose update branch sets `LAST_INSERT_ID(1)` (the insert branch leaves
  the statement's insert id at 0); SQLite `ON CONFLICT DO NOTHING`, then an UPDATE when nothing was
  inserted (SQLite holds the write lock by then, and the rowcount says exactly what happened, which
  an upsert's RETURNING cannot tell when the clock repeats itself).
"""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, Table, and_, case, cast, exists, false, func, literal_column, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm.util import identity_key

from memcore.domain.memory.ports import MetadataEquals, check_query
from memcore.domain.shared.specification import Query, Specification
from memcore.infrastructure.sqlalchemy.fastpath import RowCodec
from memcore.infrastructure.sqlalchemy.repositories.base import SqlAlchemyRepository
from memcore.infrastructure.sqlalchemy.specifications import SpecCompiler, to_sql

Execute = Callable[[str, Sequence[Any]], Any]


@to_sql.register
def _(spec: MetadataEquals, compiler: SpecCompiler) -> ColumnElement[bool]:
    column = compiler.column(spec.field)
    document = compiler.param(spec.value, String())
    if compiler.dialect == "postgresql":
        # Never NULL (NOT must see false), and without coalesce() around it, so the planner can use
        # the GIN index on metadata::jsonb (migration 0015).
        return and_(column.is_not(None), cast(column, JSONB).op("@>", is_comparison=True)(cast(document, JSONB)))
    if compiler.dialect in ("mysql", "mariadb"):
        member = func.json_extract(column, func.concat("$.", func.json_extract(func.json_keys(document), "$[0]")))
        scalar = and_(func.json_contains(column, document) == 1, func.json_type(member) != "ARRAY",
                      func.json_type(member) != "OBJECT")  # fmt: skip
        return func.coalesce(scalar, false())
    return _sqlite_member_equals(column, document)


def _numeric(kind: Any) -> ColumnElement[bool]:
    return kind.in_([literal_column("'integer'"), literal_column("'real'")])


def _sqlite_member_equals(column: Any, document: Any) -> ColumnElement[bool]:
    """SQLite: `metadata[key] == value`, where `document` is {key: value}.

    The member is read by path (json_type/json_extract parse the row's text once each, a few times
    cheaper than walking it with json_each); the path, the wanted type and value come from the
    document in uncorrelated subqueries, which SQLite evaluates once per statement. Only a key of
    plain printable ASCII without a double quote or backslash can be written as a path that finds
    it: SQLite (3.40) compares a path with the stored key's text as written, and the stored JSON
    escapes non-ASCII characters ("\\u00fc"). Any other key takes the json_each walk. Never NULL."""
    want = func.json_each(document).table_valued("key", "type", "atom")
    quote = literal_column("'\"'", String())
    path = select(literal_column("'$.\"'", String()).concat(want.c.key).concat(quote)).scalar_subquery()
    backslash = literal_column("'\\'", String())
    odd = case((want.c.key.op("GLOB")(literal_column("'*[^ -~]*'", String())), 1), else_=0)
    unwritable = select(func.instr(want.c.key, quote) + func.instr(want.c.key, backslash) + odd).scalar_subquery()
    wanted_type = select(want.c.type).scalar_subquery()
    wanted = select(want.c.atom).scalar_subquery()
    kind = func.json_type(column, path)
    same_value = func.json_extract(column, path) == wanted
    by_path = case(
        (wanted_type == literal_column("'null'"), kind == literal_column("'null'")),
        (_numeric(wanted_type), and_(_numeric(kind), same_value)),
        else_=and_(kind == wanted_type, same_value),
    )
    return case((unwritable == 0, func.coalesce(by_path, false())), else_=_sqlite_walk(column, document))


def _sqlite_walk(column: Any, document: Any) -> ColumnElement[bool]:
    have = func.json_each(column).table_valued("key", "type", "atom").alias("have")
    want = func.json_each(document).table_valued("key", "type", "atom").alias("want")
    same = and_(
        have.c.key == want.c.key,
        or_(have.c.type == want.c.type, and_(_numeric(have.c.type), _numeric(want.c.type))),
        or_(have.c.type == "null", have.c.atom == want.c.atom),
    )
    return exists(select(literal_column("1")).select_from(have, want).where(same))


class Upsert:
    """Insert a row, or update `changing` columns of the row with the same `key`; says which."""

    def __init__(self, table: Table, names: Sequence[str], key: str, changing: Sequence[str], dialect: Dialect) -> None:
        self.codec = RowCodec(table, names, dialect)
        self.family = "mysql" if dialect.name in ("mysql", "mariadb") else dialect.name
        q = dialect.identifier_preparer.quote
        insert = self.codec.insert_sql
        self._key_index = list(names).index(key)
        self._changing = [list(names).index(name) for name in changing]
        if self.family == "postgresql":
            sets = ", ".join(f"{q(name)} = EXCLUDED.{q(name)}" for name in changing)
            self.sql = f"{insert} ON CONFLICT ({q(key)}) DO UPDATE SET {sets} RETURNING (xmax = 0)"
        elif self.family == "mysql":
            sets = ", ".join(f"{q(name)} = VALUES({q(name)})" for name in changing)
            first = q(next(name for name in names if name != key and name not in changing))
            self.sql = f"{insert} ON DUPLICATE KEY UPDATE {sets}, {first} = IF(LAST_INSERT_ID(1), {first}, {first})"
        else:
            self.sql = f"{insert} ON CONFLICT ({q(key)}) DO NOTHING"
            sets = ", ".join(f"{q(name)} = {self.codec.marker}" for name in changing)
            self.update_sql = f"UPDATE {self.codec.table_name} SET {sets} WHERE {q(key)} = {self.codec.marker}"

    def __call__(self, execute: Execute, values: Sequence[Any]) -> bool:
        """Write one row (values in `names` order) through `execute` (sql, params) -> DB-API cursor;
        True when it was inserted."""
        row = self.codec.encode(values)  # a JsonValue column encodes None as JSON null
        cursor = execute(self.sql, row)
        if self.family == "postgresql":
            return bool(cursor.fetchone()[0])
        if self.family == "mysql":
            return not cursor.lastrowid
        if cursor.rowcount == 1:
            return True
        execute(self.update_sql, (*(row[i] for i in self._changing), row[self._key_index]))
        return False


class MemoryContextRepository(SqlAlchemyRepository):
    """Refuses plain comparisons of `metadata` (see domain.memory.ports.check_filters)."""

    def loaded(self, identity: Any) -> Any:
        """The aggregate of this identity already in the session and still current, else None
        (and None without making a session: one the unit of work has not made holds nothing)."""
        session = self.transaction.made_session
        found = None if session is None else session.identity_map.get(identity_key(self.entity, identity))
        if found is not None and sa_inspect(found).expired:  # e.g. removed earlier in this transaction
            session.expunge(found)
            return None
        return found

    def list(self, query: Specification | Query | None = None) -> list[Any]:
        check_query(query)
        return super().list(query)

    def count(self, spec: Specification | None = None) -> int:
        check_query(spec)
        return super().count(spec)

    def remove(self, spec: Specification) -> int:
        check_query(spec)
        return super().remove(spec)
