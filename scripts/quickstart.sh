#!/usr/bin/env bash
# Set up immsim in ./.venv and run the main job on the embedded default scenario.
source "$(dirname "$0")/_venv.sh"
.venv/bin/python -m pip install -q -e .
.venv/bin/immsim scenario check
.venv/bin/immsim regimes list
