#!/usr/bin/env bash
# Run every benchmark (watch-file import, gait analysis, web latency, answers during imports); results go to benchmarks/results/.
# Extra arguments are not passed on: run a single benchmark directly for its options (--help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/python benchmarks/import_bench.py
.venv/bin/python benchmarks/gait_bench.py
.venv/bin/python benchmarks/web_bench.py
.venv/bin/python benchmarks/import_health_bench.py
