#!/usr/bin/env bash
# Set up immsim with its test tools in ./.venv (and Debian's Chromium for the browser tests),
# check style and types, and run the test suite.
# Exits non-zero on any failure, and when pytest collects no test (its exit status 5).
source "$(dirname "$0")/_venv.sh"
.venv/bin/python -m pip install -q -e ".[dev]"
source "$(dirname "$0")/_chromium.sh"
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
