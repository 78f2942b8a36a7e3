"""The store's `filter` (filters.py) as a SQL condition on the `value` column, one per dialect.

    sql, params, exact = compile_filter({"score": {"$gte": 5}}, "sqlite")

The condition means exactly what `filters.matches` means: typed comparisons (numbers with
numbers, strings with strings by code point, booleans only equal to booleans), a missing key equal
to None. Every piece is two-valued (never NULL), so `$ne`, `$nin` and `$not` negate it safely.
What SQL cannot say the same way (list values, keys outside `KEY`, non-finite numbers) is left
out: under `$and` (and at the top) the rest still filters in SQL and `exact` is False, so the
caller checks the rows in Python too; under `$or` or `$not` the whole part is left to Python.
Object keys are written into the SQL (they match `KEY`); values are always bound.
Numbers compare as NUMERIC on PostgreSQL, as the engine's numbers on SQLite (64-bit integers and
doubles) and as DOUBLE on MariaDB: integers beyond 2**53 may compare inexactly there.
"""

import json
import math
import re
from collections.abc import Mapping
from typing import Any

KEY = re.compile(r"[A-Za-z0-9_\-]{1,64}")  # keys written into the SQL text
_ORDER = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<=", "$eq": "=", "$ne": "<>"}
# On PostgreSQL the condition reads `doc`, the value cast to jsonb once per row by this join
# (OFFSET 0 keeps the planner from inlining the cast into every use).
PG_DOCUMENT = "CROSS JOIN LATERAL (SELECT CAST(value AS jsonb) AS doc OFFSET 0) AS parsed"
_FALSE = {"sqlite": "0", "postgresql": "FALSE", "mysql": "FALSE"}


def _lex(dialect: str) -> str:
    return "mysql" if dialect in ("mysql", "mariadb") else dialect


class _Leaves:
    """The typed tests on one JSON path, per dialect."""

    def __init__(self, dialect: str) -> None:
        self.dialect = _lex(dialect)
        self.false = _FALSE[self.dialect]

    def _node(self, path: tuple[str, ...]) -> tuple[str, str]:
        """(type expression, value locator) of the path."""
        if self.dialect == "postgresql":
            node = "(doc" + "".join(f" -> '{k}'" for k in path) + ")"  # doc: PG_DOCUMENT
            return f"jsonb_typeof({node})", node
        json_path = "'$" + "".join(f'."{k}"' for k in path) + "'"
        if self.dialect == "sqlite":
            return f"json_type(value, {json_path})", json_path
        return f"JSON_TYPE(JSON_EXTRACT(value, {json_path}))", json_path

    def _never_null(self, condition: str) -> str:
        return f"COALESCE({condition}, {self.false})"

    def null(self, path: tuple[str, ...]) -> str:
        kind, _ = self._node(path)
        return f"COALESCE({kind}, 'null') = 'null'" if self.dialect != "mysql" else f"COALESCE({kind}, 'NULL') = 'NULL'"

    def obj(self, path: tuple[str, ...]) -> str:
        kind, _ = self._node(path)
        return self._never_null(f"{kind} = '{'OBJECT' if self.dialect == 'mysql' else 'object'}'")

    def boolean(self, path: tuple[str, ...], wanted: bool) -> str:
        kind, node = self._node(path)
        word = "true" if wanted else "false"
        if self.dialect == "sqlite":
            return self._never_null(f"{kind} = '{word}'")
        if self.dialect == "postgresql":
            return self._never_null(f"{node} = CAST('{word}' AS jsonb)")
        return self._never_null(f"{kind} = 'BOOLEAN' AND JSON_EXTRACT(value, {node}) = '{word}'")

    def number(self, path: tuple[str, ...], op: str, mark: str) -> str:
        kind, node = self._node(path)
        if self.dialect == "sqlite":  # the comparison first: SQLite stops an AND at its first false
            return self._never_null(f"json_extract(value, {node}) {op} {mark} AND {kind} IN ('integer', 'real')")
        if self.dialect == "postgresql":
            number = f"CASE WHEN {kind} = 'number' THEN CAST({node} AS numeric) END"
            return self._never_null(f"{number} {op} CAST({mark} AS numeric)")
        number = f"CAST(JSON_VALUE(value, {node}) AS DOUBLE)"
        return self._never_null(f"{kind} IN ('INTEGER', 'DOUBLE') AND {number} {op} {mark}")

    def string(self, path: tuple[str, ...], op: str, mark: str, operand: str) -> str:
        kind, node = self._node(path)
        if self.dialect == "sqlite":  # BINARY collation: UTF-8 bytes, which sort as code points
            if op == "=" and not operand.startswith(("[", "{")):
                # One parse: only a JSON string extracts as this text (an array or object extracts
                # as JSON text starting with [ or {; numbers and booleans as numbers, never equal).
                return self._never_null(f"json_extract(value, {node}) = {mark}")
            return self._never_null(f"json_extract(value, {node}) {op} {mark} AND {kind} = 'text'")
        if self.dialect == "postgresql":
            text = f"CASE WHEN {kind} = 'string' THEN {node} #>> '{{}}' END"
            return self._never_null(f'{text} COLLATE "C" {op} {mark}')
        text = f"JSON_VALUE(value, {node}) COLLATE utf8mb4_nopad_bin"
        return self._never_null(f"{kind} = 'STRING' AND {text} {op} {mark}")


