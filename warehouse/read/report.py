"""League tables as Markdown for a blog post: shared by `finsocial top` and the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from warehouse.domain.kinds import kind_label
from warehouse.domain.metrics import METRICS, left_out_phrase, minimum_of, minimum_phrase
from warehouse.domain.platforms import LABELS
from warehouse.domain.posts import (
    BACKLASH_MIN_COMMENTS,
    BACKLASH_MULTIPLE,
    POST_MEASURES,
    Period,
    posts_left_out_phrase,
    previous_day,
)
from warehouse.read.formatting import (
    WITHOUT_DATA_NOTE,
    format_value,
    human_count,
    human_minutes,
    is_missing,
    markdown_cell,
    movement,
    value_cell,
    without_data,
)

if TYPE_CHECKING:
    import pandas as pd

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


def league_title(
    metric: str,
    platform: str,
    as_of: dt.date | None,
    count: int,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    minimum: int | None = None,
    peer_set: str | None = None,
) -> str:
    """'Top 10 by Followers on Instagram · NL · Bank · group nl-banks · as of 2026-03-31'; a
    ranking with a minimum says it ('· at least 1,000 followers'), one among a saved peer set
    names it ('· peer set northwind-peers')."""
    what = minimum_of(metric) if minimum else None
    parts = [
        f"Top {count} by {METRICS[metric].label} on {platform_label(platform)}",
        country and country.upper(),
        kind and kind_label(kind),
        group and f"group {group}",
        peer_set and f"peer set {peer_set}",
        what and minimum_phrase(what, minimum),
        as_of and f"as of {as_of.isoformat()}",
    ]
    return " · ".join(p for p in parts if p)


def rounded_note(rows: list[dict]) -> str | None:
    """The '≈' note, only when a value shown is a rounded count."""
    if any(
        r.get("rounded") and not is_missing(r.get("value")) and r.get("metric", "followers") == "followers"
        for r in rows
    ):
        return "≈ marks counts the platform rounds."
    return None


def league_markdown(
    frame: pd.DataFrame | list[dict],
    metric: str,
    platform: str,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    demo: bool = False,
    period_days: int = 30,
    as_of: dt.date | None = None,
    power_formula: str | None = None,
    minimum: int | None = None,
    left_out: int | None = None,
    peer_set: str | None = None,
) -> str:
    """A league table (queries.league_table's frame, or league_rows' rows and their day) as a
    Markdown section with its source line; a minimum is in its title and its line says how many
    it left out."""
    rows = frame if isinstance(frame, list) else frame.to_dict("records")
    day: dt.date = as_of or frame.attrs["as_of"]
    if left_out is None and not isinstance(frame, list):
        left_out = frame.attrs.get("left_out")
    label = METRICS[metric].label
    previous = previous_day(day, period_days).isoformat()
    what = minimum_of(metric) if minimum else None
    partial = any(without_data(r) for r in rows)  # a Note column only where a total is short
    lines = [
        "### " + league_title(metric, platform, day, len(rows), country, kind, group, minimum, peer_set),
        "",
        f"As of {day.isoformat()}; movement against {previous}."
        + (f" {left_out_phrase(left_out or 0, what, minimum)}." if what else ""),
        "",
        f"| Rank | Move | Institution | Country | Kind | {label} |" + (" Note |" if partial else ""),
        "|---:|:---:|---|:---:|---|---:|" + ("---|" if partial else ""),
    ]
    for row in rows:
        previous_rank = None if is_missing(row["previous_rank"]) else row["previous_rank"]
        lines.append(
            f"| {row['rank']} | {movement(row['rank'], previous_rank)} | "
            f"{markdown_cell(row['name'])} | {row['country']} | {kind_label(row['kind'])} | "
            f"{value_cell(metric, row)} |" + (f" {without_data(row)} |" if partial else "")
        )
    if partial:
        lines += ["", WITHOUT_DATA_NOTE]
    if metric == "power_score":
        # a score means nothing without its formula: name the one the warehouse was built with
        formula = power_formula or (None if isinstance(frame, list) else frame.attrs.get("power_formula"))
        lines += ["", f"Power score formula: {formula or 'default'} (see Methodology)."]
    note = rounded_note([{**r, "metric": metric} for r in rows])
    lines += ["", f"{SOURCE_LINE}, as of {day.isoformat()}." + (f" {note}" if note else "")]
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


def backlash_line(multiple: float, min_comments: int) -> str:
    """What flags a post, each reason with its thresholds (warehouse/domain/practices.toml)."""
    from warehouse.domain.practices import load

    b = load().backlash
    return (
        f"Flagged, with the reason: comments per like (comments and quotes per like at least "
        f"{multiple:g}× the account's usual ratio, with at least {min_comments} comments); negative "
        f"comments (a negative share at least {b.negative_multiple:g}× the account's own over the 90 "
        f"days before, with at least {b.min_toned} comments judged by the offline classifier); angry "
        f"reactions (Facebook: an angry share at least {b.angry_multiple:g}× the account's own and "
        f"{b.angry_min_share:g}%, with at least {b.min_reactions} reactions). A signal to read the "
        "thread: comments in a language without a lexicon are not judged."
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


POST_MINIMUM_KEYS = ("min_followers", "min_comments", "left_out_followers", "left_out_comments")


def posts_minimums(attrs: dict) -> dict[str, int | None]:
    """The minimums a post ranking applied and how many posts each left out (industry_posts'
    attrs), as the keys every export carries: min_followers and min_comments (None: not applied),
    left_out_followers and left_out_comments."""
    return {key: attrs.get(key) for key in POST_MINIMUM_KEYS}


def posts_minimum_title(minimums: dict) -> str | None:
    """'accounts with at least 1,000 followers · at least 20 comments' for a post ranking's title."""
    parts = []
    if minimums.get("min_followers"):
        parts.append(f"accounts with at least {minimums['min_followers']:,} followers")
    if minimums.get("min_comments"):
        parts.append(f"at least {minimums['min_comments']:,} comments")
    return " · ".join(parts) or None


