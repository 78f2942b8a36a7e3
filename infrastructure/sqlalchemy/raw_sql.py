"""What `Database` and `AsyncDatabase` share: statements prepared once per SQL text, binding, errors.

A statement written with `:name` parameters is rewritten once (and cached) into the driver's own
placeholders (`?`, `%s` or `$1`); binding is then a key check and one `itemgetter` call. Parameters
are always bound by the driver, never interpolated. `IN (:ids)` with a list or tuple expands into
one placeholder per item (an empty list matches nothing).
"""

import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import attrs
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect

from memcore.domain.shared.errors import InvalidInput, MemcoreError, StorageUnavailable
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.errors import describe, translate
from memcore.infrastructure.sqlalchemy.sql_text import excerpt, placeholders

# The placeholder style each driver reads.
STYLES = {
    "pysqlite": "qmark",
    "aiosqlite": "qmark",
    "psycopg": "format",
    "pymysql": "format",
    "asyncmy": "format",
    "asyncpg": "dollar",
}
_EMPTY_LIST = "SELECT NULL WHERE 1 = 0"  # `x IN (<this>)` is false, `x NOT IN (<this>)` true
_INSERT_VALUES = re.compile(r"\s*INSERT\s.*\sVALUES\s*\(", re.IGNORECASE | re.DOTALL)
_NOT_ONE_ROW_EACH = re.compile(r"\b(SELECT|ON\s+CONFLICT|RETURNING)\b", re.IGNORECASE)


