#!/bin/sh
# Entry point of scripts/db-ha.Dockerfile (docker-compose.ha.yml): `ha-node.sh monitor` or
# `ha-node.sh node`. On first start it creates the pg_auto_failover monitor, or a node that
# registers with the monitor (the first becomes the primary, the next its synchronous standby
# from a base backup), with scram-sha-256 passwords and TLS between them; then it runs
# pg_autoctl, which supervises PostgreSQL and follows the monitor's orders.
# Environment: AUTOCTL_NODE_PASSWORD (the nodes' account on the monitor), REPLICATION_PASSWORD
# (pgautofailover_replicator), POSTGRES_PASSWORD (the app's role borderwatch), NODE_NAME.
set -eu
: "${PGDATA:?}"
export PGDATA
umask 077
# pg_autoctl's own connections (to the monitor, and the standby's replication) find their
# passwords in libpq's password file
cat > "$HOME/.pgpass" <<PASS
*:*:pg_auto_failover:autoctl_node:${AUTOCTL_NODE_PASSWORD:?}
*:*:*:pgautofailover_replicator:${REPLICATION_PASSWORD:?}
PASS

set_password() { # set_password DB ROLE PASSWORD USER: through the local socket, as USER
  printf 'ALTER ROLE %s PASSWORD :%s;\n' "$2" "'pw'" | psql -X -q -v ON_ERROR_STOP=1 -v pw="$3" -U "$4" -d "$1"
}

case "${1:-}" in
  monitor)
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
      pg_autoctl create monitor --auth scram-sha-256 --ssl-self-signed \
        --hostname "$(hostname)" --pgport 5432
      pg_ctl -w start -o "-c listen_addresses=''"
      set_password pg_auto_failover autoctl_node "$AUTOCTL_NODE_PASSWORD" postgres
      pg_ctl -w stop
    fi
    exec pg_autoctl run
    ;;
  node)
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
      pg_autoctl create postgres --auth scram-sha-256 --ssl-self-signed \
        --hostname "$(hostname)" --pgport 5432 --name "${NODE_NAME:?}" \
        --dbname borderwatch --username borderwatch --pg-hba-lan \
        --monitor "postgres://autoctl_node@monitor:5432/pg_auto_failover?sslmode=require"
      pg_autoctl config set replication.password "$REPLICATION_PASSWORD"
    fi
    # once this node is the primary: the passwords of the app and of the replication (a
    # standby receives them through replication), PostGIS and pgRouting in the app's database
    (
      while :; do
        if [ "$(psql -X -At -U borderwatch -d borderwatch -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; then
          set_password borderwatch borderwatch "$POSTGRES_PASSWORD" borderwatch \
            && set_password borderwatch pgautofailover_replicator "$REPLICATION_PASSWORD" borderwatch \
            && psql -X -q -U borderwatch -d borderwatch -c "CREATE EXTENSION IF NOT EXISTS postgis" \
              -c "CREATE EXTENSION IF NOT EXISTS pgrouting" \
            && break
        fi
        sleep 5
      done
    ) &
    exec pg_autoctl run
    ;;
  *)
    echo "usage: ha-node.sh monitor|node" >&2
    exit 2
    ;;
esac
