"""The monthly report's content: sections of tables assembled from the queries `top` and `posts` use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shlex
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from warehouse.domain.kinds import kind_label
from warehouse.domain.metrics import (
    METRICS,
    MIN_FOLLOWERS,
    MIN_QUESTIONS,
    left_out_phrase,
    minimum_of,
    minimum_phrase,
)
from warehouse.domain.platforms import COLOURS, display_sorted
from warehouse.domain.posts import (
    BACKLASH_MIN_COMMENTS,
    BACKLASH_MULTIPLE,
    POST_MEASURES,
    Period,
    last_complete,
)
from warehouse.read import queries
from warehouse.read.formatting import (
    MISSING,
    WITHOUT_DATA_NOTE,
    format_value,
    human_count,
    human_minutes,
    is_missing,
    movement,
    value_cell,
    without_data,
)
from warehouse.read.report import (
    DEMO_LINE,
    SOURCE_LINE,
    backlash_line,
    movers,
    platform_label,
    post_value,
    posts_minimum_line,
    posts_minimum_title,
    posts_minimums,
    rounded_note,
)

TOP = 10  # every ranking of the report shows this many
PRIMARY = "#1F4E9A"  # the colour of 'all platforms' charts (dashboard/charts.py's PRIMARY)
NO_MINIMUMS = "Minimums: none (every institution in the selection with a value ranks)."
# The strategist's edition: the metrics compared with the peers, on every platform we are on.
PEER_METRICS = (
    "followers",
    "growth_30d",
    "growth_30d_pct",
    "posts_per_week",
    "interactions_per_post",
    "engagement_rate",
    "presence_index",
    "answered_pct",
    "reply_time_median",
    "within_target_pct",
    "share_of_voice",
    "net_tone",
)


class ReportError(ValueError):
    """The report cannot be made for this warehouse and selection; the message says why."""


@dataclass(frozen=True)
class Selection:
    """Who the report is about: a population (country, kind, group, or a saved peer set: its name
    and the ids of its institution and peers the warehouse knows) and, for the strategist's
    edition, the reader's own institution."""

    country: str | None = None
    kind: str | None = None
    group: str | None = None
    institution_id: str | None = None
    peer_set: str | None = None
    institutions: tuple[str, ...] | None = None  # the peer set's members; None: no set

    def label(self) -> str:
        parts = [
            self.country,
            self.kind and kind_label(self.kind),
            self.group and f"group {self.group}",
            self.peer_set and f"peer set {self.peer_set}",
        ]
        return " · ".join(p for p in parts if p) or "all institutions"

    def flags(self) -> list[str]:
        """The selection as command-line options (for the commands that reproduce a table)."""
        out: list[str] = []
        for name in ("country", "kind", "group"):
            value = getattr(self, name)
            if value:
                out += [f"--{name}", value]
        if self.peer_set:
            out += ["--peers", self.peer_set]
        return out

    @property
    def members(self) -> list[str] | None:
        """The peer set's ids as the queries' `institutions` (None: no set)."""
        return None if self.institutions is None else list(self.institutions)

    @property
    def narrowed(self) -> bool:
        """Whether any population is chosen (else: every institution)."""
        return bool(self.country or self.kind or self.group or self.peer_set)


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of a table: one bar per row, the first on top."""

    title: str
    labels: list[str]
    values: list[float]
    texts: list[str]  # each bar's value as the table shows it
    colour: str
    highlight: list[bool]  # the reader's own institution
    axis: str  # what the values are


@dataclass
class Table:
    """One table of the report with everything a reader needs beside it."""

    key: str  # stable and file-name safe: the chart's file is <key>.png
    title: str
    intro: str
    headings: list[str]
    right: list[bool]  # right-aligned columns
    cells: list[list[str]]
    source: str
    notes: list[str] = field(default_factory=list)  # minimums applied, rounding, definitions
    command: str | None = None  # the command that prints the same figures
    chart: Chart | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)  # the query's rows (tests compare them)


@dataclass
class Section:
    key: str
    title: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    empty: str = ""  # why the section has no table, shown instead


@dataclass
class Report:
    title: str
    edition: str  # 'blogger' or 'strategist'
    period: Period
    as_of: dt.date
    previous: dt.date  # the day "the month before" is measured on
    selection: Selection
    demo: bool
    build_id: str | None
    sections: list[Section]
    institution_name: str | None = None
    peers: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """The files' base name: finsocial-2026-11-nl-bank[-northwind]."""
        parts = ["finsocial", self.period.label.lower()]
        parts += [p.lower() for p in (self.selection.country, self.selection.kind, self.selection.group) if p]
        if self.selection.peer_set:
            parts.append(f"peers-{self.selection.peer_set.lower()}")
        if self.selection.institution_id:
            parts.append(self.selection.institution_id)
        return "-".join(parts).replace("/", "-").replace(" ", "-")


