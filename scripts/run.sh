#!/usr/bin/env bash
# Set up, then run the main job: the local web app on SQLite at http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/heelcoach serve "$@"
