"""Charts in one HTML file that opens offline: plotly.js inlined once, compressed, and each figure
as JSON that the page draws once plotly.js is loaded.

The plotly.js inlined is not the full build (4.9 MB, 1.45 MB gzipped) but plotly.js's core with the
trace types the charts use, scatter, bar, heatmap and Sankey (1.27 MB, 0.43 MB gzipped): no partial
bundle plotly publishes has both Sankey and heatmap, so ``scripts/build_plotly_bundle.sh`` builds
it from the npm package plotly.js (MIT; version, licence and how to update it in that script and
``static/plotly.js-LICENSE.txt``), at the version the plotly Python package draws for. It is kept
gzipped, base64-encoded into the page (about 0.57 MB) and unpacked by the browser's own
``DecompressionStream``; the charts are drawn from their JSON when it has loaded. The web page
is served the same file.
"""

from __future__ import annotations

import base64
import html
import json
from functools import cache
from importlib import resources
from typing import Any

import plotly.graph_objects as go

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
FONT = "system-ui, sans-serif"


TRACE_TYPES = frozenset({"scatter", "bar", "heatmap", "sankey"})
"""The trace types in :func:`plotly_gz` (``TRACES`` in ``scripts/build_plotly_bundle.sh``)."""


@cache
def plotly_gz() -> bytes:
    """plotly.js for immsim's charts, gzipped (see the module)."""
    path = resources.files("immsim.presentation").joinpath("static", "plotly-immsim.min.js.gz")
    return path.read_bytes()


@cache
def _packed_plotly() -> str:
    return base64.b64encode(plotly_gz()).decode()


LOADER = """
(async () => {
  const note = document.getElementById('charts-note');
  if (!('DecompressionStream' in window)) {
    if (note) note.textContent = 'This browser cannot unpack the charts (it needs DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or later); the tables are complete.';
    return;
  }
  const packed = document.getElementById('plotly-packed').textContent.trim();
  const bytes = Uint8Array.from(atob(packed), c => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  (0, eval)(await new Response(stream).text());
  for (const node of document.querySelectorAll('script[data-figure]')) {
    const figure = JSON.parse(node.textContent);
    const target = document.getElementById(node.dataset.figure);
    Plotly.newPlot(target, figure.data, figure.layout, {responsive: true, displaylogo: false});
  }
  if (note) note.remove();
})();
"""


def plotly_script() -> str:
    """plotly.js, packed, and the loader that unpacks it and draws every figure on the page."""
    return (
        f'<script type="application/octet-stream" id="plotly-packed">{_packed_plotly()}</script>\n'
        f"<script>{LOADER}</script>"
    )


def figure_html(figure: go.Figure, element_id: str) -> str:
    """A placeholder for ``figure`` and its JSON; :func:`plotly_script` draws it."""
    spec = json.loads(figure.to_json())
    text = json.dumps({"data": spec["data"], "layout": spec["layout"]}, separators=(",", ":"))
    text = text.replace("</", "<\\/")  # never closes the script element it sits in
    height = int(spec["layout"].get("height") or 420)
    return (
        f'<div id="{html.escape(element_id)}" class="plot" style="min-height:{height}px"></div>'
        f'<script type="application/json" data-figure="{html.escape(element_id)}">{text}</script>'
    )


def layout(title: str, height: int, **more: Any) -> dict[str, Any]:
    """What every chart's layout shares: the title (as plotly.js now requires it), its font and
    margins, and a legend under the chart that narrow screens can hold."""
    return {
        "title": {"text": title, "x": 0, "xref": "paper", "xanchor": "left"},
        "height": height,
        "font": {"family": FONT},
        "margin": {"l": 70, "r": 20, "t": 60, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        **more,
    }


def axis(title: str, **more: Any) -> dict[str, Any]:
    return {"title": {"text": title}, **more}


def count_axis(title: str, **more: Any) -> dict[str, Any]:
    """A y axis of counts or money: from zero, with its unit in the title."""
    return axis(title, rangemode="tozero", **more)
