"""The transfer use cases on database URLs and archive paths: what `memcore db export | import |
copy | verify` and `memcore.transfer` run."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from memcore.application.transfer import service
from memcore.application.transfer.ports import Progress
from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy import migrate
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.infrastructure.transfer.archive import ZipArchiveReader, ZipArchiveWriter
from memcore.infrastructure.transfer.sql_store import SqlStoreReader, SqlStoreWriter

DEFAULT_BATCH = service.DEFAULT_BATCH


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("memcore")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


@contextmanager
def engine(url: str) -> Iterator[Engine]:
    """An engine on `url` with the environment's pool settings, disposed afterwards."""
    built = build_engine(Settings.from_env().with_url(url))
    try:
        yield built
    finally:
        built.dispose()


def _parsed(url: str) -> Any:
    try:
        return make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise InvalidInput("not a database URL (expected dialect+driver://user:password@host/database)") from None


def _distinct(a: str, b: str) -> None:
    _parsed(a), _parsed(b)
    same = make_url(a).render_as_string(hide_password=False) == make_url(b).render_as_string(hide_password=False)
    if same:
        raise InvalidInput("the source and the destination are the same database")


def export_store(
    url: str,
    path: str | Path,
    *,
    contexts: Sequence[str] | None = None,
    batch_size: int = DEFAULT_BATCH,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write one consistent snapshot of the store at `url` to the archive `path`; returns its manifest."""
    archive = ZipArchiveWriter(path, overwrite=overwrite)
    try:
        with engine(url) as bound:
            manifest = service.export_store(
                SqlStoreReader(bound), archive, contexts=contexts, batch_size=batch_size,
                progress=progress, version=_version(),
            )  # fmt: skip
    except BaseException:
        archive.abort()
        raise
    return manifest


def import_store(
    path: str | Path,
    url: str,
    *,
    contexts: Sequence[str] | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> service.TransferReport:
    """Restore the archive `path` into the database at `url` (migrated first), then verify it."""
    archive = ZipArchiveReader(path)
    try:
        with engine(url) as bound:
            return service.import_store(
                archive, SqlStoreWriter(bound), lambda: SqlStoreReader(bound),
                known_revisions=migrate.revisions(), contexts=contexts, replace=replace, progress=progress,
            )  # fmt: skip
    finally:
        archive.close()


def copy_store(
    source: str,
    destination: str,
    *,
    contexts: Sequence[str] | None = None,
    replace: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> service.TransferReport:
    """Copy one snapshot of `source` into `destination` (migrated first), then verify it."""
    _distinct(source, destination)
    with engine(source) as src, engine(destination) as dst:
        if migrate.current(src) is None:
            raise InvalidInput(f"{SqlStoreReader(src).masked_url} has no memcore schema to copy")
        return service.copy_store(
            SqlStoreReader(src), SqlStoreWriter(dst), lambda: SqlStoreReader(dst),
            contexts=contexts, replace=replace, batch_size=batch_size, progress=progress,
        )  # fmt: skip


def verify_stores(
    a: str, b: str, *, contexts: Sequence[str] | None = None, batch_size: int = DEFAULT_BATCH
) -> service.VerifyReport:
    """Compare the stores at `a` and `b` table by table (row counts, checksums, first differing row)."""
    with engine(a) as left, engine(b) as right:
        return service.verify_stores(SqlStoreReader(left), SqlStoreReader(right), contexts=contexts,
                                     batch_size=batch_size)  # fmt: skip
