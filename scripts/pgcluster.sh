#!/usr/bin/env bash
# The project's own PostgreSQL cluster under var/pg, listening on 127.0.0.1 only.
#   pgcluster.sh start   create (first time) and start the cluster, create the database and extensions
#   pgcluster.sh stop    stop it
#   pgcluster.sh status  say whether it runs
# Writes var/local.env (DATABASE_URL, SECRET_KEY) for the app and the CLI. When run as root the
# cluster belongs to the `postgres` OS user, because initdb and postgres refuse to run as root.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_MAJOR=${BW_PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PORT=${BW_PGPORT:-54329}
DBNAME=${BW_DBNAME:-borderwatch}
VAR=$ROOT/var
DATA=$VAR/pg/data
RUN=$VAR/pg/run
LOG=$VAR/pg/server.log
PWFILE=$VAR/pg/password
ENVFILE=$VAR/local.env
. "$ROOT/scripts/localenv.sh"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$DATA/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

psql_super() {
  PGPASSWORD=$(cat "$PWFILE") "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U borderwatch "$@"
}

init() {
  mkdir -p "$VAR/pg" "$RUN"
  chmod 700 "$VAR/pg"
  if [ ! -f "$PWFILE" ]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$PWFILE")
  fi
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "borderwatch: the postgres OS user is missing (install postgresql-$PG_MAJOR)" >&2; exit 1; }
    chown -R postgres:postgres "$VAR/pg"
    # postgres must be able to reach var/pg through the parent folders
    d=$VAR; while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    echo "borderwatch: creating the database cluster in var/pg/data"
    as_owner "$PG_BIN/initdb" -D "$DATA" -U borderwatch --pwfile="$PWFILE" -E UTF8 --locale=C.UTF-8 \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 >/dev/null
    cat >> "$DATA/postgresql.conf" <<CONF
# borderwatch local cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN'
port = $PORT
max_connections = 100
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 512MB
fsync = on
synchronous_commit = on
full_page_writes = on
CONF
  fi
}

write_env() {
  set_env DATABASE_URL "postgresql://borderwatch:$(cat "$PWFILE")@127.0.0.1:$PORT/$DBNAME"
  grep -q '^SECRET_KEY=' "$ENVFILE" || set_env SECRET_KEY "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
}

start() {
  [ -x "$PG_BIN/pg_ctl" ] || { echo "borderwatch: PostgreSQL $PG_MAJOR is not installed (run scripts/system-deps.sh as root)" >&2; exit 1; }
  init
  if ! running; then
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -o "-p $PORT" start >/dev/null \
      || { echo "borderwatch: the cluster did not start; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
    echo "borderwatch: PostgreSQL running on 127.0.0.1:$PORT (data in var/pg/data)"
  fi
  if ! psql_super -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1; then
    psql_super -d postgres -c "CREATE DATABASE \"$DBNAME\""
  fi
  psql_super -d "$DBNAME" -c "CREATE EXTENSION IF NOT EXISTS postgis" -c "CREATE EXTENSION IF NOT EXISTS pgrouting"
  write_env
}

stop() {
  if running; then
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "borderwatch: PostgreSQL stopped"
  else
    echo "borderwatch: PostgreSQL is not running"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running on 127.0.0.1:$PORT"; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
