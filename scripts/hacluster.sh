#!/usr/bin/env bash
# A replicated PostgreSQL for borderwatch under var/ha, on 127.0.0.1 only: a pg_auto_failover
# monitor, a primary and a synchronous secondary (pg_autoctl of the Debian package
# postgresql-15-auto-failover), PostGIS and pgRouting in the app's database. The app's single
# embedded cluster (scripts/pgcluster.sh, port 54329) is not touched.
#   hacluster.sh start            create (first time) and start the three, wait until the
#                                 secondary streams, write var/ha/ha.env (DATABASE_URL ...)
#   hacluster.sh stop             stop the nodes and the monitor
#   hacluster.sh status           the monitor's view of the nodes (pg_autoctl show state)
#   hacluster.sh failover         a planned switch of primary (pg_autoctl perform failover)
#   hacluster.sh kill NODE        SIGKILL NODE's pg_autoctl and postmaster (a machine lost)
#   hacluster.sh lose NODE        kill NODE, then make its data directory unavailable
#   hacluster.sh rebuild NODE     drop NODE from the monitor, wipe it, join it again as the
#                                 secondary (pg_basebackup from the primary)
#   hacluster.sh primary          print the name of the node that is primary now
#   hacluster.sh backup [TYPE]    a pgBackRest backup (full, diff or incr; incr by default, full
#                                 when there is none) from the primary into var/ha/backups
#   hacluster.sh restore TIME     point-in-time restore of the backups and archived WAL up to
#                                 TIME (e.g. "2026-12-07 14:05:00+07") into var/ha/restore, started
#                                 on the port after the nodes' (read it, copy from it; the nodes
#                                 are not touched)
#   hacluster.sh restore-stop     stop the restored copy
# Every node archives its WAL with pgBackRest (archive_command) to the repository
# var/ha/backups (BW_HA_REPO), which keeps two full backups and the WAL they need
# (repo1-retention-full=2).
# NODE is node1 or node2. Settings: BW_HA_DIR (var/ha), BW_HA_PORT (5441: the monitor; the
# nodes take the next two ports), BW_HA_FAST (1: the monitor declares a node unhealthy after
# 4 s instead of 20 s and promotes after 4 s instead of 30 s; 0 keeps pg_auto_failover's
# defaults, for links slower than loopback). Authentication is `trust` from 127.0.0.1 only, as
# for the harness clusters of bench/: a development and test topology, never exposed.
# When run as root the clusters belong to the `postgres` OS user (initdb and pg_autoctl refuse
# root).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PG_MAJOR=${BW_PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
HA=$(realpath -m "${BW_HA_DIR:-$ROOT/var/ha}")
BASE_PORT=${BW_HA_PORT:-5441}
FAST=${BW_HA_FAST:-1}
DBNAME=${BW_DBNAME:-borderwatch}
MONITOR_PORT=$BASE_PORT
ENVFILE=$HA/ha.env
STANZA=borderwatch
REPO=$(realpath -m "${BW_HA_REPO:-$HA/backups}")
BACKREST_CONF=$HA/pgbackrest.conf
RESTORE_PORT=$((BASE_PORT + 3))
MONITOR_URL="postgres://autoctl_node@127.0.0.1:$MONITOR_PORT/pg_auto_failover?sslmode=disable"

node_port() { case "$1" in monitor) echo "$MONITOR_PORT" ;; node1) echo $((BASE_PORT + 1)) ;; node2) echo $((BASE_PORT + 2)) ;; *) echo "unknown node: $1 (node1 or node2)" >&2; exit 2 ;; esac; }
pgdata() { echo "$HA/$1/data"; }

# The command prefix that runs a program as the clusters' owner, with pg_autoctl's state kept
# under var/ha (XDG folders) instead of the owner's home.
owner=(env "PG_CONFIG=$PG_BIN/pg_config" "XDG_CONFIG_HOME=$HA/config" "XDG_DATA_HOME=$HA/share"
  "XDG_RUNTIME_DIR=$HA/run" "PATH=$PG_BIN:/usr/bin:/bin")
