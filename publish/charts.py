"""The report's charts: a table's Chart as a plotly figure, and figures as PNG or SVG bytes, the same bytes each time."""

from __future__ import annotations

import hashlib
import html
import os
import re
import warnings
from collections.abc import Mapping

import plotly.graph_objects as go

from warehouse.read.monthly import Chart

HIGHLIGHT = "#D62728"  # the reader's own institution, as on the dashboard
MUTED = "#8A94A6"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"  # Debian's fonts first: the same glyphs each run
WIDTH = 1000  # a blog column at 2x
PRINT_WIDTH = 760  # an A4 page's text width at the same font size
PNG_SCALE = 2  # crisp on a retina screen and in print


def _safe(text: str) -> str:
    """Outside text (an institution's name) shown as typed: plotly reads a few HTML tags."""
    return html.escape(text, quote=False)


def figure(chart: Chart, footer: str, width: int = WIDTH, template: object = "plotly_white") -> go.Figure:
    """The chart as horizontal bars, the first row on top, each labelled as in its table; the
    reader's own institution (or a value past its target) in the accent colour; the source line
    (and the demo notice) under it, so a pasted image keeps its origin. `template`: the dashboard's
    preview passes its lean copy of plotly_white (the same look; plotly copies and validates the
    full one into each figure, 0.13 s a chart)."""
    labels = [
        f"<b>{_safe(label)}</b>" if mine else _safe(label)
        for label, mine in zip(chart.labels, chart.highlight, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=chart.values,
            y=labels,
            orientation="h",
            marker={
                "color": [HIGHLIGHT if mine else chart.colour for mine in chart.highlight],
                "line": {"width": 0},
            },
            text=[_safe(t) for t in chart.texts],
            textposition="outside",
            cliponaxis=False,
            uid="bars",  # plotly draws a random one otherwise, and it lands in the SVG
        )
    )
    # a negative bar's value is written left of it: keep the labels clear of it
    standoff = 80 if any(v < 0 for v in chart.values) else 4
    fig.update_yaxes(autorange="reversed", showgrid=False, automargin=True, ticklabelstandoff=standoff)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=True, zerolinecolor="#C9CFD8")
    fig.update_layout(
        template=template,
        # the source line (and the demo notice) as the subtitle: laid out from the image's edge,
        # where an annotation would start after the longest label
        title={
            "text": _safe(chart.title),
            "subtitle": {"text": _safe(footer), "font": {"size": 11, "color": MUTED}},
            "x": 0.012,
            "xref": "container",
            "xanchor": "left",
            "font": {"size": 17},
        },
        font={"family": FONT, "size": 13, "color": "#1F2937"},
        width=width,
        height=max(240, 34 * len(chart.labels) + 110),
        margin={"l": 12, "r": 90, "t": 78, "b": 20},
        bargap=0.28,
        showlegend=False,
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return fig


_UID = re.compile(rb"(?<=defs-)[0-9a-f]{6}")


def stable_svg(svg: bytes, key: str) -> bytes:
    """An SVG with plotly's random document id (clip-path and defs ids) replaced by one derived from
    the chart's key, so the same chart gives the same bytes (and two charts inlined in one HTML page
    keep ids of their own)."""
    found = _UID.search(svg)
    if not found:
        return svg
    stable = hashlib.sha1(key.encode()).hexdigest()[:6].encode()
    return svg.replace(found.group(0), stable)


def render(figures: Mapping[str, go.Figure], fmt: str) -> dict[str, bytes]:
    """Each figure as PNG or SVG bytes, drawn by kaleido in the system Chromium (BROWSER_PATH, else
    /usr/bin/chromium); one browser for all of them. Nothing is downloaded."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown image format {fmt!r}; known: png, svg")
    if not figures:
        return {}
    import kaleido
    import plotly.io as pio

    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    out: dict[str, bytes] = {}

    def draw(fig: go.Figure) -> bytes:
        with warnings.catch_warnings():  # "kopts is ignored with a server": the server is ours
            warnings.simplefilter("ignore", UserWarning)
            return pio.to_image(fig, format=fmt, scale=PNG_SCALE if fmt == "png" else 1)

    kaleido.start_sync_server(silence_warnings=True)
    try:
        for key, fig in figures.items():
            try:
                data = draw(fig)
            except Exception as exc:
                # on a busy machine kaleido may call its page's script before Chromium has loaded it
                # ("ReferenceError: kaleido_scopes is not defined"); a fresh browser starts clean
                if "is not defined" not in str(exc):
                    raise
                kaleido.stop_sync_server(silence_warnings=True)
                kaleido.start_sync_server(silence_warnings=True)
                data = draw(fig)
            out[key] = stable_svg(data, key) if fmt == "svg" else data
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    return out