def _getter(order: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    if not order:
        return lambda params: ()
    if len(order) == 1:
        (name,) = order
        return lambda params: (params[name],)
    return operator.itemgetter(*order)


@attrs.frozen(eq=False)
class Statement:
    """One SQL text, ready for one placeholder style."""

    sql: str
    style: str
    dialect: str
    names: frozenset[str]
    query: str  # the driver's SQL when nothing expands
    args: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # parameters -> positional values
    expanding: tuple[str, ...]  # names written as `IN (:name)`
    one_row_each: bool  # an INSERT ... VALUES: every parameter row writes exactly one row
    positional: bool  # each name written once and none as `IN (:name)`: values bind by position

    def bind_values(self, values: Sequence[Any]) -> tuple[str, tuple[Any, ...] | None]:
        """The driver's SQL and `values`, one per parameter in the order they are written."""
        if not self.positional:
            raise InvalidInput(f"positional values need each :name written once, no IN lists: {excerpt(self.sql)}")
        if type(values) is not tuple:
            if not isinstance(values, list | tuple):
                raise InvalidInput(f"positional values must be a list or tuple, not {type(values).__name__}")
            values = tuple(values)
        if len(values) != len(self.names):
            raise InvalidInput(f"{len(values)} values for {len(self.names)} parameters in SQL: {excerpt(self.sql)}")
        return self.query, values if values else None

    def bind(self, params: Mapping[str, Any] | None) -> tuple[str, tuple[Any, ...] | None]:
        """The driver's SQL and positional values; refuses missing and unused names first."""
        if params is None:
            params = {}
        elif not isinstance(params, Mapping):
            raise InvalidInput(f"parameters must be a mapping of names to values, not {type(params).__name__}")
        if params.keys() != self.names:
            raise self._mismatch(params)
        if not self.names:
            return self.query, None
        if self.expanding:
            lengths = tuple(
                len(params[name]) if isinstance(params[name], list | tuple) else -1 for name in self.expanding
            )
            if any(n >= 0 for n in lengths):
                return _expanded(self, lengths)(params)
        return self.query, self.args(params)

    def bind_many(self, rows: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Positional values for each row; every row must name exactly the statement's parameters."""
        rows = rows if isinstance(rows, list | tuple) else list(rows)
        if not self.names:
            raise InvalidInput(f"execute_many needs a statement with :parameters, got: {excerpt(self.sql)}")
        try:
            values = list(map(self.args, rows))
        except KeyError:
            raise self._mismatch(next(r for r in rows if not self.names <= r.keys())) from None
        except TypeError:
            raise InvalidInput("execute_many rows must be mappings of names to values") from None
        # Every row holds all the names (the getter found them), so equal sizes mean no extra ones.
        if sum(map(len, rows)) != len(rows) * len(self.names):
            raise self._mismatch(next(r for r in rows if r.keys() != self.names))
        return values

    def _mismatch(self, params: Mapping[str, Any]) -> InvalidInput:
        missing = sorted(self.names - params.keys())
        unused = sorted(set(params) - self.names)
        problems = []
        if missing:
            problems.append("missing parameter " + ", ".join(f":{n}" for n in missing))
        if unused:
            problems.append("unused parameter " + ", ".join(f":{n}" for n in unused))
        return InvalidInput(f"{'; '.join(problems)} for SQL: {excerpt(self.sql)}")


def _render(sql: str, style: str, dialect: str, lengths: Mapping[str, int]) -> tuple[str, list[str]]:
    """The SQL in the driver's style, and the parameter name of each positional value."""
    found = placeholders(sql, dialect)
    pieces: list[str] = []
    order: list[str] = []
    numbers: dict[str, int] = {}
    at = 0
    for ph in found:
        count = lengths.get(ph.name, -1) if ph.in_list else -1
        if count == 0 and dialect == "postgresql":
            # An untyped '{}' takes the type of the left-hand side, which an empty SELECT cannot.
            pieces.append(sql[at : ph.span[0]].replace("%", "%%") if style == "format" else sql[at : ph.span[0]])
            pieces.append("<> ALL('{}')" if ph.negated else "= ANY('{}')")
            at = ph.span[1]
            continue
        literal = sql[at : ph.start]
        pieces.append(literal.replace("%", "%%") if style == "format" else literal)
        at = ph.end
        slots = [ph.name] if count < 0 else [f"{ph.name}\0{i}" for i in range(count)]
        marks = []
        for slot in slots:
            if style == "dollar":
                if slot not in numbers:
                    numbers[slot] = len(numbers) + 1
                    order.append(slot)
                marks.append(f"${numbers[slot]}")
            else:
                order.append(slot)
                marks.append("?" if style == "qmark" else "%s")
        pieces.append(", ".join(marks) if marks else _EMPTY_LIST)
    tail = sql[at:]
    pieces.append(tail.replace("%", "%%") if style == "format" and found else tail)
    return "".join(pieces), order


@lru_cache(maxsize=2048)
def prepare(sql: str, style: str, dialect: str) -> Statement:
    """The statement for `sql` in `style`, parsed once per distinct SQL text."""
    if not isinstance(sql, str) or not sql.strip():
        raise InvalidInput("SQL must be a non-empty string")
    found = placeholders(sql, dialect)
    query, order = _render(sql, style, dialect, {})
    insert = bool(_INSERT_VALUES.match(sql)) and not _NOT_ONE_ROW_EACH.search(sql)
    return Statement(
        sql=sql,
        style=style,
        dialect=dialect,
        names=frozenset(ph.name for ph in found),
        query=query,
        args=_getter(order),
        expanding=tuple(dict.fromkeys(ph.name for ph in found if ph.in_list)),
        one_row_each=insert,
        positional=len(found) == len({ph.name for ph in found}) and not any(ph.in_list for ph in found),
    )


@lru_cache(maxsize=512)
def _expanded(statement: Statement, lengths: tuple[int, ...]) -> Callable[[Mapping[str, Any]], tuple[str, tuple]]:
    sized = {name: n for name, n in zip(statement.expanding, lengths, strict=True) if n >= 0}
    query, order = _render(statement.sql, statement.style, statement.dialect, sized)

    def bind(params: Mapping[str, Any]) -> tuple[str, tuple]:
        values = []
        for slot in order:
            name, _, index = slot.partition("\0")
            values.append(params[name][int(index)] if index else params[name])
        return query, tuple(values)

    return bind


def engine_settings(url: str, options: Mapping[str, Any]) -> Settings:
    """Settings for a `Database`: the URL plus any of the Settings fields as keyword options."""
    known = {f.name for f in attrs.fields(Settings)} - {"url"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise InvalidInput(f"unknown database option {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    if not isinstance(url, str) or not url:
        raise InvalidInput("a database URL is required, e.g. sqlite:///app.db or postgresql://user@host/db")
    return Settings(url=url, **options)


_ISOLATION_LEVELS = {"READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"}


def transaction_sql(dialect: str, isolation_level: str | None) -> tuple[str, str, str]:
    """BEGIN, COMMIT and ROLLBACK for a dialect (MySQL takes its isolation level per session).

    On SQLite a transaction begins IMMEDIATE: it is a writer, so it takes the write lock up front
    and waits its turn (busy timeout) instead of failing when a read lock cannot be upgraded.
    """
    if dialect == "postgresql":
        level = (isolation_level or "").upper()
        return (f"BEGIN ISOLATION LEVEL {level}" if level in _ISOLATION_LEVELS else "BEGIN"), "COMMIT", "ROLLBACK"
    if dialect in ("mysql", "mariadb"):
        return "START TRANSACTION", "COMMIT", "ROLLBACK"
    return "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"


def table_exists_sql(dialect: str) -> str:
    if dialect == "sqlite":
        return "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = :name"
    schema = "current_schema()" if dialect == "postgresql" else "DATABASE()"
    return f"SELECT 1 FROM information_schema.tables WHERE table_schema = {schema} AND table_name = :name"


def dialect_label(dialect: Dialect) -> str:
    return "mariadb" if getattr(dialect, "is_mariadb", False) else dialect.name


def rows_affected(status: str) -> int:
    """The count at the end of a PostgreSQL command tag ("UPDATE 3", "INSERT 0 1"); 0 when none."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


def driver_error(exc: BaseException, sql: str, dialect: Dialect, invalidated: bool) -> MemcoreError:
    """The domain error for an exception a driver raised running `sql`; the SQL is named, values never."""
    if isinstance(exc, MemcoreError):
        return exc
    dbapi = dialect.loaded_dbapi
    if isinstance(exc, ValueError | TypeError) and not isinstance(exc, dbapi.Error):
        error: MemcoreError = InvalidInput(f"cannot bind a parameter: {describe(exc)}")
    else:
        orig: Any = exc
        # asyncpg raises its own exception classes; SQLAlchemy's adapter knows their DB-API names.
        for cls in type(exc).__mro__:
            mapped = getattr(dbapi, "_asyncpg_error_translate", {}).get(cls)
            if mapped is not None:
                orig = mapped(exc.args[0] if exc.args else str(exc), exc)
                break
        if isinstance(orig, dbapi.Error):
            wrapped = sa_exc.DBAPIError.instance(
                sql, None, orig, dbapi.Error, connection_invalidated=invalidated, dialect=dialect
            )
            error = translate(wrapped)
        elif isinstance(exc, OSError) or invalidated:
            error = StorageUnavailable(f"lost the database connection: {type(exc).__name__}")
        else:
            error = StorageUnavailable(f"database error: {type(exc).__name__}: {describe(exc)}")
    return type(error)(f"{error} [SQL: {excerpt(sql)}]")
