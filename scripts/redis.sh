#!/usr/bin/env bash
# The project's own Redis under var/redis, on 127.0.0.1 only: the storage shared by all gunicorn
# workers for rate limits (flask-limiter), which per-process memory cannot be.
#   redis.sh start | stop | status
# Writes RATELIMIT_STORAGE_URI into var/local.env. Nothing is persisted: rate-limit counters are
# meant to be short-lived.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${BW_REDIS_PORT:-56379}
DIR=$ROOT/var/redis
PWFILE=$DIR/password
PIDFILE=$DIR/redis.pid
ENVFILE=$ROOT/var/local.env
. "$ROOT/scripts/localenv.sh"

as_owner() {
  if [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1; then runuser -u redis -- "$@"; else "$@"; fi
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  command -v redis-server >/dev/null || { echo "borderwatch: redis-server is not installed (run scripts/system-deps.sh as root)" >&2; exit 1; }
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  [ -f "$PWFILE" ] || (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$PWFILE")
  if [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1; then chown -R redis:redis "$DIR"; fi
  if ! running; then
    (umask 077; cat > "$DIR/redis.conf" <<CONF
bind 127.0.0.1
port $PORT
protected-mode yes
requirepass $(cat "$PWFILE")
daemonize yes
pidfile $PIDFILE
dir $DIR
logfile $DIR/redis.log
save ""
appendonly no
maxmemory 64mb
maxmemory-policy volatile-ttl
CONF
    )
    [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1 && chown redis:redis "$DIR/redis.conf"
    as_owner redis-server "$DIR/redis.conf"
    for _ in $(seq 1 50); do running && break; sleep 0.1; done
    running || { echo "borderwatch: redis did not start; see $DIR/redis.log" >&2; exit 1; }
    echo "borderwatch: Redis running on 127.0.0.1:$PORT (rate-limit storage)"
  fi
  set_env RATELIMIT_STORAGE_URI "redis://:$(cat "$PWFILE")@127.0.0.1:$PORT/0"
}

stop() {
  if running; then
    kill "$(cat "$PIDFILE")"
    echo "borderwatch: Redis stopped"
  else
    echo "borderwatch: Redis is not running"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running on 127.0.0.1:$PORT"; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
