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
# compile the engine's loops once, in a process of their own (cached on disk for the tests'):
# a fresh checkout's suite compiled them inside the test process, and two of three such runs on
# 2026-12-04 died of a segmentation fault later, in the ingesters' truncated-file tests, where
# the runs with the loops already cached did not (the cause is not established; the warm-up
# also keeps the compile out of the first tests' time)
.venv/bin/python -c "from immsim.engine.warm import warm_up; warm_up()"
.venv/bin/python -m pytest "$@"
