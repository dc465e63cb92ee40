#!/usr/bin/env bash
# Regenerate the initial Alembic revision (0001) from every table module. The project is
# unreleased, so the schema lives in one revision; rerun this after changing any table.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=heelcoach/store/migrations/versions
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$versions"/0001_*.py
.venv/bin/python -m heelcoach.store.migrate revision "sqlite:///$tmp/empty.db"
mv "$versions"/0001_*.py "$versions/0001_initial.py"
.venv/bin/ruff format --quiet "$versions/0001_initial.py"
.venv/bin/ruff check --fix --quiet "$versions/0001_initial.py" || true
.venv/bin/ruff check "$versions/0001_initial.py"
echo "wrote $versions/0001_initial.py"
