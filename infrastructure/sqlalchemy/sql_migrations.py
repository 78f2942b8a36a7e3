"""SQL-file migrations for host applications: `V001__create_users.sql`, `V002__add_email.sql`, ...

Files apply in version order, each in its own transaction, and each is recorded (version, name,
sha256 checksum, UTC time) in `memcore_sql_migrations`. Re-running applies nothing; a file changed
after it was applied is refused; a version older than one already applied is refused too (apply
it under a new number). `V003__x.postgresql.sql` (or `.sqlite.sql`, `.mysql.sql`, `.mariadb.sql`)
replaces `V003__x.sql` on that dialect; a version with only other dialects' files is skipped.

A failing file is rolled back and not recorded, so the database stays at the previous version.
MySQL and MariaDB commit every DDL statement on their own: there, the statements of the failing
file that ran before the failure stay applied, which the error says. Write MySQL migrations so each
file holds one DDL statement, or so its statements can be re-run (IF NOT EXISTS).
"""

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from memcore.domain.shared.errors import InvalidInput, MemcoreError
from memcore.infrastructure.sqlalchemy.sql_text import excerpt, statements_with_lines

TABLE = "memcore_sql_migrations"
_FILE = re.compile(r"^V(\d+)__([A-Za-z0-9_\-]+?)(?:\.(sqlite|postgresql|mysql|mariadb))?\.sql$")
_CREATE = (
    f"CREATE TABLE {TABLE} (version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, "
    "checksum VARCHAR(64) NOT NULL, applied_at VARCHAR(32) NOT NULL)"
)
_RECORD = f"INSERT INTO {TABLE} (version, name, checksum, applied_at) VALUES (:version, :name, :checksum, :applied_at)"
_APPLIED = f"SELECT version, name, checksum FROM {TABLE} ORDER BY version"


@attrs.frozen
class Migration:
    version: int
    name: str
    path: Path
    checksum: str
    sql: str


@attrs.frozen
class MigrationReport:
    """What a run did (or, with dry_run, would do)."""

    dialect: str
    applied: tuple[str, ...]  # file names applied by this run (dry run: none)
    pending: tuple[str, ...]  # file names this run found to apply
    version: int | None  # the version the database is at afterwards
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self, value_serializer=lambda _, __, v: list(v) if isinstance(v, tuple) else v)


def discover(directory: str | Path, dialect: str) -> list[Migration]:
    """The migrations for `dialect` in `directory`, in version order (dialect-specific files win)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InvalidInput(f"no migrations directory {folder}")
    wanted = ("mariadb", "mysql") if dialect == "mariadb" else (dialect,)
    by_version: dict[int, dict[str | None, Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix != ".sql":
            continue
        match = _FILE.match(path.name)
        if not match:
            raise InvalidInput(f"{path.name}: migration files are named V<number>__<name>[.<dialect>].sql")
        variants = by_version.setdefault(int(match.group(1)), {})
        target = match.group(3)
        if target in variants:
            raise InvalidInput(f"{path.name} and {variants[target].name} have the same version")
        variants[target] = path
    found = []
    for version in sorted(by_version):
        variants = by_version[version]
        path = next((variants[t] for t in wanted if t in variants), variants.get(None))
        if path is None:
            continue  # only other dialects have this version
        data = path.read_bytes()
        name = _FILE.match(path.name).group(2)  # type: ignore[union-attr]
        try:
            sql = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{path.name} is not UTF-8 text") from None
        found.append(Migration(version, name, path, hashlib.sha256(data).hexdigest(), sql))
    return found


def pending(migrations: Sequence[Migration], applied: Sequence[dict[str, Any]]) -> list[Migration]:
    """The migrations still to apply; refuses changed files and versions older than the newest applied."""
    recorded = {int(row["version"]): row for row in applied}
    for migration in migrations:
        row = recorded.get(migration.version)
        if row is not None and row["checksum"] != migration.checksum:
            raise InvalidInput(
                f"{migration.path.name} was changed after it was applied (checksum mismatch); "
                "put the change in a new migration file"
            )
    todo = [m for m in migrations if m.version not in recorded]
    newest = max(recorded, default=None)
    late = [m for m in todo if newest is not None and m.version < newest]
    if late:
        raise InvalidInput(
            f"{late[0].path.name} is older than version {newest}, which is already applied; "
            "give it a version after the newest"
        )
    return todo


def _failure(migration: Migration, number: int, line: int, statement: str, exc: MemcoreError, lex: str) -> MemcoreError:
    kept = (
        " (MySQL commits DDL as it runs: the statements before this one stay applied)"
        if lex == "mysql" and number > 1
        else ""
    )
    return type(exc)(
        f"{migration.path.name}: statement {number} (line {line}) failed: {excerpt(statement)}: {exc}; "
        f"the migration was rolled back and not recorded{kept}"
    )


def _lex(db: Any) -> str:
    return "mysql" if db.dialect == "mariadb" else db.dialect


def _record(migration: Migration) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    return {"version": migration.version, "name": migration.name, "checksum": migration.checksum, "applied_at": now}


def _report(
    db: Any, todo: list[Migration], done: list[Migration], applied: list[dict], dry_run: bool
) -> MigrationReport:
    versions = [int(row["version"]) for row in applied] + [m.version for m in done]
    return MigrationReport(
        dialect=db.dialect,
        applied=tuple(m.path.name for m in done),
        pending=tuple(m.path.name for m in todo),
        version=max(versions, default=None),
        dry_run=dry_run,
    )


def migrate(db: Any, directory: str | Path, dry_run: bool = False) -> MigrationReport:
    """Apply what is pending with a `Database`."""
    exists = db.table_exists(TABLE)
    migrations = discover(directory, db.dialect)
    applied = db.fetch_all(_APPLIED) if exists else []
    todo = pending(migrations, applied)
    done: list[Migration] = []
    if not dry_run:
        if not exists and todo:
            db.execute_script_statement(_CREATE)
        for migration in todo:
            with db.transaction():
                for number, (line, statement) in enumerate(statements_with_lines(migration.sql, _lex(db)), 1):
                    try:
                        db.execute_script_statement(statement)
                    except MemcoreError as exc:
                        raise _failure(migration, number, line, statement, exc, _lex(db)) from exc
                db.execute(_RECORD, _record(migration))
            done.append(migration)
    return _report(db, todo, done, applied, dry_run)


async def migrate_async(db: Any, directory: str | Path, dry_run: bool = False) -> MigrationReport:
    """Apply what is pending with an `AsyncDatabase`; the same steps as `migrate`."""
    exists = await db.table_exists(TABLE)
    migrations = discover(directory, db.dialect)
    applied = await db.fetch_all(_APPLIED) if exists else []
    todo = pending(migrations, applied)
    done: list[Migration] = []
    if not dry_run:
        if not exists and todo:
            await db.execute_script_statement(_CREATE)
        for migration in todo:
            async with db.transaction():
                for number, (line, statement) in enumerate(statements_with_lines(migration.sql, _lex(db)), 1):
                    try:
                        await db.execute_script_statement(statement)
                    except MemcoreError as exc:
                        raise _failure(migration, number, line, statement, exc, _lex(db)) from exc
                await db.execute(_RECORD, _record(migration))
            done.append(migration)
    return _report(db, todo, done, applied, dry_run)
