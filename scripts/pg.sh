#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL cluster for the tests; prints its SQLAlchemy URL.
# PostgreSQL refuses to run as root, so the cluster belongs to the 'postgres' user when we are root.
set -euo pipefail
action=${1:-start}
dir=${HEELCOACH_PG_DIR:-/tmp/heelcoach-pg}
port=${HEELCOACH_PG_PORT:-55432}

bindir=""
if ! command -v initdb >/dev/null 2>&1; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bindir" ] && bindir="$bindir/"
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
  start)
    # Several pytest workers may ask at once: one initdb/start at a time.
    if command -v flock >/dev/null 2>&1; then
      exec 9>"${dir%/}.lock"
      flock -w 120 9 || { echo "scripts/pg.sh: ${dir%/}.lock is still held after 120 s" >&2; exit 1; }
    fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      rm -rf "$dir"; mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_pg "${bindir}initdb" -D "$dir" -A trust -U postgres >/dev/null 9>&-
    fi
    if ! as_pg "${bindir}pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "${bindir}pg_ctl" -D "$dir" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" \
        -l "$dir/log" -w start >/dev/null 9>&-  # the server must not inherit (and hold) the lock
    fi
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "${bindir}pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
  url)
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  *)
    echo "usage: scripts/pg.sh [start|stop|url]" >&2
    exit 2
    ;;
esac
