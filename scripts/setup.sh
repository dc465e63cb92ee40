#!/usr/bin/env bash
# Create .venv and install heelcoach into it. With --test, also the test tools and the system
# packages the suite drives for real (Chromium for browser tests, PostgreSQL for the store).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi

extras=""
[ "${1:-}" = "--test" ] && extras="[dev]"
# Reinstall only when the project description changed since the last install.
stamp=".venv/.heelcoach-installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import heelcoach" && touch "$stamp"
fi

if [ "${1:-}" = "--test" ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
  command -v wrk >/dev/null 2>&1 || need+=(wrk)  # the load tool of benchmarks/web_bench.py
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)  # the job broker (tests/scale)
  if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    need+=(postgresql)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing system packages for the tests: ${need[*]}"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      echo "Please install these system packages for the tests: ${need[*]}" >&2
      exit 1
    fi
  fi
fi
