"""The SQL nexusql's callers write, read on every dialect.

nexusql takes PostgreSQL's DDL words as canonical (SERIAL, BOOLEAN, JSONB, UUID, TIMESTAMP, NOW(),
gen_random_uuid(), `::type` casts) and SQLite's `INTEGER PRIMARY KEY [AUTOINCREMENT]`, and rewrites
them for the database at hand. These rules do the same, and only outside string literals, so a
value such as 'TRUE' or 'now()' in the data is never touched.
"""

import re

__all__ = ["translate"]

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_I = re.IGNORECASE


def _rules(*pairs: tuple[str, str]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(pattern, _I), replacement) for pattern, replacement in pairs]


_CASTS = (r"::\s*(jsonb|json|varchar|text|uuid)\b", "")
_ROWID = r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b"

_SQLITE = _rules(
    (r"\bSERIAL\s+PRIMARY\s+KEY\b", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    (r"\b(BIG|SMALL)?SERIAL\b", "INTEGER"),
    (r"\bBOOLEAN\b", "INTEGER"),
    (r"\b(JSONB|JSON|UUID|TIMESTAMPTZ|TIMESTAMP)\b", "TEXT"),
    (r"\bDEFAULT\s+gen_random_uuid\(\)", ""),
    (r"\bgen_random_uuid\(\)", "lower(hex(randomblob(16)))"),
    (r"\bNOW\(\)", "CURRENT_TIMESTAMP"),
    _CASTS,
)
_POSTGRESQL = _rules(
    (_ROWID, "SERIAL PRIMARY KEY"),
    (r"\bDATETIME\b", "TIMESTAMP"),
    (r"\bBLOB\b", "BYTEA"),
)
_MYSQL = _rules(
    (_ROWID, "INTEGER PRIMARY KEY AUTO_INCREMENT"),
    (r"\bSERIAL\s+PRIMARY\s+KEY\b", "INT PRIMARY KEY AUTO_INCREMENT"),
    (r"\bSERIAL\b", "INT AUTO_INCREMENT"),
    (r"\bJSONB\b", "JSON"),
    (r"\bUUID\b(?!\s*\()", "CHAR(36)"),
    (r"\bBYTEA\b", "LONGBLOB"),
    (r"\s+DEFAULT\s+gen_random_uuid\(\)", ""),
    (r"\bgen_random_uuid\(\)", "UUID()"),
    (r"(\bJSON\b[^,)]*?)\s+DEFAULT\s+('(?:[^']|'')*'(?:::jsonb?)?)", r"\1"),
    _CASTS,
)
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
    return "".join(pieces)