# ---- the period -----------------------------------------------------------------------------------


def last_complete_month(latest: dt.date) -> Period:
    """The last calendar month the data covers to its end (posts.last_complete, what `posts` and
    the pages default to): on 2026-12-02, 2026-11; on 2026-11-30, 2026-11 too; on 2026-11-21, 2026-10."""
    return last_complete(latest, "month")


def previous_period_end(period: Period) -> dt.date:
    """The day before the period starts: the month before ends there."""
    return period.start - dt.timedelta(days=1)


# ---- tables from league rows and posts ------------------------------------------------------------


def _command(*args: str) -> str:
    return "finsocial " + " ".join(shlex.quote(a) for a in args)


def _league(
    con: duckdb.DuckDBPyConnection,
    report: Report,
    platform: str,
    metric: str,
    limit: int | None = TOP,
) -> list[dict[str, Any]]:
    s = report.selection
    period_days = (report.as_of - report.previous).days
    found, _ = queries.league_rows(
        con,
        platform,
        metric,
        report.as_of,
        s.country,
        s.kind,
        s.group,
        limit,
        period_days,
        minimum=queries.default_minimum(metric),  # as `top` ranks by default
        institutions=s.members,  # a peer set ranked among itself, as `top --peers` does
    )
    return found


def minimums_note(con: duckdb.DuckDBPyConnection, report: Report, platform: str, metric: str) -> str:
    """The minimum a ranking applied and how many it left out, or that it applied none."""
    minimum = queries.default_minimum(metric)
    what = minimum_of(metric)
    if not minimum or what is None or METRICS[metric].source != "institution_metrics":
        return NO_MINIMUMS
    s = report.selection
    left = queries.league_left_out(
        con, platform, metric, report.as_of, s.country, s.kind, s.group, minimum, s.members
    )
    return f"Minimums: {minimum_phrase(what, minimum)} ({left_out_phrase(left, what, minimum)})."


def league_section_table(
    con: duckdb.DuckDBPyConnection, report: Report, platform: str, metric: str, key: str
) -> Table | None:
    """The top 10 by a metric on a platform as of the report's day, with the rank at the end of the
    month before; None when no institution of the selection has a value."""
    found = _league(con, report, platform, metric)
    if not found or all(is_missing(r["value"]) for r in found):
        return None
    found = [r for r in found if not is_missing(r["value"])]
    label = METRICS[metric].label
    mine = report.selection.institution_id
    cells = [
        [
            str(r["rank"]),
            movement(r["rank"], r["previous_rank"]),
            r["name"],
            r["country"],
            kind_label(r["kind"]),
            value_cell(metric, r),
        ]
        for r in found
    ]
    # honest totals: a Note column where a row's total misses some of its accounts of the day
    partial = any(without_data(r) for r in found)
    if partial:
        for row, r in zip(cells, found, strict=True):
            row.append(without_data(r))
    notes = [minimums_note(con, report, platform, metric)]
    if partial:
        notes.append(WITHOUT_DATA_NOTE)
    note = rounded_note([{**r, "metric": metric} for r in found])
    if note:
        notes.append(note)
    if METRICS[metric].lower_is_better:
        notes.append(f"{label}: lower is better, so the fastest ranks first.")
    texts = [format_value(metric, r["value"], r["rounded"]) for r in found]
    chart = Chart(
        title=f"{label} on {platform_label(platform)}",
        labels=[f"{r['rank']} · {r['name']}" for r in found],
        values=[float(r["value"]) for r in found],
        texts=texts,
        colour=COLOURS.get(platform, PRIMARY),
        highlight=[r["institution_id"] == mine for r in found],
        axis=label,
    )
    return Table(
        key=key,
        title=f"Top {len(found)} by {label} on {platform_label(platform)}",
        intro=f"As of {report.as_of.isoformat()}; movement against {report.previous.isoformat()}.",
        headings=["Rank", "Move", "Institution", "Country", "Kind", label, *(["Note"] if partial else [])],
        right=[True, False, False, False, False, True, *([False] if partial else [])],
        cells=cells,
        source=f"{SOURCE_LINE}, as of {report.as_of.isoformat()}.",
        notes=notes,
        command=_command(
            "top",
            "--platform",
            platform,
            "--metric",
            metric,
            *report.selection.flags(),
            "--as-of",
            report.as_of.isoformat(),
            "--limit",
            str(TOP),
        ),
        chart=chart,
        rows=found,
    )