class _Compiler:
    def __init__(self, dialect: str) -> None:
        self.leaves = _Leaves(dialect)
        self.params: dict[str, Any] = {}
        self.exact = True

    def bind(self, value: Any) -> str:
        name = f"f{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def filter(self, filter: Mapping[str, Any], strict: bool) -> str | None:
        """The AND of the filter's parts; None when a part cannot be said and `strict`."""
        parts = []
        for key, wanted in filter.items():
            bound = dict(self.params)  # a part left out takes its parameters with it
            if key == "$and":
                part = _all([self.filter(p, strict) for p in wanted])
            elif key == "$or":
                options = [self.filter(p, True) for p in wanted]
                part = None if None in options else "(" + " OR ".join(o or "1 = 1" for o in options) + ")"  # type: ignore[misc]
            elif key == "$not":
                inner = self.filter(wanted, True)
                part = None if inner is None else f"NOT ({inner or '1 = 1'})"
            else:
                part = self.field((key,), wanted) if KEY.fullmatch(key) else None
            if part is None:
                self.params = bound
                if strict:
                    return None
                self.exact = False
            elif part:
                parts.append(part)
        return _all(parts)

    def field(self, path: tuple[str, ...], wanted: Any) -> str | None:
        if isinstance(wanted, Mapping) and any(isinstance(k, str) and k.startswith("$") for k in wanted):
            tests = [self.operator(path, name, operand) for name, operand in wanted.items()]
            return None if None in tests else _all(tests)  # type: ignore[arg-type]
        return self.equal(path, wanted)

    def operator(self, path: tuple[str, ...], name: str, operand: Any) -> str | None:
        if name in ("$eq", "$ne"):
            test = self.equal(path, operand)
            return test if test is None or name == "$eq" else f"NOT ({test})"
        if name in ("$in", "$nin"):
            options = [self.equal(path, choice) for choice in operand]
            if None in options:
                return None
            test = "(" + " OR ".join(options) + ")" if options else "(1 = 0)"  # type: ignore[arg-type]
            return test if name == "$in" else f"NOT {test}"
        return self.compare(path, _ORDER[name], operand)

    def equal(self, path: tuple[str, ...], wanted: Any) -> str | None:
        if isinstance(wanted, Mapping):
            if not all(isinstance(k, str) and KEY.fullmatch(k) for k in wanted):
                return None
            tests = [self.equal((*path, k), v) for k, v in wanted.items()]
            return None if None in tests else _all([self.leaves.obj(path), *tests])  # type: ignore[list-item]
        if wanted is None:
            return self.leaves.null(path)
        if isinstance(wanted, bool):
            return self.leaves.boolean(path, wanted)
        if isinstance(wanted, int | float | str):
            return self.compare(path, "=", wanted)
        return None  # a list, or a value no JSON document holds: Python decides

    def compare(self, path: tuple[str, ...], op: str, operand: Any) -> str | None:
        if isinstance(operand, str):
            return self.leaves.string(path, op, self.bind(operand), operand)
        if isinstance(operand, float) and not math.isfinite(operand):
            return None
        if self.leaves.dialect == "postgresql":  # the number's own digits, read as NUMERIC
            return self.leaves.number(path, op, self.bind(json.dumps(operand)))
        return self.leaves.number(path, op, self.bind(operand))


def _all(parts: list[str | None]) -> str | None:
    if None in parts:
        return None
    kept = [p for p in parts if p]
    return "(" + " AND ".join(kept) + ")" if kept else ""  # type: ignore[arg-type]


def compile_filter(filter: Mapping[str, Any], dialect: str) -> tuple[str, dict[str, Any], bool]:
    """(condition or "" for none, its parameters, whether it decides the filter alone).

    The filter has passed `filters.check_filter`; parameters are named f0, f1, ...
    """
    compiler = _Compiler(dialect)
    condition = compiler.filter(filter, strict=False) or ""
    return condition, compiler.params, compiler.exact
