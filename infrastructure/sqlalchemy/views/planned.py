"""Specification pages on the FastReader: each statement rendered once, then run on the DB-API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, Select

from infrastructure.sqlalchemy.errors import translating
from infrastructure.sqlalchemy.fastpath import FastReader

MAX_PLANS = 512
Decode = Callable[[Sequence[Any]], Sequence[Any]]


class PlannedReader:
    """Runs the cached statements of a SpecCompiler with their bound values, skipping SQLAlchemy's
    per-call compilation and result set-up; rows come back decoded by the caller's RowCodec."""

    def __init__(self, engine: Engine, reader: FastReader) -> None:
        self.engine, self.reader = engine, reader
        self._plans: dict[int, Any] = {}
        self._positional = engine.dialect.positional

    def rows(self, statement: Select[Any], params: dict[str, Any], decode: Decode) -> list[Sequence[Any]]:
        plan = self._plans.get(id(statement))
        if plan is None or plan[0] is not statement:
            if len(self._plans) >= MAX_PLANS:  # statements made per page size: keep the newest
                del self._plans[next(iter(self._plans))]
            plan = self._plans[id(statement)] = (statement, *self._plan(statement))
        _, compiled, names, processors = plan
        if compiled is None:  # expanding IN lists: SQLAlchemy renders those per call
            with translating(), self.engine.connect() as connection:
                return list(connection.execute(statement, params))
        values = compiled.construct_params(params)
        args: Any = [values[name] for name in names]
        for i, process in processors:
            if args[i] is not None:
                args[i] = process(args[i])
        if not self._positional:
            args = dict(zip(names, args, strict=True))
        return [decode(row) for row in self.reader.all(compiled.string, args)]

    def _plan(self, statement: Any) -> tuple[Any, list[str], list[tuple[int, Any]]]:
        """The statement rendered once for this dialect, its parameter names and bind processors."""
        compiled = statement.compile(dialect=self.engine.dialect)
        if "POSTCOMPILE" in compiled.string:
            return None, [], []
        by_name = {compiled.bind_names[b]: b for b in compiled.binds.values()}
        names = list(compiled.positiontup) if compiled.positional else list(by_name)
        processors = []
        for i, name in enumerate(names):
            process = by_name[name].type.dialect_impl(self.engine.dialect).bind_processor(self.engine.dialect)
            if process is not None:
                processors.append((i, process))
        return compiled, names, processors