def posts_minimum_line(minimums: dict) -> str | None:
    """'12 posts of accounts under 1,000 followers left out.' (None without a minimum)."""
    text = posts_left_out_phrase(
        minimums.get("left_out_followers") or 0,
        minimums.get("left_out_comments") or 0,
        minimums.get("min_followers"),
        minimums.get("min_comments"),
    )
    return f"{text[0].upper()}{text[1:]}." if text else None


def posts_title(
    count: int, by: str, platform: str, period: Period, minimums: dict | None = None, scope: str = ""
) -> str:
    """'Top 10 posts by Engagement rate (%) on Bluesky, 2026-11 (NL) · accounts with at least
    1,000 followers'."""
    minimum = posts_minimum_title(minimums or {})
    return (
        f"Top {count} posts by {POST_MEASURES[by]} on {platform_label(platform)}, {period.label}"
        + (f" ({scope})" if scope else "")
        + (f" · {minimum}" if minimum else "")
    )


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
    peer_set: str | None = None,
    minimums: dict | None = None,
) -> str:
    """Top posts (queries.industry_posts' rows) as a Markdown section with its source line; the
    minimums applied (posts_minimums) in its title, and how many posts they left out under it."""
    label = POST_MEASURES[by]
    own_column = by in ("likes", "comments", "shares")  # the measure is one of the count columns
    scope = ", ".join(
        filter(
            None,
            [
                country and country.upper(),
                kind,
                group and f"group {group}",
                peer_set and f"peer set {peer_set}",
            ],
        )
    )
    left_out = posts_minimum_line(minimums or {})
    lines = [
        "### " + posts_title(len(rows), by, platform, period, minimums, scope),
        "",
        f"Posts made from {period.start.isoformat()} to {period.end.isoformat()} (UTC), counts as last observed."
        + (f" {left_out}" if left_out else ""),
        "",
        "| Rank | Posted | Institution | Platform | Likes | Comments | Shares |"
        + ("" if own_column else f" {label} |")
        + " Post |",
        "|---:|---|---|---|---:|---:|---:|" + ("" if own_column else "---:|") + "---|",
    ]
    for row in rows:
        flag = f" ⚠ {row.get('flag_reason') or 'unusual'}" if row.get("unusual_reaction") else ""
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
        lines += ["", "⚠ " + backlash_line(multiple, min_comments)]
    if demo:
        lines += ["", f"> **{DEMO_LINE}**"]
    return "\n".join(lines)


def movers(rows: list[dict], count: int = 5) -> tuple[list[dict], list[dict]]:
    """The biggest climbers and fallers of a whole league (league_rows without a limit): rows that
    had a rank a period earlier, by places gained or lost (most first, then by today's rank)."""
    moved = [
        {**r, "change": int(r["previous_rank"]) - int(r["rank"])}
        for r in rows
        if not is_missing(r.get("previous_rank")) and not is_missing(r.get("value"))
    ]
    climbers = sorted((r for r in moved if r["change"] > 0), key=lambda r: (-r["change"], r["rank"]))
    fallers = sorted((r for r in moved if r["change"] < 0), key=lambda r: (r["change"], r["rank"]))
    return climbers[:count], fallers[:count]


