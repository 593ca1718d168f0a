#!/usr/bin/env bash
# Makes sure the system packages borderwatch needs are present: PostgreSQL 15 with PostGIS 3 and
# pgRouting, pg_auto_failover and pgBackRest for the replicated cluster (make ha-up) and its
# point-in-time recovery, Node.js/npm for the map's JS assets, and (with --browser) Chromium and fonts for the
# browser tests. As root on Debian it installs what is missing with apt-get; otherwise it says
# exactly what to install and stops.
set -euo pipefail

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

PG_MAJOR=${BW_PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
pg_share=/usr/share/postgresql/$PG_MAJOR/extension

missing=()
[ -x "$PG_BIN/initdb" ] || missing+=("postgresql-$PG_MAJOR")
[ -f "$pg_share/postgis.control" ] || missing+=("postgresql-$PG_MAJOR-postgis-3")
[ -f "$pg_share/pgrouting.control" ] || missing+=("postgresql-$PG_MAJOR-pgrouting")
[ -f "$pg_share/pgautofailover.control" ] || missing+=("postgresql-$PG_MAJOR-auto-failover")
command -v pgbackrest >/dev/null 2>&1 || missing+=("pgbackrest")
command -v npm >/dev/null 2>&1 || missing+=("npm")
command -v redis-server >/dev/null 2>&1 || missing+=("redis-server")
command -v runuser >/dev/null 2>&1 || missing+=("util-linux")
if [ "$want_browser" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || missing+=("chromium")
  [ -d /usr/share/fonts/truetype/noto ] || missing+=("fonts-noto-core")
  [ -d /usr/share/fonts/truetype/tlwg ] || missing+=("fonts-thai-tlwg")
  command -v ogrinfo >/dev/null 2>&1 || missing+=("gdal-bin")
  # Playwright's driver is a Node.js binary linked against libatomic
  ldconfig -p 2>/dev/null | grep -q 'libatomic.so.1 ' || missing+=("libatomic1")
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "borderwatch: installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
borderwatch needs these system packages, which are missing: ${missing[*]}
Install them as root, for example:
    sudo apt-get install ${missing[*]}
or set DATABASE_URL to an existing PostgreSQL $PG_MAJOR database with PostGIS 3 and pgRouting.
MSG
exit 1