def posts_table(
    con: duckdb.DuckDBPyConnection,
    report: Report,
    key: str,
    title: str,
    flagged: bool = False,
    institution_id: str | None = None,
    population: bool = True,
) -> Table | None:
    """The month's posts with the most interactions (or, flagged, the highest reaction multiple)."""
    s = report.selection
    by = "reaction_multiple" if flagged else "interactions"
    frame = queries.industry_posts(
        con,
        report.period,
        by,
        None,
        s.country if population else None,
        s.kind if population else None,
        s.group if population else None,
        institution_id=institution_id,
        flagged=flagged,
        limit=TOP,
        institutions=s.members if population else None,
        # a ranking by a rate (the reaction multiple) as `posts` ranks by default; our own posts none
        min_followers=MIN_FOLLOWERS if institution_id is None else None,
    )
    if frame.empty:
        return None
    minimums = posts_minimums(frame.attrs)
    found = _plain(frame.to_dict("records"))
    label = POST_MEASURES[by]
    cells = [
        [
            str(r["rank"]),
            str(r["posted_at"])[:10],
            r["name"],
            platform_label(r["platform"]),
            human_count(r["likes"]),
            human_count(r["comments"]),
            human_count(r["shares"]),
            post_value(by, r["value"]),
            *([r.get("flag_reason") or MISSING] if flagged else []),
            r["url"] if str(r.get("url") or "").startswith(("https://", "http://")) else MISSING,
        ]
        for r in found
    ]
    notes = [NO_MINIMUMS]
    if flagged:
        notes = ["Minimums: " + backlash_line(BACKLASH_MULTIPLE, BACKLASH_MIN_COMMENTS)]
    if minimums["min_followers"]:
        notes.insert(
            0,
            f"Minimums: {posts_minimum_title(minimums)} ({posts_minimum_line(minimums).removesuffix('.')}).",
        )
    args = ["posts", "--period", report.period.label, "--by", by]
    if population:
        args += s.flags()
    if flagged:
        args.append("--flagged")
    # a flagged post for another reason may have no reaction multiple: it is listed, not charted
    charted = [(r, c) for r, c in zip(found, cells, strict=True) if not is_missing(r["value"])]
    chart = Chart(
        title=title,
        labels=[
            f"{r['rank']} · {r['name']} ({platform_label(r['platform'])}, {str(r['posted_at'])[:10]})"
            for r, _ in charted
        ],
        values=[float(r["value"]) for r, _ in charted],
        texts=[c[7] for _, c in charted],
        colour=PRIMARY,
        highlight=[r["institution_id"] == report.selection.institution_id for r, _ in charted],
        axis=label,
    )
    return Table(
        key=key,
        title=title,
        intro=(
            f"Posts made from {report.period.start.isoformat()} to {report.period.end.isoformat()} (UTC), "
            "counts as last observed."
        ),
        headings=[
            *("Rank", "Posted", "Institution", "Platform", "Likes", "Comments", "Shares", label),
            *(["Reason"] if flagged else []),
            "Post",
        ],
        right=[True, False, False, False, True, True, True, True, *([False] if flagged else []), False],
        cells=cells,
        source=f"{SOURCE_LINE}, {report.period.label}.",
        notes=notes,
        # `posts` has no --institution: for our own posts the command lists the population's
        command=None if institution_id else _command(*args, "--limit", str(TOP)),
        chart=chart if charted else None,
        rows=found,
    )


