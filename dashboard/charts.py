"""Pure functions from a DataFrame to a plotly Figure: no Streamlit, no warehouse, no I/O."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from warehouse.domain.metrics import METRICS
from warehouse.domain.platforms import COLOURS
from warehouse.read.formatting import format_value, human_count, is_missing
from warehouse.read.report import PLATFORM_NAMES

PRIMARY = "#1F4E9A"
WARNING = "#C44E52"
RATIO_MEASURES = ("overperformance", "reaction_multiple")
MUTED = "#8A94A6"
GRID = "#E6EAF0"
HIGHLIGHT = "#D62728"  # the reader's own institution, on every chart
FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"
# One colour per platform on every chart, near each brand but told apart from each other.
PLATFORM_COLORS = {"all": PRIMARY, **COLOURS}
# For series that are not platforms (kinds, countries, institutions): calm, distinct, print-safe.
SERIES_COLORS = [
    "#1F4E9A",
    "#E07B39",
    "#2A9D8F",
    "#C44E52",
    "#8172B3",
    "#937860",
    "#DA8BC3",
    "#4C9BE8",
    "#8C8C8C",
    "#CCB974",
    "#64B5CD",
    "#55A868",
]
OTHERS_COLOR = "#C9CFD8"
NARROWEST_CHART_PX = 560  # a chart beside a table on a 1280 px screen
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def platform_color(platform: str) -> str:
    return PLATFORM_COLORS.get(platform, MUTED)


def series_colors(names: list[str]) -> dict[str, str]:
    """A stable colour per series name, in the order given."""
    return {name: SERIES_COLORS[i % len(SERIES_COLORS)] for i, name in enumerate(names)}


def safe(text: object) -> str:
    """Outside text for plotly, which reads a few HTML tags in labels: shown as typed, never markup."""
    return html.escape("–" if is_missing(text) else str(text), quote=False)


def _lean_template(name: str = "plotly_white") -> go.layout.Template:
    """The parts of a plotly template our charts use (the layout's and those of bars and lines):
    the same look, without the colour scales, 3D scenes, maps and 20 trace types that plotly
    copies and validates into every figure (half the time of building a small one) and sends
    to the browser with each chart."""
    full = pio.templates[name]
    layout = {
        key: value
        for key, value in full.layout.to_plotly_json().items()
        if key not in ("coloraxis", "colorscale", "geo", "polar", "scene", "ternary")
    }
    data = {kind: value for kind, value in full.data.to_plotly_json().items() if kind in ("bar", "scatter")}
    return go.layout.Template(layout=layout, data=data)


TEMPLATE = _lean_template()


def _style(fig: go.Figure, height: int = 420, title: str | None = None) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        font={"family": FONT, "size": 13, "color": "#1A2433"},
        margin={"l": 10, "r": 10, "t": 48 if title else 16, "b": 10},
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}} if title else None,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
        hoverlabel={"font": {"family": FONT}},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    fig.update_xaxes(gridcolor=GRID, zeroline=False)
    fig.update_yaxes(gridcolor=GRID, zeroline=False)
    return fig


def axis_label(value: float, kind: str) -> str:
    """A tick label in the tables' style: 2.5K and 1M for counts (no trailing zeros), 0.05% for
    percentages, 2× for ratios."""
    if kind == "count" or abs(value) >= 1000:
        return re.sub(r"\.(?=[KMB]$)", "", re.sub(r"(\.\d*?)0+(?=[KMB]$)", r"\1", human_count(value)))
    text = f"{value:,.10g}"
    return text + ("%" if kind == "percent" else "×" if kind == "ratio" else "")


def log_ticks(low: float, high: float) -> list[float]:
    """The 1-2-5 ticks of a log axis spanning low..high (both > 0); only the powers of ten when
    the span is so wide that 1-2-5 would crowd it."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    mantissas = (1, 2, 5) if last - first <= 5 else (1,)
    ticks = [m * 10.0**e for e in range(first, last + 1) for m in mantissas]
    inside = [t for t in ticks if low / 1.2 <= t <= high * 1.2]
    return inside if len(inside) >= 2 else [t for t in ticks if low / 10 <= t <= high * 10]


def linear_ticks(low: float, high: float, whole: bool = False, target: int = 8) -> list[float]:
    """About `target` ticks at a 1-2-5 step from low to high; whole numbers only when `whole`
    (a count of accounts or posts never shows a half)."""
    span = high - low
    if span <= 0:
        return [low] if not whole else [math.floor(low), math.floor(low) + 1]
    raw = span / target
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, round(step))
    start, stop = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(start, stop + 1)]


