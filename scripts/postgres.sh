#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the PostgreSQL leg of the tests and
# prints its URL. Debian's `postgresql` package provides the binaries (`apt-get install
# postgresql`); the cluster lives in $PNT_PG_DIR (default /tmp/pnt-pg) and listens on
# 127.0.0.1:$PNT_PG_PORT (default 15432, below the ephemeral ports that tests bind) with trust
# authentication for the role `pnt`, so it must never be exposed beyond loopback. Run again, it
# prints the URL of the cluster already running there. `scripts/postgres.sh stop` stops it.
set -euo pipefail
DIR=${PNT_PG_DIR:-/tmp/pnt-pg}
PORT=${PNT_PG_PORT:-15432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$BIN" ]; then
  echo "postgres.sh: no PostgreSQL under /usr/lib/postgresql; install it: apt-get install postgresql" >&2
  exit 3
fi
# PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's `postgres` user.
# From /, which the `postgres` user can always enter (the caller's folder may be root's own).
as_owner() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
if [ "${1:-start}" = stop ]; then
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast stop
  exit 0
fi
mkdir -p "$DIR"
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  as_owner "$BIN/initdb" -D "$DIR/data" -A trust -U pnt -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log"
fi
if ! as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null
fi
# The port the cluster really listens on (one started earlier may have been given another).
PORT=$(sed -n 4p "$DIR/data/postmaster.pid")
echo "postgres://pnt@127.0.0.1:$PORT/postgres"