[ "$(id -u)" = 0 ] && owner=(runuser -u postgres -- "${owner[@]}")
as_owner() { "${owner[@]}" "$@"; }
superuser=$( [ "$(id -u)" = 0 ] && echo postgres || id -un )

psql_at() { # psql_at PORT DB SQL...: as the superuser, over TCP
  local port=$1 db=$2 user=borderwatch; shift 2
  [ "$port" = "$MONITOR_PORT" ] && user=$superuser
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$user" -d "$db" "$@"
}

monitor_sql() { psql_at "$MONITOR_PORT" pg_auto_failover -c "$1"; }

keeper_running() { [ -d "$(pgdata "$1")" ] && as_owner pg_autoctl status --pgdata "$(pgdata "$1")" >/dev/null 2>&1; }

run_keeper() { # start NODE's pg_autoctl supervisor (and through it, postgres) in the background
  local node=$1
  keeper_running "$node" && return 0
  mkdir -p "$HA/log"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$HA/log"
  setsid nohup "${owner[@]}" pg_autoctl run --pgdata "$(pgdata "$node")" \
    </dev/null >> "$HA/log/$node.log" 2>&1 &
  for _ in $(seq 1 120); do
    psql_at "$(node_port "$node")" postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "borderwatch: $node did not start; see $HA/log/$node.log" >&2
  tail -20 "$HA/log/$node.log" >&2
  exit 1
}

prepare_dirs() {
  mkdir -p "$HA/config" "$HA/share" "$HA/run" "$HA/log"
  chmod 700 "$HA"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "borderwatch: the postgres OS user is missing (install postgresql-$PG_MAJOR)" >&2; exit 1; }
    chown postgres:postgres "$HA" "$HA/config" "$HA/share" "$HA/run" "$HA/log"
    # postgres must be able to reach var/ha through the parent folders
    local d; d=$(dirname "$HA"); while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    # the nodes' sockets, where pg_autoctl and pgBackRest find them (libpq's default folder);
    # made at boot by Debian's tmpfiles, which a machine without systemd does not run
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  fi
}

tune() { # small clusters on a shared machine; durable commits
  local node=$1
  as_owner sh -c "cat >> '$(pgdata "$node")/postgresql.conf'" <<CONF
# borderwatch HA node ($node)
shared_buffers = 128MB
max_connections = 100
fsync = on
full_page_writes = on
synchronous_commit = on
wal_keep_size = 256MB
# a commit is acknowledged once the secondary has applied it: what the app reads from the
# replica includes its own writes
synchronous_commit = remote_apply
# continuous archiving for point-in-time recovery (pgBackRest; this node's own data directory)
archive_mode = on
archive_command = 'pgbackrest --config=$BACKREST_CONF --stanza=$STANZA --pg1-path=$(pgdata "$node") archive-push %p'
archive_timeout = 60
CONF
}

backrest_config() {
  mkdir -p "$REPO" "$HA/log/pgbackrest" "$HA/run/pgbackrest"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$REPO" "$HA/log/pgbackrest" "$HA/run/pgbackrest"
  chmod 700 "$REPO"
  cat > "$BACKREST_CONF" <<CONF
[global]
repo1-path=$REPO
repo1-retention-full=2
log-path=$HA/log/pgbackrest
lock-path=$HA/run/pgbackrest
log-level-console=warn
log-level-file=info
start-fast=y
archive-timeout=60

[$STANZA]
pg1-path=$(pgdata node1)
pg1-port=$(node_port node1)
pg1-user=borderwatch
pg1-socket-path=/var/run/postgresql
pg2-path=$(pgdata node2)
pg2-port=$(node_port node2)
pg2-user=borderwatch
pg2-socket-path=/var/run/postgresql
CONF
  chmod 644 "$BACKREST_CONF"
}

backrest() { as_owner pgbackrest --config="$BACKREST_CONF" --stanza="$STANZA" "$@"; }

