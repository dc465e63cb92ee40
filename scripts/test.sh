#!/usr/bin/env bash
# Set up, then run every quality gate: ruff, mypy, the import-direction contract, and pytest
# (against SQLite and a real PostgreSQL, with real Chromium for the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff";        ruff check heelcoach tests benchmarks
echo "== mypy";        mypy
echo "== lint-imports"; lint-imports

if [ -z "${HEELCOACH_TEST_POSTGRES_URL:-}" ]; then
  HEELCOACH_TEST_POSTGRES_URL=$(scripts/pg.sh start) || {
    echo "PostgreSQL did not start: see scripts/pg.sh and ${HEELCOACH_PG_DIR:-/tmp/heelcoach-pg}/log" >&2
    exit 1
  }
  export HEELCOACH_TEST_POSTGRES_URL
  cleanup="scripts/pg.sh stop"
  trap 'eval "$cleanup"' EXIT
fi
if [ -z "${HEELCOACH_TEST_REDIS_URL:-}" ]; then
  HEELCOACH_TEST_REDIS_URL=$(scripts/redis.sh start) || {
    echo "Redis did not start: see scripts/redis.sh and ${HEELCOACH_REDIS_DIR:-/tmp/heelcoach-redis}/log" >&2
    exit 1
  }
  export HEELCOACH_TEST_REDIS_URL
  cleanup="scripts/redis.sh stop; ${cleanup:-true}"
  trap 'eval "$cleanup"' EXIT
fi
echo "== pytest"
pytest -q -n 2 "$@"
