"""Embedding is safe: the built wheel holds only `memcore`, and a host application with its own
`domain`, `application`, `infrastructure` and `migrations` packages uses both, in a fresh venv."""

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
HOST_PACKAGES = ("domain", "application", "infrastructure", "migrations")
HOST_SCRIPT = """\
import json, sys

import application, domain, infrastructure, migrations   # the host's own packages
import memcore

with memcore.connect(sys.argv[1]) as app:
    app.migrate()
    created = app.handle(memcore.StoreMemory("host:owner", {"owner": domain.OWNER}))
    value, _ = app.memory.get_value("host:owner")
    revision = app.revision()
owners = {name: sys.modules[name].OWNER for name in ("domain", "application", "infrastructure", "migrations")}
print(json.dumps({"created": created, "value": value, "revision": revision, "owners": owners,
                  "memcore": memcore.__file__, "domain": domain.__file__}))
"""


def _run(*args: str, cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(ROOT), cwd=dist)
    (built,) = dist.glob("memcore-*.whl")
    return built


@pytest.fixture(scope="module")
def venv_python(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment (no site-packages of this interpreter) with the wheel installed."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel), cwd=home)
    return python


@pytest.fixture
def clean_env(monkeypatch) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "DATABASE_URL", "MEMCORE_CONFIG"))}
    env.pop("PYTHONPATH", None)
    return env


def test_the_wheels_only_top_level_package_is_memcore(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"memcore", f"{wheel.name.split('-py3')[0]}.dist-info"}
    for required in ("memcore/py.typed", "memcore/migrations/env.py", "memcore/migrations/alembic.ini",
                     "memcore/migrations/versions/0001_conflicts.py", "memcore/compat/chat.py",
                     "memcore/infrastructure/cli/main.py"):  # fmt: skip
        assert required in names


@pytest.fixture
def host_app(tmp_path) -> Path:
    host = tmp_path / "host"
    for name in HOST_PACKAGES:
        (host / name).mkdir(parents=True)
        (host / name / "__init__.py").write_text(f'OWNER = "host {name}"\n')
    (host / "main.py").write_text(HOST_SCRIPT)
    return host


def test_a_host_app_with_the_same_package_names_uses_both(venv_python, host_app, sql_engine, clean_env):
    url = sql_engine.url.render_as_string(hide_password=False)
    report = json.loads(_run(str(venv_python), "main.py", url, cwd=host_app, env=clean_env))
    assert report["owners"] == {name: f"host {name}" for name in HOST_PACKAGES}
    assert report["domain"] == str(host_app / "domain" / "__init__.py")
    assert report["memcore"].startswith(str(venv_python.parents[1])) and "site-packages" in report["memcore"]
    assert report["created"] is True and report["value"] == {"owner": "host domain"}
    assert report["revision"] is not None


def test_the_readmes_first_command_runs_the_quickstart_from_the_installed_wheel(venv_python, tmp_path, clean_env):
    out = _run(str(venv_python.parent / "memcore"), "quickstart", cwd=tmp_path, env=clean_env)
    assert (tmp_path / "memcore.db").exists()
    assert "conflict" in out.lower()
    _run(str(venv_python.parent / "memcore"), "db", "current", cwd=tmp_path, env=clean_env)


WITHOUT_EXTRA = """
import memcore, memcore.integrations
try:
    import memcore.integrations.langgraph
except ImportError as exc:
    print(exc)
"""


def test_without_the_langgraph_extra_the_adapter_names_the_pip_command(venv_python, tmp_path, clean_env):
    # The wheel's venv has memcore's dependencies only: LangGraph is an extra.
    out = _run(str(venv_python), "-c", WITHOUT_EXTRA, cwd=tmp_path, env=clean_env)
    assert "pip install memcore[langgraph]" in out


def test_alembic_upgrades_from_the_repository(tmp_path, clean_env):
    env = {**clean_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'alembic.db'}"}
    _run(sys.executable, "-m", "alembic", "-c", "migrations/alembic.ini", "upgrade", "head", cwd=ROOT, env=env)
    out = _run(sys.executable, "-m", "alembic", "-c", "migrations/alembic.ini", "current", cwd=ROOT, env=env)
    assert "(head)" in out
