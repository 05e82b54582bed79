#!/usr/bin/env bash
# Set up immsim in ./.venv and run the main job: the embedded default scenario (ten years from
# October 2026 under the January 2025 regime), saved under runs/.
source "$(dirname "$0")/_venv.sh"
.venv/bin/python -m pip install -q -e .
.venv/bin/immsim run --overwrite --out runs/default
