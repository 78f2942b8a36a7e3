"""The SQL nexusql's callers write, read on every dialect.

nexusql takes PostgreSQL's DDL words as canonical (SERIAL, BOOLEAN, JSONB, UUID, TIMESTAMP, NOW(),
gen_random_uuid(), `::type` casts) and SQLite's `INTEGER PRIMARY KEY [AUTOINCREMENT]`, and rewrites
them for the database at hand. These rules do the same, and only outside string literals, so a
value such as 'TRUE' or 'now()' in the data is never touched.

On MySQL/MariaDB a `CREATE TABLE` written for SQLite or PostgreSQL also has its `TEXT` columns
made to hold what TEXT holds there (nexusql leaves them as MySQL's 64 KiB TEXT): `LONGTEXT`, or
`VARCHAR(255)` for a key column (primary or foreign key), which MySQL cannot make of a TEXT.
"""

import re

__all__ = ["translate"]

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_I = re.IGNORECASE


def _rules(*pairs: tuple[str, str]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(pattern, _I), replacement) for pattern, replacement in pairs]


def _type(pattern: str) -> str:
    """A type word's pattern, matched in capitals only as nexusql matches it: a column named
    `timestamp`, `uuid` or `json` stays a column name."""
    return f"(?-i:{pattern})"


_CASTS = (r"::\s*(jsonb|json|varchar|text|uuid)\b", "")
_ROWID = r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b"

_SQLITE = _rules(
    (_type(r"\bSERIAL\s+PRIMARY\s+KEY\b"), "INTEGER PRIMARY KEY AUTOINCREMENT"),
    (_type(r"\b(BIG|SMALL)?SERIAL\b"), "INTEGER"),
    (_type(r"\bBOOLEAN\b"), "INTEGER"),
    (_type(r"\b(JSONB|JSON|UUID|TIMESTAMPTZ|TIMESTAMP)\b"), "TEXT"),
    (r"\bDEFAULT\s+gen_random_uuid\(\)", ""),
    (r"\bgen_random_uuid\(\)", "lower(hex(randomblob(16)))"),
    (r"\bNOW\(\)", "CURRENT_TIMESTAMP"),
    _CASTS,
)
_POSTGRESQL = _rules(
    (_ROWID, "SERIAL PRIMARY KEY"),
    (_type(r"\bDATETIME\b"), "TIMESTAMP"),
    (_type(r"\bBLOB\b"), "BYTEA"),
)
_MYSQL = _rules(
    (_ROWID, "INTEGER PRIMARY KEY AUTO_INCREMENT"),
    (_type(r"\bSERIAL\s+PRIMARY\s+KEY\b"), "INT PRIMARY KEY AUTO_INCREMENT"),
    (_type(r"\bSERIAL\b"), "INT AUTO_INCREMENT"),
    (_type(r"\bJSONB\b"), "JSON"),
    (_type(r"\bUUID\b(?!\s*\()"), "CHAR(36)"),
    (_type(r"\bBYTEA\b"), "LONGBLOB"),
    (r"\s+DEFAULT\s+gen_random_uuid\(\)", ""),
    (r"\bgen_random_uuid\(\)", "UUID()"),
    (r"(\bJSON\b[^,)]*?)\s+DEFAULT\s+('(?:[^']|'')*'(?:::jsonb?)?)", r"\1"),
    _CASTS,
)
_KEY_TEXT = "VARCHAR(255)"  # a TEXT key column on MySQL: 255 characters, three of them to a key
_MASK = re.compile("\x00(\\d+)\x00")
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(?:TEMPORARY\s+)?TABLE\b", _I)
_TABLE_KEYS = re.compile(r"^\s*(?:CONSTRAINT\s+\S+\s+)?(PRIMARY\s+KEY|FOREIGN\s+KEY)\s*\(([^)]*)\)", _I)
_CONSTRAINT = re.compile(r"^\s*(CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|CHECK|INDEX|KEY|FULLTEXT)\b", _I)
_COLUMN_TEXT = re.compile(r"^(\s*(`[^`]*`|\w+)\s+)TEXT\b(?!\s*\()", _I)
_IS_KEY = re.compile(r"\b(PRIMARY\s+KEY|REFERENCES)\b", _I)


