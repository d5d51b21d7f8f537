#!/usr/bin/env bash
# Set up and run every check: install igfkg with its dev tools and the Virtuoso server the
# store tests start (Debian's virtuoso-opensource), Graphviz for the diagrams and Chromium for
# the browser tests (Playwright drives Debian's chromium), then lint, format check, type check,
# tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v virtuoso-t >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q virtuoso-opensource >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q virtuoso-opensource >/dev/null; }
fi
if ! command -v dot >/dev/null 2>&1; then  # Graphviz lays out the SVG/PNG diagrams
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q graphviz >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q graphviz >/dev/null; }
fi
if ! command -v chromium >/dev/null 2>&1; then  # the browser tests (tests/test_browser.py)
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q chromium >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
fi
python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy
lint-imports --no-cache
python3 -m pytest -q "$@"