def movers_markdown(climbers: list[dict], fallers: list[dict], metric: str, previous: dt.date) -> str:
    """Climbers and fallers as Markdown sections under a league, ready to paste."""
    lines: list[str] = []
    for title, moved in (("Biggest climbers", climbers), ("Biggest fallers", fallers)):
        lines += ["", f"#### {title} since {previous.isoformat()}", ""]
        if not moved:
            lines.append(f"No institution {'climbed' if title.endswith('climbers') else 'fell'} in rank.")
            continue
        lines += [
            f"| Institution | Rank then | Rank now | Move | {METRICS[metric].label} |",
            "|---|---:|---:|:---:|---:|",
        ]
        lines += [
            f"| {markdown_cell(r['name'])} | {r['previous_rank']} | {r['rank']} | "
            f"{movement(r['rank'], r['previous_rank'])} | {value_cell(metric, r)} |"
            for r in moved
        ]
    return "\n".join(lines)


def growth_movers(
    now: list[dict], before: list[dict], metric: str, count: int = 5
) -> tuple[list[dict], list[dict]]:
    """The biggest rises and falls of a whole league's value over the period: `now` and `before`
    are league_rows without a limit on the day and on the comparison day (the same minimum). Each
    row gains previous_value, value_change and, for a count, value_change_pct (of the earlier
    value); the largest change first, then by rank. A rise is a rise of the value, whichever way
    the metric ranks (a reply time that rises got slower)."""
    then = {r["institution_id"]: r["value"] for r in before if not is_missing(r.get("value"))}
    count_kind = METRICS[metric].kind == "count"
    moved = []
    for r in now:
        earlier = then.get(r["institution_id"])
        if is_missing(r.get("value")) or earlier is None:
            continue
        change = float(r["value"]) - float(earlier)
        pct = change * 100 / float(earlier) if count_kind and earlier > 0 else None
        moved.append({**r, "previous_value": earlier, "value_change": change, "value_change_pct": pct})
    order = lambda m: (-abs(m["value_change"]), m["rank"])  # noqa: E731
    rises = sorted((m for m in moved if m["value_change"] > 0), key=order)
    falls = sorted((m for m in moved if m["value_change"] < 0), key=order)
    return rises[:count], falls[:count]


def change_text(metric: str, change: object) -> str:
    """A change in a metric's value, with its sign: +1.20K followers, +0.45 pts, -12 min, +0.10×."""
    if is_missing(change):
        return "–"
    kind = METRICS[metric].kind
    if kind == "count":
        text = human_count(abs(change))
    elif kind == "percent":
        text = f"{abs(change):,.2f} pts"
    elif kind == "ratio":
        text = f"{abs(change):,.2f}×"
    elif kind == "minutes":
        text = human_minutes(abs(change))
    else:
        text = f"{abs(change):,.1f}"
    if text in ("0", "0.00 pts", "0.00×", "0 min", "0.0"):
        return text  # a change that rounds to nothing has no sign (never "-0.00")
    return ("+" if change > 0 else "-") + text


def change_pct_text(pct: object) -> str:
    """A count's change in percent of its earlier value: +1.75%, -0.73%; '–' for none."""
    if is_missing(pct):
        return "–"
    text = f"{abs(pct):,.2f}%"
    return text if text == "0.00%" else ("+" if pct > 0 else "-") + text


GROWTH_HEADINGS = ("Biggest rises", "Biggest falls")


def growth_rows(moved: list[dict], metric: str) -> list[list[str]]:
    """Growth movers as table cells: institution, value then, value now, change (and % for a count)."""
    count = METRICS[metric].kind == "count"
    return [
        [
            r["name"],
            format_value(metric, r["previous_value"]),
            value_cell(metric, r),
            change_text(metric, r["value_change"]),
            *([change_pct_text(r["value_change_pct"])] if count else []),
        ]
        for r in moved
    ]


def growth_headings(metric: str) -> list[str]:
    label = METRICS[metric].label
    return [
        "Institution",
        f"{label} then",
        f"{label} now",
        "Change",
        *(["Change (%)"] if METRICS[metric].kind == "count" else []),
    ]


def growth_movers_markdown(rises: list[dict], falls: list[dict], metric: str, previous: dt.date) -> str:
    """Rises and falls of the league's value as Markdown sections under a league, ready to paste."""
    label = METRICS[metric].label
    headings = growth_headings(metric)
    lines: list[str] = []
    for title, moved in zip(GROWTH_HEADINGS, (rises, falls), strict=True):
        lines += ["", f"#### {title} in {label} since {previous.isoformat()}", ""]
        if not moved:
            lines.append(f"No institution's {label} {'rose' if title.endswith('rises') else 'fell'}.")
            continue
        lines += ["| " + " | ".join(headings) + " |", "|---|" + "---:|" * (len(headings) - 1)]
        lines += [
            "| " + " | ".join(markdown_cell(c) for c in cells) + " |" for cells in growth_rows(moved, metric)
        ]
    return "\n".join(lines)