create_monitor() {
  [ -f "$(pgdata monitor)/PG_VERSION" ] && return 0
  mkdir -p "$HA/monitor"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$HA/monitor"
  echo "borderwatch: creating the pg_auto_failover monitor on 127.0.0.1:$MONITOR_PORT"
  as_owner pg_autoctl create monitor --pgdata "$(pgdata monitor)" --pgport "$MONITOR_PORT" \
    --listen 127.0.0.1 --hostname 127.0.0.1 --auth trust --no-ssl >> "$HA/log/create-monitor.log" 2>&1
  as_owner sh -c "cat >> '$(pgdata monitor)/postgresql.conf'" <<CONF
shared_buffers = 32MB
max_connections = 50
CONF
  if [ "$FAST" = 1 ]; then
    as_owner sh -c "cat >> '$(pgdata monitor)/postgresql.conf'" <<CONF
pgautofailover.health_check_period = 1000
pgautofailover.health_check_timeout = 1000
pgautofailover.health_check_retry_delay = 500
pgautofailover.node_considered_unhealthy_timeout = 4000
pgautofailover.primary_demote_timeout = 4000
CONF
  fi
}

create_node() { # create_node NODE: the first becomes the primary, the next one its secondary
  local node=$1 port primary_port=""
  port=$(node_port "$node")
  [ -f "$(pgdata "$node")/PG_VERSION" ] && return 0
  rm -rf "${HA:?}/$node" "$HA/config/pg_autoctl$HA/$node" "$HA/share/pg_autoctl$HA/$node"
  mkdir -p "$HA/$node"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$HA/$node"
  primary_port=$(current_primary_port || true)
  local nudge=""
  if [ -n "$primary_port" ]; then
    # pg_basebackup asks for a spread checkpoint (minutes on an idle server): ask the primary
    # for immediate ones meanwhile, which finish the one under way at once
    ( for _ in $(seq 1 60); do psql_at "$primary_port" postgres -c CHECKPOINT >/dev/null 2>&1 || true; sleep 1; done ) &
    nudge=$!
  fi
  echo "borderwatch: creating $node on 127.0.0.1:$port${primary_port:+ (secondary of 127.0.0.1:$primary_port)}"
  if ! as_owner pg_autoctl create postgres --pgdata "$(pgdata "$node")" --pgport "$port" \
      --listen 127.0.0.1 --hostname 127.0.0.1 --name "$node" --dbname "$DBNAME" \
      --username borderwatch --auth trust --no-ssl --monitor "$MONITOR_URL" \
      >> "$HA/log/create-$node.log" 2>&1; then
    [ -n "$nudge" ] && kill "$nudge" 2>/dev/null
    echo "borderwatch: creating $node failed; see $HA/log/create-$node.log" >&2
    tail -20 "$HA/log/create-$node.log" >&2
    exit 1
  fi
  [ -n "$nudge" ] && { kill "$nudge" 2>/dev/null || true; wait "$nudge" 2>/dev/null || true; }
  tune "$node"
}

current_primary_port() {
  local port
  port=$(monitor_sql "SELECT nodeport FROM pgautofailover.node WHERE reportedstate IN ('single','primary','wait_primary') AND goalstate IN ('single','primary','wait_primary') ORDER BY nodeid LIMIT 1" 2>/dev/null) || return 1
  [ -n "$port" ] && echo "$port"
}

wait_for() { # wait_for SECONDS WHAT SQL-on-the-monitor-that-returns-t
  local seconds=$1 what=$2 sql=$3
  for _ in $(seq 1 $((seconds * 2))); do
    [ "$(monitor_sql "$sql" 2>/dev/null)" = t ] && return 0
    sleep 0.5
  done
  echo "borderwatch: timed out waiting for $what" >&2
  status >&2 || true
  return 1
}

both_streaming() {
  wait_for "${1:-180}" "a primary and a streaming secondary" \
    "SELECT count(*) FILTER (WHERE reportedstate = 'primary' AND goalstate = 'primary') = 1 AND count(*) FILTER (WHERE reportedstate = 'secondary' AND goalstate = 'secondary') = 1 FROM pgautofailover.node"
}

