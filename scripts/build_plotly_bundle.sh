#!/usr/bin/env bash
# Rebuild the plotly.js the report and the web page inline: plotly.js's own core (scatter, the
# legend, annotations, subplots...) with only the trace types immsim draws, built from the npm
# package plotly.js (MIT, Copyright Plotly, Inc.; its LICENSE is copied beside the bundle).
#
# Writes src/immsim/presentation/static/plotly-immsim.min.js.gz (gzip -9n: the same input gives
# the same bytes) and plotly.js-LICENSE.txt. The full build is 4.9 MB (1.45 MB gzipped); this one
# is 1.27 MB (0.43 MB gzipped), so a report weighs about a quarter of what it did.
#
# Update: run this script after upgrading the plotly Python package (it builds the plotly.js
# version that package bundles, so the figures' JSON matches the code that draws it), or with
# PLOTLY_JS_VERSION=x.y.z. If a chart gains a trace type, add it to TRACES: the browser test
# test_web.py::test_plotly_bundle_draws_every_trace_type_the_charts_use fails until you do.
# Needs node and npm (the npm registry); nothing is installed outside a temporary folder. The same
# versions give the same bytes; plotly.js's own dependencies resolve within its semver ranges, so
# a later build may differ slightly (review it with the browser tests).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
VERSION="${PLOTLY_JS_VERSION:-$("$PY" -c 'from plotly.offline import get_plotlyjs_version; print(get_plotlyjs_version())')}"
ESBUILD_VERSION=0.28.2
TRACES=(bar heatmap sankey) # scatter is in plotly.js's core, always
OUT="$ROOT/src/immsim/presentation/static"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts "plotly.js@$VERSION" "esbuild@$ESBUILD_VERSION" >/dev/null
{
  echo "var Plotly = require('plotly.js/lib/core');"
  echo "Plotly.register(["
  for trace in "${TRACES[@]}"; do echo "  require('plotly.js/lib/$trace'),"; done
  echo "]);"
  echo "module.exports = Plotly;"
} >entry.js
banner="/**
* plotly.js v$VERSION, custom bundle for immsim: traces scatter ${TRACES[*]}
* Copyright 2012-2026, Plotly, Inc. All rights reserved. Licensed under the MIT license
* Built by scripts/build_plotly_bundle.sh with esbuild $ESBUILD_VERSION
*/"
# As plotly.js's own esbuild-config.js builds its dist, less the CSS of the map traces (not here).
node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --target=es2016 --define:global=window --define:define.amd=false --loader:.css=empty \
  --banner:js="$banner" --log-level=warning --outfile=plotly.min.js
gzip -9n <plotly.min.js >"$OUT/plotly-immsim.min.js.gz"
cp node_modules/plotly.js/LICENSE "$OUT/plotly.js-LICENSE.txt"
echo "plotly.js $VERSION (${TRACES[*]}): $(wc -c <plotly.min.js) bytes, $(wc -c <"$OUT/plotly-immsim.min.js.gz") gzipped"