def _plain(records: list[dict]) -> list[dict]:
    """Rows of a frame as plain Python values, missing ones as None."""
    out = []
    for record in records:
        out.append(
            {k: None if is_missing(v) else (v.item() if hasattr(v, "item") else v) for k, v in record.items()}
        )
    return out


# ---- the blogger's edition ------------------------------------------------------------------------


def _platforms(con: duckdb.DuckDBPyConnection, chosen: list[str] | None) -> list[str]:
    with_data = queries.filter_options(con)["platforms"]
    return display_sorted([p for p in with_data if not chosen or p in chosen])


def followers_section(con, report: Report, platforms: list[str]) -> Section:
    section = Section("followers", "The largest audiences")
    table = league_section_table(con, report, "all", "followers", "followers-all")
    if table:
        section.text = "Followers on every platform together: each institution's accounts summed."
        section.tables.append(table)
    else:
        section.empty = "No institution in the selection has a follower count on that day."
    return section


def _per_platform(
    con, report: Report, platforms: list[str], key: str, title: str, metric: str, text: str
) -> Section:
    section = Section(key, title, text)
    without = []
    for platform in platforms:
        table = league_section_table(con, report, platform, metric, f"{key}-{platform}")
        if table:
            section.tables.append(table)
        else:
            without.append(platform_label(platform))
    if without:
        note = f"No {METRICS[metric].label.lower()} on {', '.join(without)} for the selection."
        section.text = (section.text + " " + note).strip() if section.tables else ""
        section.empty = "" if section.tables else note
    return section


def movers_section(con, report: Report, platforms: list[str]) -> Section:
    """The biggest climbers and fallers of the whole followers league (all platforms) since the end
    of the month before: `top --movers`' reading of the same league."""
    section = Section(
        "movers", "Movers", "Places gained and lost in the league by followers on all platforms."
    )
    whole = _league(con, report, "all", "followers", limit=None)
    climbers, fallers = movers(whole)
    if not climbers and not fallers:
        section.text = ""
        section.empty = f"No institution of the selection changed places since {report.previous.isoformat()}."
        return section
    rows = [{**r, "direction": "climber"} for r in climbers] + [{**r, "direction": "faller"} for r in fallers]
    section.tables.append(
        Table(
            key="movers",
            title=f"Biggest climbers and fallers by followers since {report.previous.isoformat()}",
            intro=f"Ranks on {report.previous.isoformat()} and {report.as_of.isoformat()}, every institution of the selection.",
            headings=["", "Institution", "Rank then", "Rank now", "Move", "Followers"],
            right=[False, False, True, True, False, True],
            cells=[
                [
                    "Climber" if r["direction"] == "climber" else "Faller",
                    r["name"],
                    str(r["previous_rank"]),
                    str(r["rank"]),
                    movement(r["rank"], r["previous_rank"]),
                    value_cell("followers", r),
                ]
                for r in rows
            ],
            source=f"{SOURCE_LINE}, as of {report.as_of.isoformat()}.",
            notes=[NO_MINIMUMS],
            command=_command(
                "top",
                "--platform",
                "all",
                "--metric",
                "followers",
                *report.selection.flags(),
                "--as-of",
                report.as_of.isoformat(),
                "--movers",
            ),
            chart=Chart(
                title=f"Places gained (+) and lost (−) since {report.previous.isoformat()}",
                labels=[r["name"] for r in rows],
                values=[float(r["change"]) for r in rows],
                texts=[movement(r["rank"], r["previous_rank"]) for r in rows],
                colour=PRIMARY,
                highlight=[r["institution_id"] == report.selection.institution_id for r in rows],
                axis="Places",
            ),
            rows=rows,
        )
    )
    return section


def growth_section(con, report: Report, platforms: list[str]) -> Section:
    return _per_platform(
        con,
        report,
        platforms,
        "growth",
        "Growth per platform",
        "growth_30d",
        "Followers gained in the 30 days to the month's last day.",
    )


def engagement_section(con, report: Report, platforms: list[str]) -> Section:
    return _per_platform(
        con,
        report,
        platforms,
        "engagement",
        "Engagement per platform",
        "engagement_rate",
        "Interactions per post by followers, over each account's posts of the 28 days to the month's last day.",
    )


