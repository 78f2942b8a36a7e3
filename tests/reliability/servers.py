"""Private PostgreSQL and MariaDB servers for the fault tests: own data directory, own port.

The shared test servers (scripts/servers.sh, ports 5432 and 3306) are never touched: the fault
tests restart and crash servers of their own, made here from the same Debian packages, on ports
5433 and 3307 by default (MEMCORE_FAULT_PG_PORT / MEMCORE_FAULT_MARIADB_PORT). Needs root, as CI
has (the servers run as the postgres and mysql users). Anything missing fails loudly.

Run by hand: `python -m tests.reliability.servers start|stop` prints the URLs;
`restart postgresql|mariadb` restarts one.
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

PASSWORD = "fault-pw-7Qx9"  # the secret the tests look for in every message
ROOT = Path(os.environ.get("MEMCORE_FAULT_DIR", "/tmp/memcore-faults"))


def claim(root: Path = ROOT) -> IO[str]:
    """Hold the lock of the servers' directory for this test run, or fail at once. A second run on
    the same directory and ports would restart, kill and destroy the first run's servers under it."""
    root.mkdir(parents=True, exist_ok=True)
    lock = open(root / "lock", "w")  # noqa: SIM115 (held until the run ends)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise RuntimeError(
            f"another test run is using the private fault servers in {root}; to run beside it, set"
            " MEMCORE_FAULT_DIR, MEMCORE_FAULT_PG_PORT and MEMCORE_FAULT_MARIADB_PORT"
        ) from None
    return lock


def _run(*args: str, user: str | None = None, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    command = ["runuser", "-u", user, "--", *args] if user else list(args)
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result


def _wait(ready, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {seconds} s")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl), role memcore with PASSWORD, database faults."""

    kind = "postgresql"

    def __init__(self, port: int | None = None) -> None:
        self.port = port or int(os.environ.get("MEMCORE_FAULT_PG_PORT", "5433"))
        self.dir = ROOT / f"pg-{self.port}"
        self.data = self.dir / "data"
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql (scripts/servers.sh)")
        self.bin = Path(found[-1]).parent

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://memcore:{PASSWORD}@127.0.0.1:{self.port}/faults"

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return _run(str(self.bin / "pg_ctl"), "-D", str(self.data), *args, user="postgres", check=check)

    def running(self) -> bool:
        return self._ctl("status", check=False).returncode == 0

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
            shutil.chown(self.dir, "postgres", "postgres")
            _run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8", user="postgres")  # fmt: skip
            with open(self.data / "pg_hba.conf", "w") as hba:  # the password is checked over TCP
                hba.write("local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                          "host all all 127.0.0.1/32 scram-sha-256\n")  # fmt: skip
            self._start()
            self._psql(f"CREATE ROLE memcore LOGIN PASSWORD '{PASSWORD}'")
            self._psql("CREATE DATABASE faults OWNER memcore ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0")
        elif not self.running():
            self._start()

    def _start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._ctl("-l", str(self.dir / "log"), "-o", options, "-w", "start")

    def _psql(self, sql: str) -> str:
        psql = str(self.bin / "psql")
        return _run(psql, "-X", "-h", str(self.dir), "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                    "-v", "ON_ERROR_STOP=1", "-Atc", sql, user="postgres").stdout  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash: no checkpoint, recovery from the WAL on the next start."""
        if self.running():
            self._ctl("-m", mode, "-w", "stop")

    def kill_connections(self) -> int:
        """Terminate every client connection to the faults database; how many there were."""
        out = self._psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'faults'")
        return int(out.strip() or 0)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateMariaDB:
    """A throwaway MariaDB server (mariadb-install-db + mariadbd, no system config), user memcore."""

    kind = "mariadb"

    def __init__(self, port: int | None = None) -> None:
        self.port = port or int(os.environ.get("MEMCORE_FAULT_MARIADB_PORT", "3307"))
        self.dir = ROOT / f"mariadb-{self.port}"
        self.data = self.dir / "data"
        self.socket = self.dir / "mysqld.sock"
        self.process: subprocess.Popen | None = None
        for tool in ("mariadb-install-db", "mariadbd", "mariadb"):
            if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
                raise RuntimeError(f"{tool} not found (the mariadb-server package, scripts/servers.sh)")

    @property
    def url(self) -> str:
        return f"mysql+pymysql://memcore:{PASSWORD}@127.0.0.1:{self.port}/faults?charset=utf8mb4"

    def _client(self, sql: str, check: bool = True) -> subprocess.CompletedProcess:
        return _run("mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-N", "-e", sql, check=check)

    def running(self) -> bool:
        return self.socket.exists() and self._client("SELECT 1", check=False).returncode == 0

    def start(self) -> None:
        if not (self.data / "mysql").exists():
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir.mkdir(parents=True)
            shutil.chown(self.dir, "mysql", "mysql")
            _run("mariadb-install-db", "--no-defaults", "--user=mysql", f"--datadir={self.data}",
                 "--auth-root-authentication-method=socket", "--skip-test-db")  # fmt: skip
            self._start()
            self._client(
                f"CREATE DATABASE faults CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
                f"CREATE USER 'memcore'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}';"
                f"GRANT ALL PRIVILEGES ON *.* TO 'memcore'@'127.0.0.1'; FLUSH PRIVILEGES;"
            )
        elif not self.running():
            self._start()

    def _start(self) -> None:
        mariadbd = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
        self.process = subprocess.Popen(
            [
                mariadbd,
                "--no-defaults",
                "--user=mysql",
                f"--datadir={self.data}",
                f"--socket={self.socket}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--pid-file={self.dir / 'mysqld.pid'}",
                f"--log-error={self.dir / 'error.log'}",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_bin",
                "--innodb-buffer-pool-size=32M",
                "--skip-log-bin",
                "--innodb-flush-log-at-trx-commit=1",
                "--max-connections=100",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait(self.running, f"private MariaDB on port {self.port} (see {self.dir / 'error.log'})")

    def _pid(self) -> int | None:
        try:
            return int((self.dir / "mysqld.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash (SIGKILL: InnoDB recovers from its redo log on the next start)."""
        pid = self._pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGKILL if mode == "immediate" else signal.SIGTERM)
        except ProcessLookupError:
            return
        _wait(lambda: not _alive(pid), f"MariaDB {pid} stopping")
        if self.process is not None:
            self.process.wait(10)
            self.process = None
        self.socket.unlink(missing_ok=True)

    def kill_connections(self) -> int:
        """KILL every client connection of user memcore; how many there were."""
        ids = self._client("SELECT id FROM information_schema.processlist WHERE user = 'memcore'").stdout.split()
        for thread_id in ids:
            self._client(f"KILL {thread_id}", check=False)
        return len(ids)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of ours counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


SERVERS = {"postgresql": PrivatePostgres, "mariadb": PrivateMariaDB}


def restart(name: str) -> None:
    """Stop the private server of kind `name` (cleanly) and start it again."""
    server = SERVERS[name]()
    server.stop("fast")
    server.start()


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "start"
    if action == "restart":  # `restart postgresql|mariadb`: what the faults bench's MEMCORE_BENCH_RESTART runs
        restart(sys.argv[2])
        sys.exit(0)
    for name, kind in SERVERS.items():
        server = kind()
        getattr(server, action)()
        print(f"{name}: {server.url if action == 'start' else action}")
