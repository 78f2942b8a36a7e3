"""Reading SQL text safely: named `:params` and statement boundaries, outside quotes and comments.

One small lexer serves both the raw-SQL `Database` (which rewrites `:name` into each driver's own
placeholder) and the SQL-file migration runner (which splits files into statements). It knows
'strings' (with '' and, on MySQL, backslash escapes), "identifiers", `backticks`, -- and /* */
comments (and # on MySQL), PostgreSQL's E'...' strings, $tag$ dollar quoting and :: casts, and
MySQL's client-side DELIMITER lines. SQLite triggers (`BEGIN ... END;`) are kept whole.
"""

import re
import sqlite3
from collections.abc import Iterator

import attrs

from memcore.domain.shared.errors import InvalidInput

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_DELIMITER = re.compile(r"DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)
_IN_BEFORE = re.compile(r"(\bNOT\s+)?\bIN\s*\(\s*\Z", re.IGNORECASE)
_CLOSE_AFTER = re.compile(r"\s*\)")


@attrs.frozen
class Placeholder:
    name: str
    start: int
    end: int
    in_list: bool  # the sole item of `IN ( ... )`: a list or tuple value expands
    negated: bool = False  # `NOT IN`
    span: tuple[int, int] = (0, 0)  # where `[NOT] IN ( :name )` starts and ends


def _skip_quoted(sql: str, i: int, quote: str, backslashes: bool) -> int:
    """Index just past the literal that opens at sql[i] (a doubled quote stays inside)."""
    n = len(sql)
    i += 1
    while i < n:
        c = sql[i]
        if backslashes and c == "\\":
            i += 2
            continue
        if c == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    raise InvalidInput(f"unterminated {quote}-quoted text in SQL: {excerpt(sql)}")


def _skip_block_comment(sql: str, i: int, nested: bool) -> int:
    depth, i, n = 1, i + 2, len(sql)
    while i < n:
        if sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        elif nested and sql.startswith("/*", i):
            depth += 1
            i += 2
        else:
            i += 1
    raise InvalidInput(f"unterminated /* comment in SQL: {excerpt(sql)}")


def _skip_line_comment(sql: str, i: int) -> int:
    end = sql.find("\n", i)
    return len(sql) if end < 0 else end + 1


def _skip_opaque(sql: str, i: int, dialect: str) -> int:
    """If sql[i] opens a literal, quoted identifier or comment, the index past it; else i."""
    c = sql[i]
    mysql = dialect in ("mysql", "mariadb")
    if c == "'":
        escaped = mysql or (dialect == "postgresql" and i > 0 and sql[i - 1] in "eE" and not _word(sql, i - 2))
        return _skip_quoted(sql, i, "'", escaped)
    if c == '"':
        return _skip_quoted(sql, i, '"', mysql)
    if c == "`" and dialect != "postgresql":
        return _skip_quoted(sql, i, "`", False)
    if c == "-" and sql.startswith("--", i):
        return _skip_line_comment(sql, i)
    if c == "#" and mysql:
        return _skip_line_comment(sql, i)
    if c == "/" and sql.startswith("/*", i):
        return _skip_block_comment(sql, i, nested=dialect == "postgresql")
    if c == "$" and dialect == "postgresql" and not _word(sql, i - 1):
        tag = _DOLLAR_TAG.match(sql, i)
        if tag:
            end = sql.find(tag.group(0), tag.end())
            if end < 0:
                raise InvalidInput(f"unterminated dollar-quoted text {tag.group(0)} in SQL: {excerpt(sql)}")
            return end + len(tag.group(0))
    return i


def _word(sql: str, i: int) -> bool:
    return i >= 0 and (sql[i].isalnum() or sql[i] == "_")


def _space_before(sql: str, i: int) -> int:
    while i > 0 and sql[i - 1].isspace():
        i -= 1
    return i


def _in_before(sql: str, start: int) -> tuple[int, bool] | None:
    """Where `[NOT] IN (` ends right before `start` begins, and whether NOT is there: what
    `_IN_BEFORE.search(sql, 0, start)` finds, read backwards, so long statements stay linear."""
    i = _space_before(sql, start)
    if i == 0 or sql[i - 1] != "(":
        return None
    i = _space_before(sql, i - 1)
    if i < 2 or sql[i - 2 : i].upper() != "IN" or _word(sql, i - 3):
        return None
    j = _space_before(sql, i - 2)
    if j < i - 2 and j >= 3 and sql[j - 3 : j].upper() == "NOT" and not _word(sql, j - 4):
        return j - 3, True
    return i - 2, False


def placeholders(sql: str, dialect: str = "sqlite") -> list[Placeholder]:
    """The `:name` parameters of a statement, in order, ignoring quotes, comments and `::` casts."""
    found: list[Placeholder] = []
    i, n = 0, len(sql)
    while i < n:
        past = _skip_opaque(sql, i, dialect)
        if past != i:
            i = past
            continue
        if sql[i] == ":":
            if sql.startswith("::", i):  # a PostgreSQL cast
                i += 2
                continue
            name = _NAME.match(sql, i + 1)
            if name and not _word(sql, i - 1):
                start, end = i, name.end()
                before, after = _in_before(sql, start), _CLOSE_AFTER.match(sql, end)
                if before and after:
                    span = (before[0], after.end())
                    found.append(Placeholder(name.group(0), start, end, True, before[1], span))
                else:
                    found.append(Placeholder(name.group(0), start, end, False))
                i = end
                continue
        i += 1
    return found


def split_statements(sql: str, dialect: str) -> list[str]:
    """The statements of a script, without empty ones; their text is kept as written."""
    statements: list[str] = []
    delimiter = ";"
    start = i = 0
    n = len(sql)
    mysql = dialect in ("mysql", "mariadb")
    while i < n:
        if mysql and not sql[start:i].strip():
            directive = _DELIMITER.match(sql, i)
            if directive:
                delimiter = directive.group(1)
                start = i = directive.end()
                continue
        past = _skip_opaque(sql, i, dialect)
        if past != i:
            i = past
            continue
        if sql.startswith(delimiter, i):
            chunk = sql[start:i]
            # A trigger body holds `;` of its own; sqlite3 knows when a statement is complete.
            if dialect == "sqlite" and not sqlite3.complete_statement(chunk + ";"):
                i += 1
                continue
            statements.append(chunk)
            start = i = i + len(delimiter)
            continue
        i += 1
    statements.append(sql[start:])
    return [s.strip() for s in statements if _has_code(s, dialect)]


def _has_code(sql: str, dialect: str) -> bool:
    """Whether anything but whitespace and comments is left."""
    i, n = 0, len(sql)
    while i < n:
        if sql[i].isspace():
            i += 1
            continue
        if sql.startswith("--", i) or (sql[i] == "#" and dialect in ("mysql", "mariadb")):
            i = _skip_line_comment(sql, i)
            continue
        if sql.startswith("/*", i):
            i = _skip_block_comment(sql, i, nested=dialect == "postgresql")
            continue
        return True
    return False


def statements_with_lines(sql: str, dialect: str) -> Iterator[tuple[int, str]]:
    """Each statement with the line it starts on (1-based), for error reports."""
    position = 0
    for statement in split_statements(sql, dialect):
        position = sql.find(statement, position)
        yield sql.count("\n", 0, position) + 1, statement
        position += len(statement)


def excerpt(sql: str, limit: int = 200) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
