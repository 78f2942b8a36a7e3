#!/usr/bin/env bash
# Install and start throwaway PostgreSQL + MariaDB test servers on loopback for
# memcore's integration tests. Debian 12, run as root; safe to re-run.
# stdout carries ONLY the export lines, so use: eval "$(bash scripts/servers.sh)"
set -euo pipefail

DB=memcore_test USER_NAME=memcore PASS=memcore
PG_PORT=5432 MY_PORT=3306
MY_LOG=/tmp/memcore-mariadb.log      # mysqld_safe stdout/stderr
MY_ERR=/tmp/memcore-mariadb.err      # server error log

log() { echo "[servers.sh] $*" >&2; }
die() { echo "[servers.sh] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must be run as root"

# --- 1. packages ------------------------------------------------------------
PKGS=(postgresql postgresql-client mariadb-server mariadb-client)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Lock::Timeout waits for a concurrent apt/dpkg run instead of failing at once.
  apt-get -o DPkg::Lock::Timeout=600 update >&2 || die "apt-get update failed"
  apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
else
  log "packages already installed"
fi

# --- 2. PostgreSQL ------------------------------------------------------------
PG_VER=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n1)
[ -n "$PG_VER" ] || die "no PostgreSQL server found under /usr/lib/postgresql"
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PG_VER main"; then
  log "creating PostgreSQL $PG_VER cluster 'main'"
  pg_createcluster --port "$PG_PORT" "$PG_VER" main >&2 || die "pg_createcluster failed"
fi
# The suite keeps a pooled connection per engine and thread; several runs on one machine (or a
# host's own tests beside ours) outgrow the default 100 slots.
PG_MAX_CONNECTIONS=500
pg_conftool "$PG_VER" main set max_connections "$PG_MAX_CONNECTIONS" >&2
if pg_ctlcluster "$PG_VER" main status >/dev/null 2>&1; then
  running=$(runuser -u postgres -- psql -X -tAq -p "$PG_PORT" -c "SHOW max_connections" 2>/dev/null || echo 0)
  if [ "$running" != "$PG_MAX_CONNECTIONS" ]; then
    log "restarting PostgreSQL $PG_VER for max_connections=$PG_MAX_CONNECTIONS"
    pg_ctlcluster "$PG_VER" main restart >&2 </dev/null || die "pg_ctlcluster $PG_VER main restart failed"
  else
    log "PostgreSQL $PG_VER already running"
  fi
else
  log "starting PostgreSQL $PG_VER"
  # Daemon output goes to the cluster log file, so it does not hold our stdout open.
  pg_ctlcluster "$PG_VER" main start >&2 </dev/null \
    || die "pg_ctlcluster $PG_VER main start failed (see /var/log/postgresql/)"
fi
for _ in $(seq 60); do
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL not accepting connections on 127.0.0.1:$PG_PORT after 60 s"

pg() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"; }
# --- 3. role + database (CREATE DATABASE cannot run inside a DO block, hence the checks).
# C.UTF-8 locale: deterministic byte-order sorting regardless of the machine's locale.
if [ "$(pg -tAc "SELECT 1 FROM pg_roles WHERE rolname='$USER_NAME'")" != 1 ]; then
  pg -c "CREATE ROLE $USER_NAME LOGIN CREATEDB PASSWORD '$PASS'" >&2
fi
# Re-assert attributes and password every run, in case they drifted.
pg -c "ALTER ROLE $USER_NAME LOGIN CREATEDB PASSWORD '$PASS'" >&2
# The tests drop their scratch database WITH (FORCE); an autovacuum worker in it is a superuser
# process, which only a member of pg_signal_backend may terminate.
pg -c "GRANT pg_signal_backend TO $USER_NAME" >&2
if [ "$(pg -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'")" != 1 ]; then
  pg -c "CREATE DATABASE $DB OWNER $USER_NAME ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0" >&2
fi
log "PostgreSQL ready"

# --- 4. MariaDB ---------------------------------------------------------------
my_ping() { mysqladmin --protocol=socket -uroot ping >/dev/null 2>&1; }
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
if my_ping; then
  log "MariaDB already running"
else
  if [ ! -d /var/lib/mysql/mysql ]; then
    log "initialising MariaDB data directory"
    mariadb-install-db --user=mysql >&2 || die "mariadb-install-db failed"
  fi
  log "starting MariaDB (logs: $MY_LOG, $MY_ERR)"
  # setsid+nohup detach it from this shell; redirecting all fds keeps $(...) from hanging.
  # --skip-syslog: Debian's config logs to syslog, which containers often lack.
  nohup setsid mysqld_safe --skip-syslog --log-error="$MY_ERR" --bind-address=127.0.0.1 --port="$MY_PORT" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_bin --max-connections=500 \
    >"$MY_LOG" 2>&1 </dev/null &
  for _ in $(seq 60); do
    my_ping && break
    sleep 1
  done
  my_ping || die "MariaDB did not answer within 60 s (see $MY_ERR and $MY_LOG)"
fi

# --- 5. MariaDB database + user (root logs in via unix_socket auth on Debian) -
mariadb --protocol=socket -uroot >&2 <<SQL || die "MariaDB user/database setup failed"
-- As for PostgreSQL: room for several test runs at once (a server already running gets it here).
SET GLOBAL max_connections = 500;
-- The log is flushed to disk once a second, not at every commit: nothing crashes this test server
-- (the reliability suite's private servers keep the flush at every commit), and the vendored nexusql
-- files commit row by row, 50,000 times in one test, at ~6 ms a flush on a busy disk.
SET GLOBAL innodb_flush_log_at_trx_commit = 2;
CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$PASS';
CREATE USER IF NOT EXISTS '$USER_NAME'@'localhost' IDENTIFIED BY '$PASS';
ALTER USER '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$PASS';
ALTER USER '$USER_NAME'@'localhost' IDENTIFIED BY '$PASS';
-- Throwaway test server: tests may create extra databases, so grant everything.
GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'localhost';
FLUSH PRIVILEGES;
SQL
log "MariaDB ready"

# --- 6. the only stdout output ------------------------------------------------
echo "export MEMCORE_TEST_POSTGRES_URL=postgresql+psycopg://$USER_NAME:$PASS@127.0.0.1:$PG_PORT/$DB"
echo "export MEMCORE_TEST_MARIADB_URL=mysql+pymysql://$USER_NAME:$PASS@127.0.0.1:$MY_PORT/$DB?charset=utf8mb4"