def top_posts_section(con, report: Report, platforms: list[str]) -> Section:
    section = Section("posts", "The month's top posts")
    table = posts_table(con, report, "posts", f"Top posts by interactions, {report.period.label}")
    if table:
        section.tables.append(table)
    else:
        section.empty = f"No posts of the selection in {report.period.label}."
    return section


def flagged_section(con, report: Report, platforms: list[str]) -> Section:
    section = Section("flagged", "Posts that drew an unusual reaction")
    table = posts_table(con, report, "flagged", f"Unusual reactions, {report.period.label}", flagged=True)
    if table:
        section.text = "A signal to read the thread, not a sentiment verdict."
        section.tables.append(table)
    else:
        section.empty = f"No post of the selection drew an unusual reaction in {report.period.label}."
    return section


def webcare_section(con, report: Report, platforms: list[str]) -> Section:
    section = Section(
        "webcare",
        "Webcare leaders",
        "Replies to the questions asked under the institutions' own posts in the 28 days to the month's last day.",
    )
    for metric in ("reply_time_median", "answered_pct"):
        table = league_section_table(con, report, "all", metric, f"webcare-{metric}")
        if table:
            section.tables.append(table)
    if not section.tables:
        section.text = ""
        section.empty = "No webcare for the selection: no platform's threads observed for its institutions."
    return section


def conversation_section(con, report: Report, platforms: list[str]) -> Section:
    """Share of voice and net tone among the selection, where mentions are searched."""
    section = Section(
        "conversation",
        "Conversation leaders",
        "Posts by others that name the institutions, in the 28 days to the month's last day: each "
        "institution's share of the selection's mentions, and their tone.",
    )
    if queries.latest_mention_day(con) is None:
        section.text = ""
        section.empty = (
            "No mentions are collected in this warehouse (the README's Mentions section says how)."
        )
        return section
    for metric in ("share_of_voice", "net_tone"):
        table = league_section_table(con, report, "all", metric, f"conversation-{metric}")
        if table:
            section.tables.append(table)
    if not section.tables:
        section.text = ""
        section.empty = f"No mention search covered {report.as_of.isoformat()} for the selection."
    return section


SectionMaker = Callable[[duckdb.DuckDBPyConnection, Report, list[str]], Section]
# The blogger's edition, in order. Other sections plug in here (a function from the connection,
# the report and its platforms to a Section).
BLOGGER_SECTIONS: list[SectionMaker] = [
    followers_section,
    movers_section,
    growth_section,
    engagement_section,
    top_posts_section,
    webcare_section,
    conversation_section,
    flagged_section,
]


