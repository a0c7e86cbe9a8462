"""Figures as image files: one renderer (plotly's kaleido driving the system Chromium) for the
command line's `top --format png|svg` and the dashboard's "Download PNG" buttons."""

from __future__ import annotations

import os

import plotly.graph_objects as go

IMAGE_WIDTH = 1000  # px: a blog column at twice the pixels for PNG


def figure_image(figure: go.Figure, fmt: str = "png", width: int = IMAGE_WIDTH) -> bytes:
    """The figure as PNG (at twice the pixels, for sharp text on any screen) or SVG bytes."""
    # kaleido drives the system Chromium; nothing is downloaded at run time
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    try:
        return figure.to_image(format=fmt, width=width, scale=2 if fmt == "png" else 1)
    except Exception as exc:
        # on a busy machine kaleido may call its page's script before Chromium has loaded it
        # ("ReferenceError: kaleido_scopes is not defined"); a second browser starts clean
        if "is not defined" not in str(exc):
            raise
        return figure.to_image(format=fmt, width=width, scale=2 if fmt == "png" else 1)
