#!/usr/bin/env bash
# Set up and run every check: install (with dev tools), lint, format check, type check, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy
python3 -m pytest -q "$@"