write_env() {
  local n1 n2 hosts
  n1=$(node_port node1); n2=$(node_port node2)
  hosts="host=127.0.0.1,127.0.0.1&port=$n1,$n2"
  (umask 077; cat > "$ENVFILE.tmp" <<ENV
DATABASE_URL='postgresql://borderwatch@/$DBNAME?$hosts&target_session_attrs=read-write&connect_timeout=3'
DATABASE_REPLICA_URL='postgresql://borderwatch@/$DBNAME?$hosts&target_session_attrs=prefer-standby&connect_timeout=3'
BW_HA_MONITOR_URL='$MONITOR_URL'
ENV
  )
  mv "$ENVFILE.tmp" "$ENVFILE"
  # the app's other local settings (SECRET_KEY) stay in var/local.env, as scripts/pgcluster.sh
  # writes them; its DATABASE_URL is the local cluster's and is left alone
  ENVFILE=$ROOT/var/local.env
  . "$ROOT/scripts/localenv.sh"
  grep -qs '^SECRET_KEY=' "$ENVFILE" || set_env SECRET_KEY "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  ENVFILE=$HA/ha.env
}

start() {
  command -v pg_autoctl >/dev/null 2>&1 || { echo "borderwatch: pg_autoctl is not installed (run scripts/system-deps.sh --ha as root)" >&2; exit 1; }
  prepare_dirs
  backrest_config
  create_monitor
  run_keeper monitor
  create_node node1
  run_keeper node1
  # started again after a failover, the primary may be node2: start every node made before
  # anything waits for the primary
  if [ -f "$(pgdata node2)/PG_VERSION" ]; then run_keeper node2; fi
  wait_for 60 "a primary" \
    "SELECT count(*) FILTER (WHERE reportedstate IN ('single','primary','wait_primary')) >= 1 FROM pgautofailover.node"
  local primary; primary=$(current_primary_port)
  psql_at "$primary" "$DBNAME" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis" -c "CREATE EXTENSION IF NOT EXISTS pgrouting"
  create_node node2
  run_keeper node2
  both_streaming 180
  backrest stanza-create >/dev/null
  write_env
  echo "borderwatch: HA cluster running (monitor 127.0.0.1:$MONITOR_PORT, nodes $(node_port node1) and $(node_port node2)); settings in ${ENVFILE#"$ROOT"/}"
}

alive() { # alive NODE: its keeper or its postmaster still runs
  local data keeper pm
  data=$(pgdata "$1")
  keeper=$(head -1 "$HA/run/pg_autoctl$data/pg_autoctl.pid" 2>/dev/null || true)
  pm=$(head -1 "$data/postmaster.pid" 2>/dev/null || true)
  { [ -n "$keeper" ] && [ -d "/proc/$keeper" ]; } || { [ -n "$pm" ] && [ -d "/proc/$pm" ]; }
}

stop() {
  local node
  for node in node2 node1 monitor; do
    if keeper_running "$node"; then
      as_owner pg_autoctl stop --pgdata "$(pgdata "$node")" >/dev/null 2>&1 || true
    fi
  done
  for node in node2 node1 monitor; do
    for _ in $(seq 1 60); do alive "$node" || break; sleep 0.5; done
    # whatever did not stop in 30 s (a postmaster left by a killed keeper)
    if alive "$node"; then kill_node "$node" >/dev/null; fi
  done
  restore_stop >/dev/null
  echo "borderwatch: HA cluster stopped"
}

status() {
  if ! keeper_running monitor; then echo "stopped"; return 3; fi
  as_owner pg_autoctl show state --pgdata "$(pgdata monitor)"
}

descendants() { local pid; for pid in $(pgrep -P "$1" || true); do echo "$pid"; descendants "$pid"; done; }

