#!/usr/bin/env bash
# Start (or stop) a throwaway Redis for the tests (the job broker); prints its URL.
# No persistence: a private port and directory under /tmp, gone when stopped.
set -euo pipefail
action=${1:-start}
dir=${HEELCOACH_REDIS_DIR:-/tmp/heelcoach-redis}
port=${HEELCOACH_REDIS_PORT:-56379}
url="redis://127.0.0.1:$port/0"

case "$action" in
  start)
    mkdir -p "$dir"
    if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
      redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/log" >/dev/null
      for _ in $(seq 1 100); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
      done
      redis-cli -p "$port" ping >/dev/null 2>&1 || { echo "scripts/redis.sh: no answer on port $port" >&2; exit 1; }
    fi
    echo "$url"
    ;;
  stop)
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    ;;
  url)
    echo "$url"
    ;;
  *)
    echo "usage: scripts/redis.sh [start|stop|url]" >&2
    exit 2
    ;;
esac
