"""Export / import / copy / verify between every pair of dialects: exact round trips, refusals, reports."""

import signal
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

import memcore
from memcore.infrastructure.settings import Settings
from memcore.infrastructure.sqlalchemy.engine import build_engine
from memcore.transfer import copy_store, export_store, import_store, verify_stores
from tests.conftest import SQL_DIALECTS, dialect_param, server_url

PAIRS = [(a, b) for a in SQL_DIALECTS for b in SQL_DIALECTS]
HUGE = "🦀" * 60_000 + "ß"  # 4-byte characters, a large value


def _fresh(dialect: str, name: str, tmp_path) -> str:
    """The URL of an empty database of its own on `dialect`."""
    if dialect == "sqlite":
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    base = make_url(server_url(dialect))
    database = f"{base.database}_{name}"
    admin = build_engine(Settings(url=server_url(dialect)))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if dialect == "postgresql":
                connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                connection.execute(
                    text(f"CREATE DATABASE {database} ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0")
                )
            else:
                connection.execute(text(f"DROP DATABASE IF EXISTS {database}"))
                connection.execute(text(f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    finally:
        admin.dispose()
    return base.set(database=database).render_as_string(hide_password=False)


def _pair_param(a: str, b: str) -> object:
    marks = [getattr(pytest.mark, d) for d in {a, b} if d != "sqlite"]
    return pytest.param(a, b, marks=marks, id=f"{a}-{b}")


def populate(url: str) -> dict:
    """A store touching every context, with the values that must survive exactly."""
    with memcore.connect(url) as app:
        app.migrate()
        conflict = app.handle(memcore.RecordConflict("alice", "m1", "m2", "home_city", 0.1 + 0.2, 1 / 3))
        app.handle(memcore.AddIdeas([
            {"title": f"Idea {n} ✨", "score": n, "keywords": ["ai", "日本"], "source_id": f"yt:{n}",
             "metadata": {"ratio": 2.5e-308, "big": 2**53 + 1, "nested": {"ü": [1, None, True]}}}
            for n in range(1, 6)
        ]))  # fmt: skip
        app.handle(memcore.StoreMemory("user:1:bio", {"bio": "grows tomatoes", "huge": HUGE, "pi": 3.141592653589793}))
        app.handle(memcore.StoreMemory("user:1:🙂", "emoji key", {"user": "1"}))
        expires = datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
        app.handle(memcore.TrackCatalogEntry("files/a.pdf", "sha256:ab", "s3://b/a.pdf", 10, expires_at=expires))
        app.handle(memcore.CreateSnapshot("nightly"))
        user, _ = app.handle(memcore.GetOrCreateUser("auth0|1", name="Ann"))
        chat = app.handle(memcore.StartConversation(user_id=user.id, title="Refund"))
        for n in range(3):
            app.handle(memcore.PostMessage(chat.id, "user", f"message {n} — 𝄞", role_metadata={"n": n}))
        app.handle(memcore.BulkUpsertKnowledgeChunks([
            {"source": "faq", "external_id": "refunds", "content": "Refunds take five days."},
        ]))  # fmt: skip
        app.handle(memcore.SaveCheckpoint("thread-1", "planner", {"step": 1, "when": "2024-01-01"}))
        return {"conflict": conflict, "chat": chat.id}


@pytest.mark.parametrize(("source", "destination"), [_pair_param(a, b) for a, b in PAIRS])
def test_a_copy_moves_every_context_exactly_and_the_copy_works(source, destination, tmp_path):
    src, dst = _fresh(source, "transfer_a", tmp_path), _fresh(destination, "transfer_b", tmp_path)
    ids = populate(src)

    report = copy_store(src, dst)

    assert report.verify.ok, report.verify.differences
    assert report.rows["messages"] == 3 and report.rows["idea_inspiration"] == 5
    assert verify_stores(src, dst).ok
    with memcore.connect(dst) as app:
        assert app.memory.get_value("user:1:bio")[0]["huge"] == HUGE
        assert [hit.entry.key for hit in app.memory.search("tomatoes")] == ["user:1:bio"]  # index rebuilt
        assert [hit.external_id for hit in app.knowledge.search("refunds")] == ["refunds"]
        assert app.get_conflict(ids["conflict"]).similarity_score == 0.1 + 0.2
        assert [m.content for m in app.conversations.messages(ids["chat"])][-1] == "message 2 — 𝄞"
        assert app.catalog.get("files/a.pdf").expires_at == datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
        idea = app.handle(memcore.AddIdea({"title": "after the copy"}))  # the sequence is past the copied ids
        assert idea > 5


@pytest.mark.parametrize(("source", "destination"), [_pair_param(a, b) for a, b in PAIRS if a != b or a == "sqlite"])
def test_an_export_restores_into_any_dialect(source, destination, tmp_path):
    src, dst = _fresh(source, "transfer_a", tmp_path), _fresh(destination, "transfer_b", tmp_path)
    populate(src)
    archive = tmp_path / "store.zip"

    manifest = export_store(src, archive)
    report = import_store(archive, dst)

    assert report.verify.ok and manifest["tables"]["messages"]["rows"] == 3
    assert {name.split("/")[0] for name in zipfile.ZipFile(archive).namelist()} == {"manifest.json", "tables"}
    assert verify_stores(src, dst).ok


@pytest.fixture(params=[dialect_param(d) for d in SQL_DIALECTS])
def two_stores(request, tmp_path):
    src, dst = _fresh(request.param, "transfer_a", tmp_path), _fresh("sqlite", "transfer_b", tmp_path)
    populate(src)
    return src, dst


def test_a_destination_holding_data_is_refused_unless_replaced(two_stores):
    src, dst = two_stores
    copy_store(src, dst)
    with pytest.raises(memcore.AlreadyExists, match=r"already holds data .*--replace"):
        copy_store(src, dst)
    with memcore.connect(dst) as app:
        app.handle(memcore.StoreMemory("only-in-destination", 1))
    assert not verify_stores(src, dst).ok
    assert copy_store(src, dst, replace=True).verify.ok
    with memcore.connect(dst) as app:
        assert app.memory.get("only-in-destination") is None


def test_verify_names_the_first_differing_row(two_stores):
    src, dst = two_stores
    copy_store(src, dst)
    with memcore.connect(dst) as app:
        app.handle(memcore.StoreMemory("user:1:bio", {"bio": "changed"}))
    report = verify_stores(src, dst)
    (difference,) = report.differences
    assert difference.table == "ltm_entries" and difference.key == {"key": "user:1:bio"}
    assert "user:1:bio" in str(difference)


def test_a_context_moves_alone(two_stores):
    src, dst = two_stores
    report = copy_store(src, dst, contexts=["memory"])
    assert set(report.rows) == {"ltm_entries", "ltm_catalog", "ltm_catalog_snapshots"}
    with memcore.connect(dst) as app:
        assert app.memory.get("user:1:bio") is not None and app.ideas.count() == 0
    with pytest.raises(memcore.InvalidInput, match="unknown context nope"):
        copy_store(src, dst, contexts=["nope"], replace=True)


def test_a_damaged_archive_is_refused_and_the_destination_is_left_as_it_was(tmp_path):
    src, dst = _fresh("sqlite", "transfer_a", tmp_path), _fresh("sqlite", "transfer_b", tmp_path)
    populate(src)
    archive = tmp_path / "store.zip"
    export_store(src, archive)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as good, zipfile.ZipFile(damaged, "w") as bad:
        for item in good.infolist():
            data = good.read(item)
            bad.writestr(item, data.replace(b"tomatoes", b"potatoes") if "ltm_entries" in item.filename else data)
    with pytest.raises(memcore.InvalidInput, match="ltm_entries do not match the manifest's checksum"):
        import_store(damaged, dst)
    with memcore.connect(dst) as app:
        assert app.memory.get("user:1:🙂") is None and app.ideas.count() == 0  # nothing committed
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(memcore.InvalidInput, match="not a memcore archive"):
        import_store(truncated, dst)
    assert import_store(archive, dst).verify.ok


def test_an_archive_from_an_unknown_schema_is_refused(tmp_path):
    src, dst = _fresh("sqlite", "transfer_a", tmp_path), _fresh("sqlite", "transfer_b", tmp_path)
    populate(src)
    archive, newer = tmp_path / "store.zip", tmp_path / "newer.zip"
    export_store(src, archive)
    with zipfile.ZipFile(archive) as good, zipfile.ZipFile(newer, "w") as bad:
        for item in good.infolist():
            data = good.read(item)
            if item.filename == "manifest.json":
                data = data.replace(b'"schema_revision": "', b'"schema_revision": "9999')
            bad.writestr(item, data)
    with pytest.raises(memcore.InvalidInput, match=r"schema revision .* unknown to this memcore"):
        import_store(newer, dst)


def test_an_unreachable_database_is_a_clear_error_with_the_password_masked(tmp_path):
    src = _fresh("sqlite", "transfer_a", tmp_path)
    populate(src)
    with pytest.raises(memcore.StorageUnavailable) as caught:
        copy_store(src, "postgresql+psycopg://app:s3cret@127.0.0.1:1/none")
    assert "s3cret" not in str(caught.value)


def test_a_snapshot_export_ignores_writes_made_while_it_runs(tmp_path):
    src = _fresh("sqlite", "transfer_a", tmp_path)
    populate(src)
    archive = tmp_path / "store.zip"

    class WriteDuringExport:
        def __init__(self):
            self.app = memcore.connect(src)

        def table(self, name, total):
            self.app.handle(memcore.StoreMemory(f"written-during-{name}", 1))

        def advance(self, rows):
            return None

    progress = WriteDuringExport()
    manifest = export_store(src, archive, progress=progress)
    progress.app.close()
    assert manifest["tables"]["ltm_entries"]["rows"] == 2  # the snapshot's two entries only


def _idea_rows(url: str, count: int) -> None:
    with memcore.connect(url) as app:
        app.migrate()
        app.handle(memcore.AddIdeas([{"title": f"Idea {n}", "score": n % 101} for n in range(count)]))


def _migrated(url: str) -> str:
    with memcore.connect(url) as app:
        app.migrate()
    return url


def _rows_in(url: str) -> int:
    engine = build_engine(Settings(url=url))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT COUNT(*) FROM idea_inspiration")).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("destination", [dialect_param(d) for d in SQL_DIALECTS])
def test_a_copy_killed_midway_leaves_nothing_behind_and_a_rerun_finishes(destination, tmp_path):
    src = _fresh("sqlite", "transfer_a", tmp_path)
    _idea_rows(src, 40_000)
    command = [sys.executable, "-m", "memcore", "db", "copy", src, "--batch-size", "500", "--json"]
    timing = _migrated(_fresh(destination, "transfer_t", tmp_path))
    started = time.perf_counter()
    subprocess.run([*command[:5], src, timing, *command[6:]], check=True, capture_output=True, timeout=600)
    full = time.perf_counter() - started
    for fraction in (0.35, 0.2, 0.1):  # while it writes, mostly; a loaded machine may finish sooner
        if destination == "sqlite":
            (tmp_path / "transfer_b.db").unlink(missing_ok=True)
        dst = _migrated(_fresh(destination, "transfer_b", tmp_path))  # the child's time goes to the copy
        child = subprocess.Popen([*command[:5], src, dst, *command[6:]], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(full * fraction)
        if child.poll() is None:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL  # it was still running: killed midway
    time.sleep(0.5)  # the server notices the dropped connection and rolls back
    left = _rows_in(dst)
    # All or nothing: killed while writing, nothing committed; killed while verifying (after the
    # commit), the copy is complete, and says so when verified.
    assert left in (0, 40_000)
    if left:
        assert verify_stores(src, dst).ok

    assert copy_store(src, dst, replace=True).verify.ok  # started again, it finishes
    assert _rows_in(dst) == 40_000


@pytest.mark.mariadb
def test_a_mariadb_load_skips_the_search_triggers_and_leaves_them_working_afterwards(tmp_path):
    from memcore.application.transfer import service
    from memcore.infrastructure.transfer.sql_store import SqlStoreReader, SqlStoreWriter

    src, dst = _fresh("sqlite", "transfer_a", tmp_path), _fresh("mariadb", "transfer_b", tmp_path)
    populate(src)
    source, destination = build_engine(Settings(url=src)), build_engine(Settings(url=dst, pool_size=1, max_overflow=0))
    try:
        reader, writer = SqlStoreReader(source), SqlStoreWriter(destination)
        assert service.copy_store(reader, writer, lambda: SqlStoreReader(destination)).verify.ok
        with destination.connect() as connection:  # the pool's one connection: the load's own
            assert connection.exec_driver_sql("SELECT @memcore_bulk_load").scalar() is None
            assert connection.exec_driver_sql("SELECT COUNT(*) FROM knowledge_chunks_search").scalar() == 1
    finally:
        source.dispose(), destination.dispose()
    with memcore.connect(dst) as app:
        app.handle(memcore.UpsertKnowledgeChunk("faq", "zeppelins", "Zeppelins carried passengers."))
        assert [hit.external_id for hit in app.knowledge.search("zeppelins")] == ["zeppelins"]  # triggers on
        assert [hit.external_id for hit in app.knowledge.search("refunds")] == ["refunds"]  # rebuilt once