# ---- the strategist's edition ---------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def peers_section(con, report: Report, platforms: list[str]) -> Section:
    """Where we lead and lag: on each platform we are on, each metric's value, rank among the
    peers, peer median and leader, and our value at the end of the month before."""
    me = report.selection.institution_id
    section = Section(
        "peers",
        "Where we lead and lag",
        f"Against {len(report.peers) - 1} peers ({report.selection.label()}). "
        "'Lead': better than the peer median; 'lag': worse.",
    )
    for platform in ["all", *platforms]:
        cells, found_rows, chart_rows = [], [], []
        for metric in PEER_METRICS:
            try:
                now = _league(con, report, platform, metric, limit=None)
            except ValueError:  # a metric that means nothing on 'all'
                continue
            ours = next((r for r in now if r["institution_id"] == me), None)
            if ours is None or is_missing(ours["value"]):
                continue
            before = _league_on(con, report, platform, metric, report.previous)
            previous = next((r for r in before if r["institution_id"] == me), None)
            values = [float(r["value"]) for r in now if not is_missing(r["value"])]
            median = _median(values)
            leader = now[0]
            lower = METRICS[metric].lower_is_better
            better = None if median is None else (ours["value"] < median if lower else ours["value"] > median)
            verdict = "lead" if better else ("–" if ours["value"] == median else "lag")
            cells.append(
                [
                    METRICS[metric].label,
                    format_value(metric, ours["value"], ours["rounded"]),
                    format_value(metric, previous and previous["value"], previous and previous["rounded"]),
                    f"{ours['rank']} of {len(values)}",
                    format_value(metric, median),
                    f"{leader['name']} ({format_value(metric, leader['value'], leader['rounded'])})",
                    verdict,
                ]
            )
            found_rows.append(
                {
                    "platform": platform,
                    "metric": metric,
                    "value": ours["value"],
                    "previous_value": previous and previous["value"],
                    "rank": ours["rank"],
                    "ranked": len(values),
                    "peer_median": median,
                    "leader": leader["institution_id"],
                }
            )
            # the chart: our place among the peers, 100 = first, 0 = last
            place = 100.0 if len(values) == 1 else 100.0 * (len(values) - ours["rank"]) / (len(values) - 1)
            chart_rows.append(
                (METRICS[metric].label, place, f"{ours['rank']} of {len(values)}", bool(better))
            )
        if not cells:
            continue
        section.tables.append(
            Table(
                key=f"peers-{platform}",
                title=f"{report.institution_name} against its peers on {platform_label(platform)}",
                intro=f"As of {report.as_of.isoformat()}; the month before: {report.previous.isoformat()}.",
                headings=["Metric", "Ours", "Month before", "Rank", "Peer median", "Leader", "Lead/lag"],
                right=[False, True, True, True, True, False, False],
                cells=cells,
                source=f"{SOURCE_LINE}, as of {report.as_of.isoformat()}.",
                notes=[
                    f"Minimums: rates by audience rank institutions with {minimum_phrase('followers', MIN_FOLLOWERS)}, "
                    f"reply times and answered shares those asked {minimum_phrase('questions', MIN_QUESTIONS)} "
                    "(a metric we are below the minimum on is not listed).",
                    "The peer median counts every peer with a value, ourselves included.",
                ],
                command=_command(
                    "top",
                    "--platform",
                    platform,
                    "--metric",
                    "METRIC",
                    *report.selection.flags(),
                    "--as-of",
                    report.as_of.isoformat(),
                    "--limit",
                    "10000",
                ),
                chart=Chart(
                    title=f"Our place among the peers on {platform_label(platform)} (100 = first)",
                    labels=[c[0] for c in chart_rows],
                    values=[c[1] for c in chart_rows],
                    texts=[c[2] for c in chart_rows],
                    colour=COLOURS.get(platform, PRIMARY),
                    highlight=[not c[3] for c in chart_rows],
                    axis="Place among the peers (100 = first, 0 = last)",
                ),
                rows=found_rows,
            )
        )
    if not section.tables:
        section.empty = f"{report.institution_name} has no value on any metric on {report.as_of.isoformat()}."
    return section


def _league_on(con, report: Report, platform: str, metric: str, day: dt.date) -> list[dict[str, Any]]:
    s = report.selection
    found, _ = queries.league_rows(
        con,
        platform,
        metric,
        day,
        s.country,
        s.kind,
        s.group,
        None,
        minimum=queries.default_minimum(metric),
        institutions=s.members,
    )
    return found


def reply_times_section(con, report: Report, platforms: list[str]) -> Section:
    me = report.selection.institution_id
    section = Section("reply-times", "Reply times against target")
    frame = queries.institution_webcare(con, me, report.as_of)
    found = [r for r in _plain(frame.to_dict("records")) if not is_missing(r.get("questions"))]
    if not found:
        section.empty = (
            f"No webcare for {report.institution_name} on {report.as_of.isoformat()}: "
            "no platform's threads observed for its accounts."
        )
        return section
    cells = [
        [
            platform_label(r["platform"]),
            human_count(r["questions"]),
            format_value("answered_pct", r["answered_pct"]),
            human_minutes(r["reply_time_median"]),
            human_minutes(r["reply_time_p90"]),
            human_minutes(r.get("target_minutes")),
            format_value("within_target_pct", r["within_target_pct"]),
        ]
        for r in found
    ]
    with_target = [
        r for r in found if not is_missing(r.get("target_minutes")) and not is_missing(r["reply_time_median"])
    ]
    section.tables.append(
        Table(
            key="reply-times",
            title=f"{report.institution_name}'s replies in the 28 days to {report.as_of.isoformat()}",
            intro="Minutes from a question under our posts to our first reply.",
            headings=[
                "Platform",
                "Questions",
                "Answered",
                "Median reply",
                "90th percentile",
                "Target",
                "Within target",
            ],
            right=[False, True, True, True, True, True, True],
            cells=cells,
            source=f"{SOURCE_LINE}, as of {report.as_of.isoformat()}.",
            notes=["Targets per platform are the warehouse's (README, Webcare); 'all' has none."],
            chart=Chart(
                title="Median reply time against the target (100% = on target)",
                labels=[platform_label(r["platform"]) for r in with_target],
                values=[100.0 * r["reply_time_median"] / r["target_minutes"] for r in with_target],
                texts=[
                    f"{human_minutes(r['reply_time_median'])} / {human_minutes(r['target_minutes'])}"
                    for r in with_target
                ],
                colour=PRIMARY,
                highlight=[r["reply_time_median"] > r["target_minutes"] for r in with_target],
                axis="Median reply time, % of target",
            )
            if with_target
            else None,
            rows=found,
        )
    )
    return section


