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
# A system Python that refuses pip (PEP 668, "externally managed": Debian, Ubuntu) gets a venv.
PY=python3
if python3 -c 'import os, sys, sysconfig; marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"); sys.exit(0 if os.path.exists(marker) and sys.prefix == sys.base_prefix else 1)'; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  PY="$PWD/.venv/bin/python"
  export PATH="$PWD/.venv/bin:$PATH"
fi
"$PY" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
"$PY" -m ruff check .
"$PY" -m ruff format --check .
"$PY" -m mypy
lint-imports --no-cache
"$PY" -m pytest -q "$@"
