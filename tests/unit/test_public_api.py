"""The public face: `import memcore` is light, `connect` builds the application, the names hosts use exist."""

import ast
import importlib
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
from dependency_injector import providers

import memcore
from memcore.infrastructure.inmemory.unit_of_work import InMemoryStore, InMemoryUnitOfWork

ROOT = Path(__file__).parents[2]
LAYERS = ("domain", "application", "infrastructure", "migrations")
DROP_INS = ("conflict_store", "ltm", "ideas", "chat", "checkpoints", "database", "conversation_memory", "metrics")


def test_importing_memcore_loads_no_database_library():
    heavy = "('sqlalchemy', 'alembic', 'dependency_injector', 'psycopg', 'pymysql')"
    code = f"import sys, memcore, memcore.views; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/").stdout
    assert out.strip() == "[]"


def test_every_public_name_resolves():
    for name in memcore.__all__:
        assert getattr(memcore, name) is not None, name
    assert memcore.connect.__module__ == "memcore.infrastructure.app"
    assert memcore.StoreMemory.__name__ == "StoreMemory" and issubclass(memcore.NotFound, memcore.MemcoreError)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        memcore.nope  # noqa: B018


def test_the_version_is_the_installed_distributions():
    assert memcore.__version__ == importlib.metadata.version("memcore")


def test_the_package_ships_its_type_hints():
    assert (Path(memcore.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize("store", DROP_INS)
def test_each_drop_in_is_public_under_memcore_compat(store):
    public = importlib.import_module(f"memcore.compat.{store}")
    implementation = importlib.import_module(f"memcore.infrastructure.compat.{store}")
    assert public.__all__ == implementation.__all__ and public.__all__
    for name in public.__all__:
        assert getattr(public, name) is getattr(implementation, name)


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_imports_a_layer_by_its_bare_top_level_name():
    # In the repository the folders are importable by their bare names too; installed they are not.
    offenders = []
    for folder in (*LAYERS, "memcore", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if set(LAYERS) & _imported_roots(path):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_in_memory_application_runs_commands_and_queries():
    with memcore.connect("memory://") as app:
        app.migrate()  # nothing to do, and no error
        assert app.handle(memcore.StoreMemory("k", {"v": 1})) is True
        assert app.memory.get_value("k") == ({"v": 1}, None)
        conflict_id = app.handle(memcore.RecordConflict("u", "a", "b", "city", 0.9, 0.5))
        assert [view.id for view in app.pending_conflicts("u")] == [conflict_id]
        with pytest.raises(memcore.InvalidInput, match="no SQL database"):
            app.database  # noqa: B018
    with pytest.raises(memcore.StorageUnavailable, match="closed"):
        app.handle(memcore.StoreMemory("k", 2))


def test_events_reach_subscribers_after_the_commit():
    seen = []
    with memcore.connect("memory://") as app:
        app.subscribe(memcore.views.ConflictRecorded, seen.append)
        conflict_id = app.handle(memcore.RecordConflict("u", "a", "b", "city", 0.9, 0.5))
    assert [event.conflict_id for event in seen] == [conflict_id]


def test_settings_are_named_and_checked():
    with pytest.raises(memcore.InvalidInput, match="unknown settings: pool_sise"):
        memcore.connect("memory://", pool_sise=3)
    with pytest.raises(memcore.InvalidInput, match="pool_size must be int"):
        memcore.connect("memory://", pool_size="3")
    assert memcore.connect("memory://", pool_size=3).settings.pool_size == 3


def test_a_url_is_shown_with_its_password_masked():
    app = memcore.connect("postgresql://app:s3cret@db.example/app")
    assert "s3cret" not in repr(app) and "s3cret" not in app.url and "***" in app.url


def test_without_a_url_the_environment_wins_else_sqlite_in_the_working_directory(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "DB_HOST", "DB_PATH", "MEMCORE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert memcore.connect().settings.url == "sqlite:///memcore.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert memcore.connect().settings.url.endswith("env.db")
    assert memcore.connect("memory://").settings.url == "memory://"


def test_tests_can_override_the_containers_providers(tmp_path):
    store = InMemoryStore()
    app = memcore.connect(f"sqlite:///{tmp_path / 'never.db'}")
    app.container.uow.override(providers.Factory(InMemoryUnitOfWork, store=store))
    app.handle(memcore.StoreMemory("k", 1))
    assert app.memory.get_value("k") == (1, None)
    with InMemoryUnitOfWork(store) as uow:
        assert uow.memory.get("k").value == 1
    app.close()
    assert not (tmp_path / "never.db").exists()