def our_posts_section(con, report: Report, platforms: list[str]) -> Section:
    me = report.selection.institution_id
    section = Section("our-posts", "Our top and flagged posts")
    top = posts_table(
        con, report, "our-posts", f"Our top posts, {report.period.label}", institution_id=me, population=False
    )
    flagged = posts_table(
        con,
        report,
        "our-flagged",
        f"Our posts that drew an unusual reaction, {report.period.label}",
        flagged=True,
        institution_id=me,
        population=False,
    )
    section.tables = [t for t in (top, flagged) if t]
    if not top:
        section.text = f"{report.institution_name} made no post we observed in {report.period.label}."
    if not flagged:
        section.text = (
            section.text + f" None of our posts drew an unusual reaction in {report.period.label}."
        ).strip()
    return section


TONE_METRICS = ("mentions", "mention_authors", "negative_share", "positive_share", "net_tone")


def tone_section(con, report: Report, platforms: list[str]) -> Section:
    """What is said about us: our mentions and their tone per platform, now and a month before."""
    me = report.selection.institution_id
    section = Section("tone", "What is said about us")
    if queries.latest_mention_day(con) is None:
        section.empty = (
            "No mentions are collected in this warehouse (the README's Mentions section says how)."
        )
        return section
    now = _plain(queries.institution_mentions(con, me, report.as_of).to_dict("records"))
    before = {
        r["platform"]: r
        for r in _plain(queries.institution_mentions(con, me, report.previous).to_dict("records"))
    }
    if not now:
        section.empty = f"No mention search covered {report.as_of.isoformat()}."
        return section
    cells = []
    for r in now:
        prior = before.get(r["platform"], {})
        cells.append(
            [platform_label(r["platform"])]
            + [format_value(m, r.get(m)) for m in TONE_METRICS]
            + [format_value("net_tone", prior.get("net_tone"))]
        )
    toned = [r for r in now if not is_missing(r.get("net_tone"))]
    section.tables.append(
        Table(
            key="tone",
            title=f"Mentions of {report.institution_name} in the 28 days to {report.as_of.isoformat()}",
            intro="Posts by others that name us; tone from the shipped lexicons (a language without one gives none).",
            headings=[
                "Platform",
                *(METRICS[m].label for m in TONE_METRICS),
                f"Net tone, {report.previous.isoformat()}",
            ],
            right=[False, *([True] * (len(TONE_METRICS) + 1))],
            cells=cells,
            source=f"{SOURCE_LINE}, as of {report.as_of.isoformat()}.",
            notes=[NO_MINIMUMS],
            chart=Chart(
                title="Net tone of our mentions (positive − negative, points)",
                labels=[platform_label(r["platform"]) for r in toned],
                values=[float(r["net_tone"]) for r in toned],
                texts=[format_value("net_tone", r["net_tone"]) for r in toned],
                colour=PRIMARY,
                highlight=[r["net_tone"] < 0 for r in toned],
                axis="Net tone (points)",
            )
            if toned
            else None,
            rows=now,
        )
    )
    return section


STRATEGIST_SECTIONS: list[SectionMaker] = [
    peers_section,
    reply_times_section,
    tone_section,
    our_posts_section,
]


