"""Opening an existing database of a replaced store in place: what is there, the plan, the upgrade.

The replaced stores' tables have memcore's names and columns (DESIGN.md), and the migrations keep a
table that exists, adding only memcore's own columns (`ADOPTED_COLUMNS`) and indexes. So a table is
adopted when it has every other column memcore reads, and refused, with nothing changed, when it
lacks one or holds a required column memcore would never fill.
"""

from typing import Any

import attrs
from sqlalchemy import Engine, func, inspect, select, table

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.errors import translating
from memcore.infrastructure.sqlalchemy.tables import SEARCH_INDEXES, metadata

# What the migrations add to a legacy table: 0005 memcore's chat columns, 0006 the conversation
# memory's session id (tests/integration/test_adopt.py checks them against the migrations).
ADOPTED_COLUMNS = {"users": ("email_key",), "conversations": ("version", "session_id"), "messages": ("sequence",)}
_MEMCORE_OWN = {"alembic_version", "memcore_sql_migrations"}


@attrs.frozen
class TablePlan:
    table: str
    action: str  # "create", "adopt" or "upgrade" (already memcore's)
    rows: int | None = None
    adds: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()  # the table's own columns, kept as they are
    problem: str | None = None

    def describe(self) -> str:
        if self.problem:
            return f"{self.table}: REFUSED: {self.problem}"
        if self.action == "create":
            return f"{self.table}: create"
        text = f"{self.table}: {'keep' if self.action == 'upgrade' else 'adopt'} its {self.rows} rows"
        if self.adds:
            text += f", add {', '.join(self.adds)}"
        if self.extra:
            text += f", leave its own columns {', '.join(self.extra)} alone"
        return text


@attrs.frozen
class AdoptionPlan:
    url: str
    revision: str | None
    head: str | None
    tables: list[TablePlan]
    others: list[str]
    kept: list[str] = attrs.field(factory=list)  # how adopted tables still differ from memcore's model

    @property
    def problems(self) -> list[str]:
        return [plan.describe() for plan in self.tables if plan.problem]

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "revision": self.revision,
            "head": self.head,
            "tables": [attrs.asdict(plan) for plan in self.tables],
            "other_tables": self.others,
            "kept_differences": self.kept,
            "ok": not self.problems,
        }


def _search_objects(names: set[str]) -> set[str]:
    prefixes = tuple(f"{index.table}_fts" for index in SEARCH_INDEXES)
    sides = {index.side for index in SEARCH_INDEXES}
    return {name for name in names if name.startswith(prefixes) or name in sides}


def plan(engine: Engine) -> AdoptionPlan:
    """What adopting the database behind `engine` would do; changes nothing."""
    with translating(), engine.connect() as connection:
        inspector = inspect(connection)
        existing = set(inspector.get_table_names())
        revision = migrate.current(engine) if "alembic_version" in existing else None
        plans = []
        for model in metadata.sorted_tables:
            name = model.name
            if name not in existing:
                plans.append(TablePlan(name, "create"))
                continue
            present = {column["name"]: column for column in inspector.get_columns(name)}
            missing = [c.name for c in model.c if c.name not in present]
            adds = tuple(m for m in missing if m in ADOPTED_COLUMNS.get(name, ()))
            lacking = [m for m in missing if m not in adds]
            extra = [n for n in present if n not in model.c and n != "search_vector"]
            required = [n for n in extra if not present[n]["nullable"] and present[n].get("default") is None]
            problem = None
            if lacking:
                problem = f"it lacks memcore's columns {', '.join(lacking)}"
            elif required:
                problem = f"its required columns {', '.join(required)} have no default, and memcore would not fill them"
            rows = connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            action = "upgrade" if revision is not None else "adopt"
            plans.append(TablePlan(str(name), action, rows, adds, tuple(extra), problem))
        others = sorted(existing - set(metadata.tables) - _MEMCORE_OWN - _search_objects(existing))
    return AdoptionPlan(engine.url.render_as_string(hide_password=True), revision, migrate.head(), plans, others)


def adopt(engine: Engine, dry_run: bool = False) -> AdoptionPlan:
    """Plan, refuse a conflicting database before anything changes, then migrate it to head (which
    stamps the revision, so `memcore db upgrade` works from then on)."""
    found = plan(engine)
    if found.problems:
        raise InvalidInput(f"{found.url} cannot be adopted, nothing was changed: " + "; ".join(found.problems))
    if dry_run:
        return found
    migrate.upgrade(engine)
    return attrs.evolve(found, kept=[_summary(d) for d in migrate.diff(engine)])


def _summary(difference: Any) -> str:
    """One of autogenerate's differences in a few words ("modify_type users.created_at")."""
    first = difference[0] if isinstance(difference, list) else difference
    kind = first[0]
    if kind in ("modify_type", "modify_nullable", "modify_default"):
        return f"{kind} {first[2]}.{first[3]}"
    target = first[1]
    table_name = getattr(getattr(target, "table", None), "name", None) or getattr(target, "name", "")
    return f"{kind} {table_name} ({getattr(target, 'name', None) or type(target).__name__})"
