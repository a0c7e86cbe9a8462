"""The chart functions: DataFrame in, plotly Figure out, no browser."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts

DAYS = pd.to_datetime([dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(3)])
EVIL = "<b>Evil</b> <script>x()</script>"


def spec(fig: go.Figure) -> str:
    return json.dumps(fig.to_plotly_json(), default=str)


def is_blank(fig: go.Figure) -> bool:
    return not fig.data and bool(fig.layout.annotations)


def league() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "previous_rank": [2, 1, None],
            "institution_id": ["a", "b", "c"],
            "name": ["Alpha Bank", EVIL, "Gamma"],
            "value": [1_200_000.0, 34_000.0, None],
            "rounded": [True, False, False],
        }
    )


def accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "institution_id": ["a", "b", "c", "d"],
            "name": ["Alpha", "Beta", "Gamma", EVIL],
            "handle": ["@a", "@b", "@c", "@d"],
            "kind": ["bank", "bank", "insurer", "neobank"],
            "country": ["NL", "GB", "NL", "US"],
            "followers": [1e3, 1e4, 1e5, 1e6],
            "engagement_rate": [2.0, 1.0, 0.4, 0.1],
            "interactions_per_post": [20.0, 100, 400, 1000],
            "posts_per_week": [1.0, None, 5.0, 10.0],
            "expected_interactions": [25.0, 90, 380, 1200],
            "overperformance": [0.8, 1.1, 1.05, 0.83],
        }
    )


def test_platform_colours_are_distinct_and_stable():
    colours = [charts.platform_color(p) for p in charts.PLATFORM_COLORS]
    assert len(set(colours)) == len(colours)
    assert charts.platform_color("myspace") == charts.MUTED


def test_safe_shows_markup_as_typed():
    assert charts.safe(EVIL) == "&lt;b&gt;Evil&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;"
    assert charts.safe(None) == "–"


def test_league_bar_labels_values_like_the_table_and_escapes_names():
    fig = charts.league_bar(league(), "followers", "facebook")
    bar = fig.data[0]
    assert list(bar.text) == ["≈1.20M", "34.0K"]  # the institution without a value is left out
    assert bar.y[0] == "1 · Alpha Bank"
    assert "<script>" not in spec(fig)
    assert list(bar.marker.color) == [charts.PLATFORM_COLORS["facebook"]] * 2
    mine = charts.league_bar(league(), "followers", "facebook", highlight="b").data[0]
    assert list(mine.marker.color) == [charts.PLATFORM_COLORS["facebook"], charts.HIGHLIGHT]
    assert mine.y[1].startswith("<b>2 · &lt;b&gt;Evil") and mine.y[1].endswith("</b>")
    assert fig.layout.yaxis.autorange == "reversed"  # the leader on top


def test_league_bar_without_values_says_so():
    assert is_blank(charts.league_bar(league().iloc[2:], "followers", "all"))


@pytest.mark.parametrize("y", ["engagement_rate", "interactions_per_post"])
def test_engagement_scatter_has_groups_expected_curve_medians_and_highlight(y):
    fig = charts.engagement_scatter(accounts(), y=y, color_by="kind", highlight="b")
    names = [t.name for t in fig.data]
    assert names[:4] == ["Bank", "Insurer", "Neobank", "Expected for audience size"]
    assert names[-1] == "Beta" and fig.data[-1].mode == "markers+text"
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert len(fig.layout.shapes) == 2  # the two medians
    curve = fig.data[3]
    if y == "engagement_rate":  # expected interactions turned into an expected rate
        assert curve.y[0] == pytest.approx(25 * 100 / 1000)
    else:
        assert curve.y[0] == pytest.approx(25)
    assert "<script>" not in spec(fig)


def test_engagement_scatter_by_country_and_empty():
    fig = charts.engagement_scatter(accounts(), color_by="country")
    assert {t.name for t in fig.data} >= {"NL", "GB", "US"}
    assert is_blank(charts.engagement_scatter(accounts().assign(engagement_rate=None)))
    with pytest.raises(ValueError):
        charts.engagement_scatter(accounts(), y="followers")


def test_peer_percentiles_puts_all_platforms_first():
    frame = pd.DataFrame(
        {
            "platform": ["x", "all", "facebook", "x"],
            "metric": ["followers", "followers", "followers", "growth_30d"],
            "value": [10.0, 30.0, 20.0, 1.0],
            "rounded": [False] * 4,
            "peer_median": [5.0, 20.0, 25.0, 0.0],
            "top_quartile": [8.0, 25.0, 30.0, 1.0],
            "leader": ["A", EVIL, "C", "D"],
            "leader_value": [10.0, 40.0, 50.0, 2.0],
            "percentile": [100.0, 60.0, 0.0, 50.0],
            "gap": [5.0, 10.0, -5.0, 1.0],
            "peers": [3, 3, 3, 3],
        }
    )
    fig = charts.peer_percentiles(frame, "followers")
    assert list(fig.data[0].y) == ["All platforms", "Facebook", "X"]
    assert fig.data[0].x[1] > 0  # a 0th percentile still shows a sliver
    assert "<script>" not in spec(fig)
    assert is_blank(charts.peer_percentiles(frame, "power_score"))


def history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": list(DAYS) * 2,
            "institution_id": ["a"] * 3 + ["b"] * 3,
            "name": ["Alpha"] * 3 + [EVIL] * 3,
            "platform": ["x"] * 3 + ["all"] * 3,
            "followers": [10, 11, 12, 100, 110, None],
        }
    )


def test_history_lines_per_platform_and_per_institution():
    fig = charts.history_lines(history(), "followers", "platform", log_y=True)
    assert [t.name for t in fig.data] == ["All platforms", "X"]  # the largest first
    assert fig.data[1].line.color == charts.PLATFORM_COLORS["x"]
    assert fig.layout.yaxis.type == "log"
    fig = charts.history_lines(history(), "followers", "institution_id")
    assert [t.name for t in fig.data] == [charts.safe(EVIL), "Alpha"]
    assert is_blank(charts.history_lines(history().iloc[:0]))


def test_posting_rhythm_stacks_platforms_over_seven_weekdays():
    frame = pd.DataFrame(
        {
            "platform": ["x", "x", "facebook"],
            "weekday": [1, 5, 7],
            "posts": [3, 2, 1],
            "interactions_per_post": [1.0, 2.0, 3.0],
        }
    )
    fig = charts.posting_rhythm(frame)
    assert fig.layout.barmode == "stack"
    x = next(t for t in fig.data if t.name == "X")
    assert list(x.x) == charts.WEEKDAYS and list(x.y) == [3, 0, 0, 0, 2, 0, 0]
    assert is_blank(charts.posting_rhythm(frame.iloc[:0]))


def test_audience_share_stacks_leaders_then_others():
    frame = pd.DataFrame(
        {
            "day": [DAYS[0]] * 3 + [DAYS[1]] * 3,
            "institution_id": ["a", "b", None] * 2,
            "name": ["Alpha", EVIL, None] * 2,
            "followers": [50, 30, 20, 40, 40, 20],
            "share": [50.0, 30.0, 20.0, 40.0, 40.0, 20.0],
        }
    )
    fig = charts.audience_share(frame)
    assert [t.name for t in fig.data][-1] == "All others"
    assert all(t.stackgroup == "share" for t in fig.data)
    assert "<script>" not in spec(fig)
    assert is_blank(charts.audience_share(frame.iloc[:0]))


def test_rank_lines_put_rank_one_on_top():
    frame = pd.DataFrame(
        {
            "day": list(DAYS) * 2,
            "institution_id": ["a"] * 3 + ["b"] * 3,
            "name": ["Alpha"] * 3 + ["Beta"] * 3,
            "value": [3.0, 2, 1, 1, 2, 3],
            "rank": [1, 1, 2, 2, 2, 1],
        }
    )
    fig = charts.rank_lines(frame, "followers")
    assert list(fig.layout.yaxis.range) == [2.5, 0.5]
    assert [t.name for t in fig.data] == ["Beta", "Alpha"]  # by the last rank
    assert is_blank(charts.rank_lines(frame.iloc[:0], "followers"))


def test_coverage_and_failure_bars():
    coverage = pd.DataFrame({"platform": ["x", "youtube"], "accounts_known": [10, 5], "fresh_7d": [9, 5]})
    fig = charts.coverage_bars(coverage)
    assert list(fig.data[0].x) == ["X", "YouTube"] and list(fig.data[1].y) == [9, 5]
    failures = pd.DataFrame(
        {
            "day": [DAYS[0], DAYS[0], DAYS[1]],
            "platform": ["x", "youtube", "x"],
            "kind": ["timeout", "timeout", "rate_limited"],
            "failures": [1, 2, 4],
        }
    )
    fig = charts.failures_bars(failures)
    assert fig.layout.barmode == "stack"
    timeout = next(t for t in fig.data if t.name == "timeout")
    assert list(timeout.y) == [3]  # platforms summed per day and kind
    assert is_blank(charts.coverage_bars(coverage.iloc[:0]))
    assert is_blank(charts.failures_bars(failures.iloc[:0]))


# ---- number formats on axes -----------------------------------------------------------------------


def labels(axis) -> list[str]:
    return list(axis.ticktext or [])


def test_log_axes_label_only_one_two_five():
    fig = charts.engagement_scatter(accounts())
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.type == "log" and axis.tickvals
        for tick in axis.tickvals:
            mantissa = tick / 10 ** math.floor(math.log10(tick) + 1e-9)
            assert round(mantissa, 6) in (1, 2, 5), tick
    # followers 1K..1M in the tables' style: 1K, 10K, 100K, 1M, never plotly's 1k or 1G
    assert {"1K", "10K", "100K", "1M"} <= set(labels(fig.layout.xaxis))
    assert {"0.1%", "0.2%", "0.5%", "1%", "2%"} <= set(labels(fig.layout.yaxis))
    assert charts.log_ticks(1, 1e9) == [10.0**e for e in range(10)]  # a wide span keeps the powers


def test_count_axes_use_the_tables_K_and_M():
    frame = history().assign(followers=[3.9e6, 8e6, 16.3e6, 2e6, 2.5e6, None])
    fig = charts.history_lines(frame, "followers", "institution_id")
    assert fig.layout.yaxis.type == "linear"
    assert labels(fig.layout.yaxis)[:4] == ["2M", "4M", "6M", "8M"]
    assert all(t == t.upper() for t in labels(fig.layout.yaxis))
    assert charts.axis_label(2500, "count") == "2.5K" and charts.axis_label(1.5e9, "count") == "1.5B"


def test_health_charts_never_show_half_accounts():
    coverage = pd.DataFrame({"platform": ["x", "youtube"], "accounts_known": [2, 1], "fresh_7d": [1, 0]})
    failures = pd.DataFrame({"day": [DAYS[0]], "platform": ["x"], "kind": ["timeout"], "failures": [1]})
    for fig in (charts.coverage_bars(coverage), charts.failures_bars(failures)):
        ticks = list(fig.layout.yaxis.tickvals)
        assert ticks[0] == 0 and all(float(t).is_integer() for t in ticks), ticks
        assert labels(fig.layout.yaxis)[:2] == ["0", "1"]


def test_wide_spread_spots_series_that_would_sit_on_zero():
    frame = history().assign(platform="x")
    assert charts.wide_spread(frame, "followers", "institution_id") is False  # 11 against 105
    frame.loc[frame["institution_id"] == "b", "followers"] = [5000.0, 5100.0, float("nan")]
    assert charts.wide_spread(frame, "followers", "institution_id") is True


# ---- webcare ------------------------------------------------------------------------------------


def webcare() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "institution_id": ["a", "b", "c"],
            "name": ["Alpha", EVIL, "Charlie"],
            "questions": [10, 4, 0],
            "answered": [9, 1, 0],
            "unanswered": [1, 3, 0],
            "answered_pct": [90.0, 25.0, None],
            "reply_time_median": [12.0, 2880.0, None],
        }
    )


def test_webcare_scatter_draws_answering_institutions_and_the_target():
    fig = charts.webcare_scatter(webcare(), "x", 15.0)
    assert list(fig.data[0].x) == [12.0, 2880.0]  # Charlie has no questions: no point
    assert fig.layout.xaxis.type == "log"
    # the axis runs from log10(12) - 0.15 to log10(2,880) + 0.15 (a log axis's range is in log
    # units in every plotly.js), and the line stands at log10(15) on it, in paper units: a shape's
    # x on a log axis is log10 in one plotly.js and data in another (the browser's and the PNG's)
    low, high = math.log10(12) - 0.15, math.log10(2880) + 0.15
    assert list(fig.layout.xaxis.range) == pytest.approx([low, high])
    (line,) = fig.layout.shapes
    assert line.xref == "paper" and line.x0 == pytest.approx((math.log10(15) - low) / (high - low))
    assert "target 15 min" in spec(fig)
    assert fig.data[0].text[0] == "Alpha" and len(fig.data[0].text) == 2  # two points: named (safely)
    assert "<script>" not in spec(fig)
    assert charts.webcare_scatter(webcare(), "all").layout.shapes == ()  # no single target on 'all'
    assert is_blank(charts.webcare_scatter(webcare().iloc[2:], "x"))


def test_unanswered_bars_put_the_most_unanswered_first():
    fig = charts.unanswered_bars(webcare())
    assert list(fig.data[0].x) == [3, 1]
    assert list(fig.data[0].text) == ["3 of 4 (75%)", "1 of 10 (10%)"]
    assert is_blank(charts.unanswered_bars(webcare().iloc[2:]))


def test_reply_time_distribution_sets_one_institution_against_its_peers():
    times = pd.DataFrame({"institution_id": ["a", "a", "b"], "reply_minutes": [5.0, 30.0, 600.0]})
    fig = charts.reply_time_distribution(times, "a", "Alpha", 60.0)
    assert [t.name for t in fig.data] == ["Alpha (2)", "Peers (1)"]
    assert is_blank(charts.reply_time_distribution(times.iloc[0:0], "a", "Alpha"))


def test_decimate_keeps_the_ends_and_every_peak_and_trough():
    days = pd.date_range("2024-01-01", periods=1000, freq="D")
    values = [float(i % 50) for i in range(1000)]  # a saw: a trough and a peak every 50 days
    values[437], values[802] = 10_000.0, -10_000.0  # a spike and a drop inside a bucket
    frame = pd.DataFrame({"day": days, "followers": values})
    kept = charts.decimate(frame, "followers", max_points=200)
    assert len(kept) <= 200
    assert kept["day"].is_monotonic_increasing
    assert kept.index[0] == 0 and kept.index[-1] == 999  # the first and the last day
    assert {437, 802} <= set(kept.index)  # the extremes survive
    assert kept["followers"].max() == 10_000 and kept["followers"].min() == -10_000
    short = frame.head(150)
    assert charts.decimate(short, "followers", max_points=200) is short  # short series untouched


def test_history_lines_draw_at_most_the_cap_per_line():
    days = pd.date_range("2023-01-01", periods=1095, freq="D")
    frame = pd.DataFrame(
        {
            "day": list(days) * 2,
            "platform": ["x"] * 1095 + ["youtube"] * 1095,
            "followers": [1000.0 + i for i in range(1095)] + [500.0 + (i % 7) for i in range(1095)],
        }
    )
    fig = charts.history_lines(frame, "followers", "platform")
    assert all(150 < len(t.x) <= charts.MAX_LINE_POINTS for t in fig.data)
    x_line = next(t for t in fig.data if t.name == "X")
    assert max(x_line.y) == 1000.0 + 1094  # the last, highest count is drawn
    assert len(x_line.customdata) == len(x_line.y)  # hover labels follow the points kept


def test_a_sparkline_spans_its_values_from_bottom_to_top():
    svg = charts.sparkline_svg([10, None, 20, 15])  # a missing day is skipped: three points
    # 200 wide, 40 high, 2 px inside top and bottom: 10 at the bottom (38), 20 at the top (2)
    assert 'points="0.0,38.0 100.0,2.0 200.0,20.0"' in svg
    assert 'points="0,40 0.0,38.0 100.0,2.0 200.0,20.0 200,40"' in svg  # the shaded area
    assert 'points="0.0,20.0 200.0,20.0"' in charts.sparkline_svg([5, 5])  # flat: across the middle
    assert charts.sparkline_svg([7]) is None and charts.sparkline_svg([]) is None


def test_a_figure_is_built_once_for_the_same_data_and_anew_for_other_data():
    from dashboard import ui

    first = ui.figure(charts.league_bar, league(), "followers", "facebook", highlight="b")
    assert ui.figure(charts.league_bar, league(), "followers", "facebook", highlight="b") is first
    assert list(first.data[0].text) == ["≈1.20M", "34.0K"]
    grown = league().assign(value=[1_300_000.0, 34_000.0, None])  # a new build's numbers
    assert list(ui.figure(charts.league_bar, grown, "followers", "facebook", highlight="b").data[0].text) == [
        "≈1.30M",
        "34.0K",
    ]
    other = ui.figure(charts.league_bar, league(), "followers", "facebook", highlight="a")  # another choice
    assert list(other.data[0].marker.color) == [charts.HIGHLIGHT, charts.PLATFORM_COLORS["facebook"]]