# ---- the report -----------------------------------------------------------------------------------


def monthly_report(
    con: duckdb.DuckDBPyConnection,
    period: Period | None = None,
    selection: Selection | None = None,
    platforms: list[str] | None = None,
) -> Report:
    """The month's report for a selection: the blogger's edition, or with selection.institution_id
    the strategist's. ReportError when the warehouse has no day in the period, a filter matches
    nothing, or the institution is unknown."""
    selection = selection or Selection()
    try:
        queries.check_filters(con, selection.country, selection.kind, selection.group)
    except queries.FilterError as exc:
        raise ReportError(str(exc)) from exc
    if selection.institution_id and not selection.narrowed:
        selection = _home_population(con, selection)
    latest = queries.latest_day(con)
    if latest is None:
        raise ReportError("no counts in the warehouse yet: run `finsocial collect` first")
    if not _holds_an_institution(con, selection):  # each filter holds some, but not together
        raise ReportError(f"no institution in the selection ({selection.label()})")
    period = period or last_complete_month(latest)
    first = queries.filter_options(con)["first_day"]
    if period.start > latest or period.end < first:
        raise ReportError(
            f"no data in {period.label} ({period.start} to {period.end}): the warehouse holds {first} to {latest}"
        )
    info = queries.info(con)
    as_of = min(period.end, latest)
    report = Report(
        title="",
        edition="strategist" if selection.institution_id else "blogger",
        period=period,
        as_of=as_of,
        previous=previous_period_end(period),
        selection=selection,
        demo=info.get("demo") == "true",
        build_id=info.get("build_id"),
        sections=[],
    )
    chosen = _platforms(con, platforms)
    if selection.institution_id:
        _strategist(con, report)
        makers = STRATEGIST_SECTIONS
        report.title = f"{report.institution_name}: {period.label} against {selection.label()}"
    else:
        makers = BLOGGER_SECTIONS
        report.title = f"Financial institutions on social media, {period.label} · {selection.label()}"
    report.sections = [make(con, report, chosen) for make in makers]
    return report


def _holds_an_institution(con: duckdb.DuckDBPyConnection, selection: Selection) -> bool:
    s = selection
    return bool(
        con.execute(
            "SELECT count(*) FROM institutions WHERE (? IS NULL OR country = ?) AND (? IS NULL OR kind = ?)"
            " AND (? IS NULL OR institution_id IN"
            " (SELECT institution_id FROM institution_groups WHERE group_name = ?))"
            " AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], institution_id))",
            [s.country, s.country, s.kind, s.kind, s.group, s.group, s.members, s.members],
        ).fetchone()[0]
    )


def _home_population(con: duckdb.DuckDBPyConnection, selection: Selection) -> Selection:
    """The strategist's peers when no population is given: the institutions of its country."""
    known = queries.institutions(con)
    row = known[known["institution_id"] == selection.institution_id]
    if row.empty:
        raise ReportError(f"--institution: no institution {selection.institution_id!r} in the registry")
    return dataclasses.replace(selection, country=str(row["country"].iloc[0]))


def _strategist(con: duckdb.DuckDBPyConnection, report: Report) -> None:
    """Name the reader's institution and its peers (the selection, which must hold it)."""
    me = report.selection.institution_id
    known = queries.institutions(con)
    row = known[known["institution_id"] == me]
    if row.empty:
        raise ReportError(f"--institution: no institution {me!r} in the registry")
    report.institution_name = str(row["name"].iloc[0])
    s = report.selection
    peers, _ = queries.league_rows(
        con, "all", "followers", report.as_of, s.country, s.kind, s.group, None, institutions=s.members
    )
    report.peers = [r["institution_id"] for r in peers]
    if me not in report.peers:
        raise ReportError(
            f"--institution: {me} is not in the selection ({s.label()}); choose a country, kind, group "
            "or peer set that holds it"
        )


def demo_note(report: Report) -> str | None:
    return DEMO_LINE if report.demo else None


__all__ = [
    "BLOGGER_SECTIONS",
    "STRATEGIST_SECTIONS",
    "Chart",
    "Report",
    "ReportError",
    "Section",
    "Selection",
    "Table",
    "last_complete_month",
    "monthly_report",
]