kill_node() { # SIGKILL the keeper with its services, and the postmaster with its children
  local node=$1 data keeper pm pids=""
  data=$(pgdata "$node")
  keeper=$(head -1 "$HA/run/pg_autoctl$data/pg_autoctl.pid" 2>/dev/null || true)
  pm=$(head -1 "$data/postmaster.pid" 2>/dev/null || true)
  [ -n "$keeper" ] && [ -d "/proc/$keeper" ] && pids="$keeper $(descendants "$keeper" | tr '\n' ' ')"
  [ -n "$pm" ] && [ -d "/proc/$pm" ] && pids="$pids $pm $(descendants "$pm" | tr '\n' ' ')"
  # shellcheck disable=SC2086
  [ -n "${pids// /}" ] && kill -9 $pids 2>/dev/null || true
  echo "borderwatch: $node killed"
}

lose() { kill_node "$1"; mv "$(pgdata "$1")" "$(pgdata "$1").lost-$(date +%s)"; echo "borderwatch: $1's data directory is gone"; }

rebuild() {
  local node=$1
  kill_node "$node" >/dev/null
  as_owner pg_autoctl drop node --monitor "$MONITOR_URL" --name "$node" --force >/dev/null 2>&1 || true
  rm -rf "${HA:?}/$node"
  create_node "$node"
  run_keeper "$node"
  both_streaming 180
  echo "borderwatch: $node is the secondary again"
}

backup() {
  local type=${1:-incr}
  case "$type" in full|diff|incr) ;; *) echo "backup type: full, diff or incr" >&2; exit 2 ;; esac
  backrest --type="$type" backup
  backrest info
}

restore() { # restore TIME: the backups and the WAL up to TIME, into var/ha/restore
  local target=${1:?a target time, e.g. "2026-12-07 14:05:00+07"} data=$HA/restore/data
  restore_stop >/dev/null
  rm -rf "${HA:?}/restore"
  mkdir -p "$data"; chmod 700 "$data"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$HA/restore"
  # archive what the primary has not archived yet, so that the target is reachable
  backrest check >/dev/null 2>&1 || true
  backrest --pg1-path="$data" --type=time --target="$target" --target-action=promote \
    --archive-mode=off restore
  # its own port and socket; it never archives into the nodes' repository, and waits for no
  # standby
  as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$HA/log/restore.log" -w -t 300 \
    -o "-p $RESTORE_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$HA/run -c archive_mode=off -c synchronous_standby_names= -c hot_standby=on" start >/dev/null \
    || { echo "borderwatch: the restored copy did not start; see $HA/log/restore.log" >&2; tail -20 "$HA/log/restore.log" >&2; exit 1; }
  for _ in $(seq 1 240); do
    [ "$(psql_at "$RESTORE_PORT" postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break
    sleep 0.5
  done
  echo "borderwatch: restored to $target: postgresql://borderwatch@127.0.0.1:$RESTORE_PORT/$DBNAME"
}

restore_stop() {
  if [ -f "$HA/restore/data/postmaster.pid" ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$HA/restore/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  echo "borderwatch: restored copy stopped"
}

primary() { monitor_sql "SELECT nodename FROM pgautofailover.node WHERE reportedstate IN ('single','primary','wait_primary') AND goalstate IN ('single','primary','wait_primary') LIMIT 1"; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  failover) as_owner pg_autoctl perform failover --pgdata "$(pgdata monitor)" ;;
  kill) node=${2:?node1 or node2}; node_port "$node" >/dev/null; kill_node "$node" ;;
  lose) node=${2:?node1 or node2}; node_port "$node" >/dev/null; lose "$node" ;;
  rebuild) node=${2:?node1 or node2}; node_port "$node" >/dev/null; rebuild "$node" ;;
  primary) primary ;;
  backup) backup "${2:-}" ;;
  restore) restore "${2:-}" ;;
  restore-stop) restore_stop ;;
  *) echo "usage: $0 start|stop|status|failover|kill NODE|lose NODE|rebuild NODE|primary|backup [TYPE]|restore TIME|restore-stop" >&2; exit 2 ;;
esac