def set_value_axis(
    fig: go.Figure,
    values: pd.Series | list,
    kind: str,
    log: bool = False,
    axis: str = "y",
    whole: bool = False,
    from_zero: bool = False,
) -> None:
    """Ticks and labels of a value axis chosen here rather than by plotly, so a count reads
    1.2M on the axis as in the tables (plotly's SI format says 1.2M but 500k and 1G), a log
    axis labels only 1-2-5 and a count axis never shows a half."""
    series = pd.Series(values, dtype="float64").dropna()
    if log:
        series = series[series > 0]
    if series.empty:
        return
    low, high = float(series.min()), float(series.max())
    if from_zero:  # bars grow from zero
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = log_ticks(low, high) if log else linear_ticks(low, high, whole or kind == "count")
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(
        type="log" if log else "linear",
        tickmode="array",
        tickvals=ticks,
        ticktext=[axis_label(t, kind) for t in ticks],
    )


def empty(message: str, height: int = 300) -> go.Figure:
    """A blank figure that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(
        text=safe(message),
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 15, "color": MUTED},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, height)


def league_bar(frame: pd.DataFrame, metric: str, platform: str, highlight: str | None = None) -> go.Figure:
    """The league table as horizontal bars, the leader on top, values labelled as in the table;
    the reader's own institution (`highlight`) in the accent colour and bold."""
    rows = frame.dropna(subset=["value"])
    if rows.empty:
        return empty("No values to chart for this selection")
    mine = (rows["institution_id"] == highlight).tolist()
    labels = [
        f"<b>{r} · {safe(n)}</b>" if m else f"{r} · {safe(n)}"
        for r, n, m in zip(rows["rank"], rows["name"], mine, strict=True)
    ]
    texts = [format_value(metric, v, bool(r)) for v, r in zip(rows["value"], rows["rounded"], strict=True)]
    color = platform_color(platform)
    fig = go.Figure(
        go.Bar(
            x=rows["value"],
            y=labels,
            orientation="h",
            marker={"color": [HIGHLIGHT if m else color for m in mine], "line": {"width": 0}},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=np.array(texts, dtype=object),
            hovertemplate="%{y}<br>" + safe(METRICS[metric].label) + ": %{customdata}<extra></extra>",
            error_x=_interval(rows),
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showticklabels=False, showgrid=False)
    fig = _style(fig, height=max(260, 34 * len(rows) + 60))
    fig.update_layout(bargap=0.28, margin={"r": 70})
    signed_value_range(fig, rows["value"], texts)
    return fig


def signed_value_range(fig: go.Figure, values: pd.Series, texts: list[str], axis: str = "x") -> None:
    """Room inside the plot for the value labels drawn outside the bars' ends, left of zero: a
    negative bar's label (with its minus) sits just left of the bar, inside the plot, never under
    the names beside the axis; a zero line marks where the bars start. Positive labels use the
    right margin."""
    series = pd.Series(values, dtype="float64").dropna()
    if series.empty or series.min() >= 0:
        return
    low, high = min(float(series.min()), 0.0), max(float(series.max()), 0.0)
    span = (high - low) or 1.0
    # the plot's width on the narrowest chart we draw (the league page's column at 1280 px, less
    # the names), and the widest label's share of it (about 8 px a character at 13 px, with room to spare)
    names = [re.sub(r"<[^>]+>", "", str(t)) for t in fig.data[0].y] if fig.data else []
    names_px = 7.2 * max((len(n) for n in names), default=0)
    plot_px = max(180.0, NARROWEST_CHART_PX - names_px - 90)
    share = min(0.4, max(0.1, (8 * max((len(t) for t in texts), default=4) + 12) / plot_px))
    right = span * 0.04
    pad = share * (span + right) / (1 - share)
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(range=[low - pad, high + right], zeroline=True, zerolinecolor=MUTED, zerolinewidth=1)


def _interval(rows: pd.DataFrame) -> dict | None:
    """Error bars from a frame's 95% interval (low, high), as audience metrics carry."""
    if "low" not in rows or rows["low"].isna().all():
        return None
    return {
        "type": "data",
        "symmetric": False,
        "array": (rows["high"] - rows["value"]).fillna(0).tolist(),
        "arrayminus": (rows["value"] - rows["low"]).fillna(0).tolist(),
        "color": MUTED,
        "thickness": 1.5,
        "width": 4,
    }


def top_posts_bar(frame: pd.DataFrame, by: str, label: str) -> go.Figure:
    """The top posts as horizontal bars by `by`, the first on top; posts that drew an unusual
    reaction in a warning colour."""
    rows = frame.dropna(subset=["value"])
    if rows.empty:
        return empty("No posts to chart for this selection")
    days = [ui_day(d) for d in rows["posted_at"]]
    labels = [
        f"{r} · {safe(n)} · {PLATFORM_NAMES.get(p, p)} · {d}"
        for r, n, p, d in zip(rows["rank"], rows["name"], rows["platform"], days, strict=True)
    ]
    # the same label twice (one institution, one day) would draw one bar: number them apart
    labels = [f"{text} ({i})" if labels.count(text) > 1 else text for i, text in enumerate(labels, 1)]
    percent = by == "engagement_rate"
    texts = [
        "–"
        if is_missing(v)
        else f"{v:.2f}%"
        if percent
        else f"{v:.2f}×"
        if by in RATIO_MEASURES
        else human_count(v)
        for v in rows["value"]
    ]
    colors = [WARNING if flag else PRIMARY for flag in rows["unusual_reaction"]]
    fig = go.Figure(
        go.Bar(
            x=rows["value"],
            y=labels,
            orientation="h",
            marker={"color": colors, "line": {"width": 0}},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>" + safe(label) + ": %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showticklabels=False, showgrid=False)
    fig = _style(fig, height=max(260, 34 * len(rows) + 60))
    fig.update_layout(bargap=0.28, margin={"r": 70})
    signed_value_range(fig, rows["value"], texts)
    return fig


def ui_day(value: object) -> str:
    """A timestamp's day in ISO form; '–' for none."""
    return "–" if is_missing(value) or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _hover_frame(frame: pd.DataFrame) -> np.ndarray:
    return np.stack(
        [
            frame["name"].map(safe),
            frame["handle"].map(safe),
            frame["followers"].map(human_count),
            frame["engagement_rate"].map(lambda v: format_value("engagement_rate", v)),
            frame["interactions_per_post"].map(lambda v: format_value("interactions_per_post", v)),
            frame["posts_per_week"].map(lambda v: format_value("posts_per_week", v)),
            frame["overperformance"].map(lambda v: format_value("overperformance", v)),
        ],
        axis=-1,
    )


_SCATTER_HOVER = (
    "<b>%{customdata[0]}</b> · %{customdata[1]}<br>Followers: %{customdata[2]}"
    "<br>Engagement rate: %{customdata[3]}<br>Interactions per post: %{customdata[4]}"
    "<br>Posts per week: %{customdata[5]}<br>Against expected: %{customdata[6]}"
    "<extra></extra>"
)


# a scatter of at most this many points names each point beside it (more would overlap)
NAMED_POINTS = 15


def engagement_scatter(
    frame: pd.DataFrame,
    y: str = "engagement_rate",
    color_by: str = "kind",
    highlight: str | None = None,
    platform: str | None = None,
) -> go.Figure:
    """Followers (log) against engagement rate or interactions per post (log), bubbles sized by
    posts per week, coloured by kind or country; peer medians as dotted lines; the curve of
    expected engagement for an account's size; one institution highlighted."""
    if y not in ("engagement_rate", "interactions_per_post"):
        raise ValueError(f"y must be engagement_rate or interactions_per_post, not {y!r}")
    rows = frame[(frame["followers"] > 0) & (frame[y] > 0)].copy()
    if rows.empty:
        return empty("No accounts with both followers and engagement on this day", height=480)
    size = rows["posts_per_week"].fillna(0).clip(upper=30)
    rows["_size"] = 8 + 26 * np.sqrt(size / max(size.max(), 1))
    fig = go.Figure()
    groups = sorted(rows[color_by].dropna().unique().tolist())
    colors = series_colors(groups)
    named = len(rows) <= NAMED_POINTS  # a small scatter names its points
    for group in groups:
        part = rows[rows[color_by] == group]
        label = str(group).replace("_", " ").capitalize() if color_by == "kind" else str(group)
        fig.add_trace(
            go.Scatter(
                x=part["followers"],
                y=part[y],
                mode="markers+text" if named else "markers",
                text=part["name"].map(safe) if named else None,
                textposition="top center",
                textfont={"size": 11, "color": "#1A2433"},
                name=safe(label),
                marker={
                    "size": part["_size"],
                    "color": colors[group],
                    "opacity": 0.75,
                    "line": {"width": 0.8, "color": "white"},
                },
                customdata=_hover_frame(part),
                hovertemplate=_SCATTER_HOVER,
            )
        )
    fitted = rows.dropna(subset=["expected_interactions"]).sort_values("followers")
    if not fitted.empty:
        expected = fitted["expected_interactions"]
        if y == "engagement_rate":
            expected = expected * 100.0 / fitted["followers"]
        fig.add_trace(
            go.Scatter(
                x=fitted["followers"],
                y=expected,
                mode="lines",
                name="Expected for audience size",
                line={"color": "#1A2433", "width": 2, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    median_x, median_y = rows["followers"].median(), rows[y].median()
    fig.add_vline(
        x=median_x,
        line={"color": MUTED, "width": 1, "dash": "dot"},
        annotation_text=f"median audience {human_count(median_x)}",
        annotation_position="top left",
        annotation_font_color=MUTED,
    )
    fig.add_hline(
        y=median_y,
        line={"color": MUTED, "width": 1, "dash": "dot"},
        annotation_text=f"median {format_value(y, median_y)}",
        annotation_position="bottom right",
        annotation_font_color=MUTED,
    )
    if highlight is not None:
        mine = rows[rows["institution_id"] == highlight]
        if not mine.empty:
            fig.add_trace(
                go.Scatter(
                    x=mine["followers"],
                    y=mine[y],
                    mode="markers+text",
                    name=safe(mine["name"].iloc[0]),
                    text=mine["name"].map(safe),
                    textposition="top center",
                    textfont={"size": 13, "color": "#1A2433"},
                    marker={
                        "size": mine["_size"] + 6,
                        "color": "rgba(0,0,0,0)",
                        "line": {"width": 3, "color": HIGHLIGHT},
                    },
                    customdata=_hover_frame(mine),
                    hovertemplate=_SCATTER_HOVER,
                )
            )
    fig.update_xaxes(title="Followers (log scale)")
    fig.update_yaxes(title=METRICS[y].label + " (log scale)")
    set_value_axis(fig, rows["followers"], "count", log=True, axis="x")
    shown_y = pd.concat([rows[y], expected]) if not fitted.empty else rows[y]
    set_value_axis(fig, shown_y, METRICS[y].kind, log=True)
    return _style(fig, height=520)


def peer_percentiles(frame: pd.DataFrame, metric: str) -> go.Figure:
    """Per platform, the institution's percentile among its peers on one metric, with the median
    (50) and the top quartile (75) marked: where it stands at a glance."""
    rows = frame[(frame["metric"] == metric) & frame["percentile"].notna()]
    if rows.empty:
        return empty("No values for this metric among these peers")
    rows = rows.assign(_order=rows["platform"].map(lambda p: (p != "all", p))).sort_values("_order")
    labels = [PLATFORM_NAMES.get(p, p) for p in rows["platform"]]
    texts = [
        f"{pct:.0f}th · {format_value(metric, v, bool(r))}"
        for pct, v, r in zip(rows["percentile"], rows["value"], rows["rounded"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=rows["percentile"].clip(lower=1.5),
            y=labels,
            orientation="h",
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker={"color": [platform_color(p) for p in rows["platform"]]},
            customdata=np.stack(
                [
                    rows["peer_median"].map(lambda v: format_value(metric, v)),
                    rows["leader"].map(safe),
                    rows["peers"],
                ],
                axis=-1,
            ),
            hovertemplate="%{y}: %{text}<br>Peer median: %{customdata[0]}<br>Leader: %{customdata[1]}"
            "<br>Peers with a value: %{customdata[2]}<extra></extra>",
        )
    )
    for x, label, anchor in ((50, "median", "right"), (75, "top quartile", "left")):
        fig.add_vline(x=x, line={"color": MUTED, "width": 1, "dash": "dot"})
        fig.add_annotation(
            x=x,
            y=1,
            xref="x",
            yref="paper",
            yanchor="bottom",
            xanchor=anchor,
            text=label,
            showarrow=False,
            font={"color": MUTED},
        )
    fig.update_xaxes(range=[0, 150], title="Percentile among peers", tickvals=[0, 25, 50, 75, 100])
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig = _style(fig, height=max(260, 40 * len(rows) + 90))
    fig.update_layout(margin={"t": 36})
    return fig


def wide_spread(frame: pd.DataFrame, y: str, by: str, ratio: float = 20.0) -> bool:
    """Whether the series of `frame` lie so far apart (the largest median `ratio` times the
    smallest) that on a linear axis the small ones would sit flat on zero."""
    medians = frame.dropna(subset=[y]).groupby(by)[y].median()
    medians = medians[medians > 0]
    return bool(len(medians) > 1 and medians.max() / medians.min() >= ratio)


# A line keeps at most about this many points: a plot 600-900 px wide shows no more, and every
# point costs its share of the figure's JSON and of plotly's drawing in the browser.
MAX_LINE_POINTS = 200


def decimate(rows: pd.DataFrame, y: str, max_points: int = MAX_LINE_POINTS) -> pd.DataFrame:
    """At most `max_points` rows of one series in x order: the first and the last, and in each of
    (max_points - 2) / 2 runs of consecutive rows the one with the lowest and the one with the
    highest `y`, so that peaks and troughs survive (a stride would skip them)."""
    if len(rows) <= max_points:
        return rows
    values = rows[y].to_numpy(dtype="float64")
    buckets = max(1, (max_points - 2) // 2)
    keep = {0, len(rows) - 1}
    for chunk in np.array_split(np.arange(len(rows)), buckets):
        part = values[chunk]
        if np.isnan(part).all():
            continue
        keep.update((int(chunk[np.nanargmin(part)]), int(chunk[np.nanargmax(part)])))
    return rows.iloc[sorted(keep)]


def history_lines(
    frame: pd.DataFrame,
    y: str = "followers",
    color: str = "platform",
    log_y: bool = False,
    highlight: str | None = None,
) -> go.Figure:
    """A metric over time, one line per platform (platform colours) or per institution; the
    line of `highlight` (the reader's institution) drawn thicker."""
    rows = frame.dropna(subset=[y]).sort_values("day")
    if rows.empty:
        return empty("No history for this selection")
    fig = go.Figure()
    # largest last value first: the same institutions get the same colours on every trend chart
    latest = rows.groupby(color)[y].last().sort_values(ascending=False)
    keys = latest.index.tolist()
    colors = series_colors(keys) if color != "platform" else {k: platform_color(k) for k in keys}
    for key in keys:
        part = decimate(rows[rows[color] == key], y)
        label = PLATFORM_NAMES.get(key, key) if color == "platform" else part["name"].iloc[0]
        values = part[y].map(lambda v: format_value(y, v))
        fig.add_trace(
            go.Scatter(
                x=part["day"],
                y=part[y],
                mode="lines",
                name=safe(label),
                line={"color": colors[key], "width": 4 if key == highlight else 3 if key == "all" else 2},
                customdata=values,
                hovertemplate=safe(label) + " · %{x|%Y-%m-%d}: %{customdata}<extra></extra>",
            )
        )
    fig.update_yaxes(title=METRICS[y].label + (" (log scale)" if log_y else ""))
    set_value_axis(fig, rows[y], METRICS[y].kind, log=log_y)
    fig.update_xaxes(tickformat="%Y-%m-%d")
    fig.update_layout(hovermode="x unified")
    return _style(fig)


def posting_rhythm(frame: pd.DataFrame) -> go.Figure:
    """Posts per weekday, stacked by platform."""
    if frame.empty:
        return empty("No posts in this period")
    fig = go.Figure()
    for platform in sorted(frame["platform"].unique()):
        part = frame[frame["platform"] == platform].set_index("weekday").reindex(range(1, 8))
        fig.add_trace(
            go.Bar(
                x=WEEKDAYS,
                y=part["posts"].fillna(0),
                name=PLATFORM_NAMES.get(platform, platform),
                marker={"color": platform_color(platform)},
                hovertemplate="%{x}: %{y} posts<extra>" + PLATFORM_NAMES.get(platform, platform) + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="Posts")
    set_value_axis(fig, frame.groupby("weekday")["posts"].sum(), "count", whole=True, from_zero=True)
    return _style(fig, height=340)


def audience_share(frame: pd.DataFrame) -> go.Figure:
    """Each institution's share of the population's followers over time, stacked to 100 %."""
    if frame.empty:
        return empty("No audience to share in this selection")
    fig = go.Figure()
    named = frame.dropna(subset=["institution_id"])
    latest = named[named["day"] == named["day"].max()].sort_values("share", ascending=False)
    keys = latest["institution_id"].tolist() + [
        k for k in named["institution_id"].unique() if k not in set(latest["institution_id"])
    ]
    colors = series_colors(keys)
    for key in keys:
        part = named[named["institution_id"] == key].sort_values("day")
        fig.add_trace(
            go.Scatter(
                x=part["day"],
                y=part["share"],
                name=safe(part["name"].iloc[0]),
                stackgroup="share",
                mode="lines",
                line={"width": 0.5, "color": colors[key]},
                hovertemplate=safe(part["name"].iloc[0]) + ": %{y:.1f}%<extra></extra>",
            )
        )
    others = frame[frame["institution_id"].isna()].sort_values("day")
    if not others.empty:
        fig.add_trace(
            go.Scatter(
                x=others["day"],
                y=others["share"],
                name="All others",
                stackgroup="share",
                mode="lines",
                line={"width": 0.5, "color": OTHERS_COLOR},
                hovertemplate="All others: %{y:.1f}%<extra></extra>",
            )
        )
    fig.update_yaxes(title="Share of followers (%)", range=[0, 100], ticksuffix="%")
    fig.update_xaxes(tickformat="%Y-%m-%d")
    fig.update_layout(hovermode="x unified")
    return _style(fig)


def rank_lines(frame: pd.DataFrame, metric: str) -> go.Figure:
    """Rank over time (1 on top), one line per institution."""
    if frame.empty:
        return empty("No ranks for this selection")
    fig = go.Figure()
    last = frame.sort_values("day").groupby("institution_id")["rank"].last().sort_values()
    keys = last.index.tolist()
    colors = series_colors(keys)
    for key in keys:
        part = decimate(frame[frame["institution_id"] == key].sort_values("day"), "rank")
        name = safe(part["name"].iloc[0])
        fig.add_trace(
            go.Scatter(
                x=part["day"],
                y=part["rank"],
                mode="lines",
                name=name,
                line={"color": colors[key], "width": 2, "shape": "hv"},
                customdata=part["value"].map(lambda v: format_value(metric, v)),
                hovertemplate=name + ": #%{y} (%{customdata})<extra></extra>",
            )
        )
    worst = int(frame["rank"].max())
    fig.update_yaxes(
        range=[worst + 0.5, 0.5], title=f"Rank by {METRICS[metric].label}", dtick=1 if worst <= 15 else None
    )
    fig.update_xaxes(tickformat="%Y-%m-%d")
    fig.update_layout(hovermode="x unified")
    return _style(fig)


def coverage_bars(frame: pd.DataFrame) -> go.Figure:
    """Per platform: accounts known, and those with a count in the last 7 days of data."""
    if frame.empty:
        return empty("No accounts known yet")
    labels = [PLATFORM_NAMES.get(p, p) for p in frame["platform"]]
    fig = go.Figure(
        [
            go.Bar(x=labels, y=frame["accounts_known"], name="Known", marker={"color": OTHERS_COLOR}),
            go.Bar(
                x=labels,
                y=frame["fresh_7d"],
                name="With a count in the last 7 days",
                marker={"color": [platform_color(p) for p in frame["platform"]]},
            ),
        ]
    )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(title="Accounts")
    set_value_axis(fig, frame["accounts_known"], "count", whole=True, from_zero=True)
    return _style(fig, height=320)


def failures_bars(frame: pd.DataFrame) -> go.Figure:
    """Per-account failures per run day, stacked by kind."""
    if frame.empty:
        return empty("No failures in this period")
    daily = frame.groupby(["day", "kind"], as_index=False)["failures"].sum()
    kinds = sorted(daily["kind"].unique())
    colors = series_colors(kinds)
    fig = go.Figure(
        [
            go.Bar(
                x=part["day"], y=part["failures"], name=kind.replace("_", " "), marker={"color": colors[kind]}
            )
            for kind, part in ((k, daily[daily["kind"] == k]) for k in kinds)
        ]
    )
    fig.update_layout(barmode="stack", bargap=0.1)
    fig.update_yaxes(title="Accounts failed")
    set_value_axis(fig, daily.groupby("day")["failures"].sum(), "count", whole=True, from_zero=True)
    fig.update_xaxes(tickformat="%Y-%m-%d")
    return _style(fig, height=320)


# ---- webcare ------------------------------------------------------------------------------------


def _target_line(fig: go.Figure, target_minutes: object, values) -> None:
    """The webcare target as a dashed vertical line on a logarithmic x axis of minutes.

    A shape's x on a log axis is read as log10 by some plotly.js versions and as data by others
    (the dashboard's browser and the PNG renderer differ), so the axis gets an explicit range (a
    log axis's range is log10 in every version) and the line sits at its place on the paper."""
    if is_missing(target_minutes):
        return
    target = float(target_minutes)
    known = [float(v) for v in values if not is_missing(v) and float(v) > 0]
    low = np.log10(min([*known, target])) - 0.15
    high = np.log10(max([*known, target])) + 0.15
    fig.update_xaxes(range=[low, high])
    where = (np.log10(target) - low) / (high - low)
    line = {"color": "#C44E52", "dash": "dash", "width": 2}
    fig.add_shape(type="line", xref="paper", yref="paper", x0=where, x1=where, y0=0, y1=1, line=line)
    fig.add_annotation(
        text=f"target {format_value('reply_time_median', target)}",
        xref="paper",
        yref="paper",
        x=where,
        y=1,
        yanchor="bottom",
        showarrow=False,
        font={"color": "#C44E52"},
    )


def webcare_scatter(frame: pd.DataFrame, platform: str, target_minutes: object = None) -> go.Figure:
    """Answered share against median reply time, one point per institution; the target as a line.
    Faster is left (a logarithmic axis: minutes to days), more answered is up."""
    rows = frame.dropna(subset=["answered_pct", "reply_time_median"])
    if rows.empty:
        return empty("No institution has answered questions in this selection")
    texts = [
        f"{safe(n)}<br>answered {format_value('answered_pct', a)} of {int(q)} questions"
        f"<br>median reply {format_value('reply_time_median', m)}"
        for n, a, q, m in zip(
            rows["name"], rows["answered_pct"], rows["questions"], rows["reply_time_median"], strict=True
        )
    ]
    named = len(rows) <= NAMED_POINTS  # a small scatter names its points
    fig = go.Figure(
        go.Scatter(
            x=rows["reply_time_median"],
            y=rows["answered_pct"],
            mode="markers+text" if named else "markers",
            textposition="top center",
            textfont={"size": 11, "color": "#1A2433"},
            marker={
                "size": np.clip(np.sqrt(rows["questions"].astype(float)) * 3, 6, 40),
                "color": platform_color(platform),
                "opacity": 0.75,
                "line": {"width": 1, "color": "white"},
            },
            text=rows["name"].map(safe) if named else None,
            customdata=texts,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    fig.update_xaxes(type="log", title="Median reply time (minutes, log scale; faster is left)")
    fig.update_yaxes(title="Questions answered (%)", range=[-3, 103])
    _target_line(fig, target_minutes, rows["reply_time_median"])
    return _style(fig, height=460)


def reply_time_distribution(
    frame: pd.DataFrame, institution_id: str, name: str, target_minutes: object = None
) -> go.Figure:
    """The reply times of one institution's answered questions against those of its peers."""
    if frame.empty:
        return empty("No answered questions in this selection")
    mine = frame[frame["institution_id"] == institution_id]["reply_minutes"]
    peers = frame[frame["institution_id"] != institution_id]["reply_minutes"]
    fig = go.Figure()
    for label, values, color in ((safe(name), mine, PRIMARY), ("Peers", peers, MUTED)):
        fig.add_trace(
            go.Box(
                x=values,
                name=f"{label} ({len(values)})",
                orientation="h",
                marker={"color": color},
                boxpoints="outliers",
                hovertemplate="%{x:.0f} min<extra></extra>",
            )
        )
    fig.update_xaxes(type="log", title="Minutes to the first answer (log scale)")
    _target_line(fig, target_minutes, frame["reply_minutes"])
    fig = _style(fig, height=300)
    fig.update_layout(showlegend=False)
    return fig


def unanswered_bars(frame: pd.DataFrame, limit: int = 10) -> go.Figure:
    """The institutions that leave most questions unanswered, with the share left open."""
    rows = frame[frame["unanswered"] > 0].sort_values(["unanswered", "name"], ascending=[False, True])
    rows = rows.head(limit)
    if rows.empty:
        return empty("Every question in this selection was answered")
    texts = [
        f"{int(u)} of {int(q)} ({100 - a:.0f}%)"
        for u, q, a in zip(rows["unanswered"], rows["questions"], rows["answered_pct"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=rows["unanswered"],
            y=[safe(n) for n in rows["name"]],
            orientation="h",
            marker={"color": "#C44E52"},
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text} unanswered<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(title="Questions left unanswered (28 days)")
    fig = _style(fig, height=max(240, 32 * len(rows) + 70))
    fig.update_layout(margin={"r": 90})
    return fig


def league_figure(frame: pd.DataFrame, metric: str, platform: str, title: str, footer: str) -> go.Figure:
    """league_bar for a page of its own (an image to publish): a title with the filters and the
    as-of day above, the source line (and the demo notice) below."""
    return titled(league_bar(frame, metric, platform), title, footer)


def titled(figure: go.Figure, title: str, footer: str, below: int = 12) -> go.Figure:
    """A copy of a chart for a page of its own (an image to publish): the heading with every
    filter above, the source line (and the demo notice) below, `below` pixels under the plot (more
    for a chart whose x axis has tick labels and a title there)."""
    fig = go.Figure(figure)
    fig.update_layout(
        # the title starts where the names do, not at the image's first pixel
        title={"text": safe(title), "x": 0, "xanchor": "left", "pad": {"l": 16}, "font": {"size": 17}},
        margin={"l": 16, "r": 70, "t": 56, "b": 36 + below},
        height=(fig.layout.height or 300) + 68 + below,
    )
    fig.add_annotation(
        text=safe(footer),
        showarrow=False,
        x=0,
        y=0,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        yshift=-below,
        font={"size": 11, "color": MUTED},
    )
    return fig


# ---- mentions -----------------------------------------------------------------------------------

TONE_COLORS = {"negative": WARNING, "positive": "#2CA02C"}
MAX_VOICES = 8  # institutions drawn on their own in the share of voice; the rest are "Others"


def _storm_marks(fig: go.Figure, storms: pd.DataFrame, names: dict[str, str] | None = None) -> None:
    """A dotted line on each storm day, labelled with the institution."""
    if storms is None or storms.empty:
        return
    for day, rows in storms.groupby("day"):
        who = ", ".join(safe(n) for n in rows["name"].head(3))
        fig.add_vline(
            x=pd.Timestamp(day).timestamp() * 1000, line={"color": WARNING, "dash": "dot", "width": 1}
        )
        fig.add_annotation(
            x=pd.Timestamp(day),
            y=1,
            yref="paper",
            text=f"storm: {who}",
            showarrow=False,
            textangle=-90,
            xanchor="right",
            yanchor="top",
            font={"size": 11, "color": WARNING},
        )


def share_of_voice_area(
    frame: pd.DataFrame, storms: pd.DataFrame | None = None, highlight: str | None = None
) -> go.Figure:
    """Each institution's share of the selection's 28-day mentions over time, stacked to 100%;
    the largest voices on their own, the rest as Others; storm days marked."""
    rows = frame.dropna(subset=["share_of_voice"])
    if rows.empty:
        return empty("No mentions in this selection and span")
    last = rows[rows["day"] == rows["day"].max()].sort_values("share_of_voice", ascending=False)
    voices = list(last["institution_id"].head(MAX_VOICES))
    if highlight in set(rows["institution_id"]) and highlight not in voices:
        voices = [*voices[: MAX_VOICES - 1], highlight]
    colors = series_colors(voices)
    names = dict(zip(rows["institution_id"], rows["name"], strict=False))
    fig = go.Figure()
    for key in voices:
        part = rows[rows["institution_id"] == key].sort_values("day")
        fig.add_trace(
            go.Scatter(
                x=part["day"],
                y=part["share_of_voice"],
                mode="lines",
                stackgroup="voice",
                name=safe(names[key]),
                line={"color": HIGHLIGHT if key == highlight else colors[key], "width": 0.5},
                hovertemplate=safe(names[key]) + " · %{x|%Y-%m-%d}: %{y:.1f}%<extra></extra>",
            )
        )
    others = rows[~rows["institution_id"].isin(voices)]
    if not others.empty:
        summed = others.groupby("day", as_index=False)["share_of_voice"].sum()
        fig.add_trace(
            go.Scatter(
                x=summed["day"],
                y=summed["share_of_voice"],
                mode="lines",
                stackgroup="voice",
                name="Others",
                line={"color": OTHERS_COLOR, "width": 0.5},
                hovertemplate="Others · %{x|%Y-%m-%d}: %{y:.1f}%<extra></extra>",
            )
        )
    _storm_marks(fig, storms)
    fig.update_yaxes(title="Share of voice (%), 28 days", range=[0, 100], ticksuffix="%")
    fig.update_xaxes(tickformat="%Y-%m-%d")
    fig.update_layout(hovermode="x unified")
    return _style(fig)


def tone_lines(frame: pd.DataFrame, storms: pd.DataFrame | None = None) -> go.Figure:
    """The selection's negative and positive shares of its toned mentions over time (28-day
    windows, pooled: each institution weighs by its toned mentions); storm days marked."""
    rows = frame.dropna(subset=["negative_share"])
    rows = rows[rows["toned"] > 0]
    if rows.empty:
        return empty("No mentions with a tone in this selection and span")
    pooled = (
        rows.assign(neg=rows["negative_share"] * rows["toned"], pos=rows["positive_share"] * rows["toned"])
        .groupby("day", as_index=False)[["neg", "pos", "toned"]]
        .sum()
    )
    fig = go.Figure()
    for tone, column in (("negative", "neg"), ("positive", "pos")):
        fig.add_trace(
            go.Scatter(
                x=pooled["day"],
                y=pooled[column] / pooled["toned"],
                mode="lines",
                name=f"{tone.title()} share",
                line={"color": TONE_COLORS[tone], "width": 2},
                hovertemplate=f"{tone.title()} · " + "%{x|%Y-%m-%d}: %{y:.1f}%<extra></extra>",
            )
        )
    _storm_marks(fig, storms)
    fig.update_yaxes(title="Share of toned mentions (%), 28 days", rangemode="tozero", ticksuffix="%")
    fig.update_xaxes(tickformat="%Y-%m-%d")
    fig.update_layout(hovermode="x unified")
    return _style(fig, height=340)


def theme_bars(frame: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Each theme's share of the selection's mentions (pooled over its institutions)."""
    rows = frame[frame["institution_id"].isna()].dropna(subset=["share"])
    if rows.empty:
        return empty("No mentions in the 28 days to this day")
    rows = rows.sort_values("share")
    fig = go.Figure(
        go.Bar(
            x=rows["share"],
            y=[labels.get(t, t) for t in rows["theme"]],
            orientation="h",
            marker={"color": PRIMARY},
            text=[f"{v:.1f}%" for v in rows["share"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1f}% of mentions<extra></extra>",
        )
    )
    fig.update_xaxes(title="Share of mentions, 28 days (%)", rangemode="tozero")
    fig.update_yaxes(showgrid=False)
    fig = _style(fig, height=max(260, 34 * len(rows) + 80))
    fig.update_layout(margin={"r": 60})
    return fig


STATE_COLORS = {"green": "#2E8B57", "amber": "#E0A030", "red": WARNING, None: OTHERS_COLOR}
STATE_NAMES = {"green": "Green", "amber": "Amber", "red": "Red", None: "Too few to judge"}


def practice_states(frame: pd.DataFrame, measures: dict) -> go.Figure:
    """Per practice measure, how many institutions are green, amber, red or too few to judge
    (those with a value but not enough behind it); institutions without a value are left out."""
    labels = [safe(rule.label) for rule in measures.values()]
    fig = go.Figure()
    for state in ("green", "amber", "red", None):
        counts = []
        for name in measures:
            valued = frame[frame[name].notna()]
            states = valued[f"{name}_state"]
            counts.append(int((states.isna() if state is None else states == state).sum()))
        fig.add_trace(
            go.Bar(
                x=counts,
                y=labels,
                orientation="h",
                name=STATE_NAMES[state],
                marker={"color": STATE_COLORS[state]},
                hovertemplate=f"%{{y}}: %{{x}} {STATE_NAMES[state].lower()}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.15})
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(title="Institutions")
    return _style(fig, height=max(260, 36 * len(labels) + 110))


# a metric card's sparkline: drawn as an SVG image (the browser draws it as a picture), not as a
# chart, which would load a second charting library (Vega, for st.metric's chart_data) beside plotly
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 200, 40, 2


def sparkline_svg(values: list[float], colour: str = PRIMARY) -> str | None:
    """A line of the values in order with the area under it shaded, scaled from their lowest
    (bottom) to their highest (top); None for fewer than two values."""
    ys = [float(v) for v in values if not is_missing(v)]
    if len(ys) < 2:
        return None
    low, high = min(ys), max(ys)
    span = SPARK_HEIGHT - 2 * SPARK_PAD

    def y(v: float) -> float:
        return SPARK_HEIGHT / 2 if high == low else SPARK_PAD + (high - v) / (high - low) * span

    step = SPARK_WIDTH / (len(ys) - 1)
    points = " ".join(f"{i * step:.1f},{y(v):.1f}" for i, v in enumerate(ys))
    area = f"0,{SPARK_HEIGHT} {points} {SPARK_WIDTH},{SPARK_HEIGHT}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'preserveAspectRatio="none" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}">'
        f'<polygon points="{area}" fill="{colour}" fill-opacity="0.15"/>'
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5" '
        'vector-effect="non-scaling-stroke"/></svg>'
    )