def _split_top(body: str) -> list[str]:
    """`body` split at its commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(body):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


def _name(identifier: str) -> str:
    return identifier.strip().strip("`").lower()


def _mysql_text_columns(sql: str) -> str:
    """A CREATE TABLE's `TEXT` columns as LONGTEXT, or VARCHAR(255) where they are keys."""
    literals: list[str] = []

    def mask(match: re.Match[str]) -> str:
        literals.append(match.group(0))
        return f"\x00{len(literals) - 1}\x00"

    masked = _LITERAL.sub(mask, sql)
    opening = masked.find("(")
    closing = masked.rfind(")")
    if not _CREATE_TABLE.match(masked) or opening < 0 or closing < opening:
        return sql
    items = _split_top(masked[opening + 1 : closing])
    keys = set()
    for item in items:
        found = _TABLE_KEYS.match(item)
        if found:
            keys.update(_name(column) for column in found.group(2).split(","))
    rewritten = []
    for item in items:
        column = _COLUMN_TEXT.match(item)
        if column and not _CONSTRAINT.match(item):
            key = _name(column.group(2)) in keys or _IS_KEY.search(item)
            item = column.group(1) + (_KEY_TEXT if key else "LONGTEXT") + item[column.end() :]
        rewritten.append(item)
    masked = masked[: opening + 1] + ",".join(rewritten) + masked[closing:]
    return _MASK.sub(lambda match: literals[int(match.group(1))], masked)


_RULES = {"sqlite": _SQLITE, "postgresql": _POSTGRESQL, "mysql": _MYSQL, "mariadb": _MYSQL}


def translate(sql: str, dialect: str) -> str:
    """`sql` with nexusql's canonical words rewritten for `dialect`; literals stay as written."""
    rules = _RULES.get(dialect, [])
    if not rules:
        return sql
    if dialect in ("mysql", "mariadb"):  # this rule spans a literal: apply it to the whole text
        sql = rules[-2][0].sub(rules[-2][1], sql)
    pieces = _LITERAL.split(sql)
    for i in range(0, len(pieces), 2):
        text = pieces[i]
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        pieces[i] = text
    sql = "".join(pieces)
    return _mysql_text_columns(sql) if dialect in ("mysql", "mariadb") else sql


_CREATE_INDEX = re.compile(
    r"^(\s*CREATE\s+INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+)(`[^`]*`|\w+)(\s*)\(([^()]*)\)(.*)$", _I | re.DOTALL
)
_KEY_BYTES = 3072  # InnoDB's largest index key


def index_table(sql: str) -> str | None:
    """The table a non-unique, many-column `CREATE INDEX` names, or None."""
    found = _CREATE_INDEX.match(sql)
    return _name(found.group(2)) if found and "," in found.group(4) else None


def mysql_index_prefixes(sql: str, columns: dict[str, tuple[str, int | None]]) -> str:
    """A many-column CREATE INDEX with a prefix length for each TEXT/BLOB column, so the key fits
    InnoDB's 3072 bytes (MariaDB gives a lone TEXT column one by itself, but refuses a compound
    key): `columns` maps each column of the table to its data type and character length."""
    found = _CREATE_INDEX.match(sql)
    if not found:
        return sql
    entries = [entry.strip() for entry in found.group(4).split(",")]
    names = [_name(entry.split()[0]) if entry else "" for entry in entries]
    kinds = {name: columns.get(name, ("", None)) for name in names}
    long = {name for name, (kind, _) in kinds.items() if kind.endswith(("text", "blob"))}
    if not long:
        return sql
    fixed = sum(
        4 * (length or 0) if kind.endswith("char") else 8 for name, (kind, length) in kinds.items() if name not in long
    )
    prefix = (_KEY_BYTES - fixed) // (4 * len(long))
    if prefix < 1:
        return sql
    for i, name in enumerate(names):
        if name in long:
            word, _, rest = entries[i].partition(" ")
            entries[i] = f"{word}({prefix}) {rest}".rstrip()
    return f"{found.group(1)}{found.group(2)}{found.group(3)}({', '.join(entries)}){found.group(5)}"
