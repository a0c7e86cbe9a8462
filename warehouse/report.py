"""League tables as Markdown for a blog post: shared by `finsocial top` and the dashboard."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from warehouse.formatting import human_count, is_missing, movement, value_cell
from warehouse.metrics import METRICS
from warehouse.platforms import LABELS
from warehouse.posts import BACKLASH_MIN_COMMENTS, BACKLASH_MULTIPLE, POST_MEASURES, Period

SOURCE_LINE = (
    "Source: finsocial (https://github.com/finsocial/finsocial), public follower and engagement counts"
)
AUDIENCE_NOTE = (
    "From each account's latest weekly sample of its newest followers (the first pages of the "
    "follower list, so recent followers only: not a random sample); ± is a 95% margin of error."
)
DEMO_LINE = "Demo data: fictional institutions with generated numbers."


PLATFORM_NAMES = LABELS


def platform_label(platform: str) -> str:
    """'all' -> 'all platforms', 'x' -> 'X', 'youtube' -> 'YouTube'."""
    if platform == "all":
        return "all platforms"
    return PLATFORM_NAMES.get(platform, platform.title())


def markdown_cell(text: object) -> str:
    """A value made safe for one cell of a Markdown table."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def league_markdown(
    frame: pd.DataFrame,
    metric: str,
    platform: str,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    demo: bool = False,
    period_days: int = 30,
) -> str:
    """A league table (queries.league_table's frame) as a Markdown section with its source line."""
    day: dt.date = frame.attrs["as_of"]
    label = METRICS[metric].label
    scope = ", ".join(filter(None, [country and country.upper(), kind, group and f"group {group}"]))
    previous = (day - dt.timedelta(days=period_days)).isoformat()
    lines = [
        f"### Top {len(frame)} by {label} on {platform_label(platform)}" + (f" ({scope})" if scope else ""),
        "",
        f"As of {day.isoformat()}; movement against {previous}.",
        "",
        f"| Rank | Move | Institution | Country | Kind | {label} |",
        "|---:|:---:|---|:---:|---|---:|",
    ]
    for row in frame.to_dict("records"):
        previous_rank = None if is_missing(row["previous_rank"]) else row["previous_rank"]
        lines.append(
            f"| {row['rank']} | {movement(row['rank'], previous_rank)} | "
            f"{markdown_cell(row['name'])} | {row['country']} | {row['kind']} | "
            f"{value_cell(metric, row)} |"
        )
    if metric == "power_score":
        # a score means nothing without its formula: name the one the warehouse was built with
        lines += [
            "",
            f"Power score formula: {frame.attrs.get('power_formula') or 'default'} (see Methodology).",
        ]
    lines += ["", f"{SOURCE_LINE}, as of {day.isoformat()}. ≈ marks counts the platform rounds."]
    if METRICS[metric].source == "audience_samples":
        lines += ["", AUDIENCE_NOTE]
    if demo:
        lines += ["", f"> **{DEMO_LINE}**"]
    return "\n".join(lines)


UNUSUAL_LINE = (
    "Unusual reaction: comments (and quotes) per like at least {multiple:g}× the account's usual "
    "ratio (its median over the 90 days before), with at least {comments} comments. A signal to "
    "read the thread, not a sentiment verdict."
)


def post_value(by: str, value: object) -> str:
    """A post's value for a measure of POST_MEASURES as a person reads it."""
    if is_missing(value):
        return "–"
    if by == "engagement_rate":
        return f"{value:.2f}%"
    if by in ("overperformance", "reaction_multiple"):
        return f"{value:.2f}×"
    return human_count(value)


def posts_markdown(
    rows: list[dict],
    period: Period,
    by: str,
    platform: str,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    demo: bool = False,
    multiple: float = BACKLASH_MULTIPLE,
    min_comments: int = BACKLASH_MIN_COMMENTS,
) -> str:
    """Top posts (queries.industry_posts' rows) as a Markdown section with its source line."""
    label = POST_MEASURES[by]
    own_column = by in ("likes", "comments", "shares")  # the measure is one of the count columns
    scope = ", ".join(filter(None, [country and country.upper(), kind, group and f"group {group}"]))
    lines = [
        f"### Top {len(rows)} posts by {label} on {platform_label(platform)}, {period.label}"
        + (f" ({scope})" if scope else ""),
        "",
        f"Posts made from {period.start.isoformat()} to {period.end.isoformat()} (UTC), counts as last observed.",
        "",
        "| Rank | Posted | Institution | Platform | Likes | Comments | Shares |"
        + ("" if own_column else f" {label} |")
        + " Post |",
        "|---:|---|---|---|---:|---:|---:|" + ("" if own_column else "---:|") + "---|",
    ]
    for row in rows:
        flag = " ⚠" if row.get("unusual_reaction") else ""
        link = (
            f"[link]({row['url']})" if str(row.get("url") or "").startswith(("https://", "http://")) else "–"
        )
        lines.append(
            f"| {row['rank']} | {str(row['posted_at'])[:10]} | {markdown_cell(row['name'])} | "
            f"{platform_label(row['platform'])} | {human_count(row.get('likes'))} | "
            f"{human_count(row.get('comments'))} | {human_count(row.get('shares'))}{'' if own_column else ' | '}"
            f"{'' if own_column else post_value(by, row.get('value'))}{flag} | {link} |"
        )
    lines += ["", f"{SOURCE_LINE}, {period.label}."]
    if any(row.get("unusual_reaction") for row in rows):
        lines += ["", "⚠ " + UNUSUAL_LINE.format(multiple=multiple, comments=min_comments)]
    if demo:
        lines += ["", f"> **{DEMO_LINE}**"]
    return "\n".join(lines)
