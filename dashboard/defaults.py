"""Each page's default selection, and a warm-up that reads it into the query cache ahead of readers."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time

from dashboard import data
from warehouse.domain.posts import POST_MEASURES, Period, last_complete, parse_period, period_of, previous_day
from warehouse.domain.practices import WINDOWS as PRACTICE_WINDOWS
from warehouse.read.monthly import ReportError, Selection, last_complete_month
from warehouse.read.queries import NoWarehouse

log = logging.getLogger("dashboard")

LEAGUE_LIMIT = 10
TREND_DAYS = 364  # a year, both ends included
TREND_LEADERS = 5
SHARE_TOP = 8
PROFILE_DAYS = 365
RECENT_DAYS = 91  # a profile's posting rhythm and top posts: the last 13 weeks
POST_UNITS = {"month": 12, "week": 52, "quarter": 8}  # how many periods back each offers
HEALTH_RUNS = 20
CONVERSATION_DAYS = 90  # the Conversation page's span: share of voice, tone and storms
HEALTH_FAILURE_DAYS = 90
HEALTH_ANOMALY_DAYS = 365
PEER_POSTS_DAYS = 28  # the peer benchmark's top posts: the 28 days to its day
# How often the warm-up looks for a new build (a stat of the file; a nightly build swaps it).
WATCH_SECONDS = 30.0


def trend_start(wh: data.Warehouse) -> dt.date:
    return max(wh.first_day, wh.last_day - dt.timedelta(days=TREND_DAYS))


def profile_start(wh: data.Warehouse, as_of: dt.date, days: int) -> dt.date:
    """The first day of a profile's history: `days` days to as_of (0: all of it)."""
    return wh.first_day if days == 0 else max(wh.first_day, as_of - dt.timedelta(days=days - 1))


def last_13_weeks(as_of: dt.date) -> Period:
    return Period("last 13 weeks", as_of - dt.timedelta(days=RECENT_DAYS - 1), as_of)


def post_periods(last_post: dt.date, unit: str) -> list[Period]:
    """The periods back from the last post, newest first (a year of weeks or months, two of quarters)."""
    periods: list[Period] = []
    day = last_post
    while len(periods) < POST_UNITS[unit]:
        periods.append(period_of(day, unit))
        day = periods[-1].start - dt.timedelta(days=1)
    return periods


def peer_posts_span(as_of: dt.date) -> Period:
    """The peer benchmark's posts: the 28 days to its day."""
    start = as_of - dt.timedelta(days=PEER_POSTS_DAYS - 1)
    return Period(f"{PEER_POSTS_DAYS} days to {as_of.isoformat()}", start, as_of)


def middle_institution(wh: data.Warehouse) -> str | None:
    """The peer benchmark starts with a mid-table institution: a leader is first at everything."""
    middle = data.league_table("all", "followers", wh.last_day, None, None, None, None)
    return middle["institution_id"].iloc[len(middle) // 2] if not middle.empty else None


def warm(wh: data.Warehouse) -> int:
    """Read what each page shows a new reader (its default selection) into the query cache;
    the number of reads made. The landing page goes first."""
    from warehouse.domain.metrics import METRICS

    reads = 0

    def read(fn, *args, **kwargs):
        nonlocal reads
        reads += 1
        return fn(*args, **kwargs)

    names = read(data.institution_names)
    if not names:
        return reads
    institutions = read(data.institutions)
    if wh.has_metrics:
        day = wh.last_day
        # league tables (the landing page)
        read(data.league_table, "all", "followers", day, None, None, None, LEAGUE_LIMIT)
        # and its movers by growth: the whole league on the comparison day
        read(data.league_table, "all", "followers", previous_day(day), None, None, None, None)
        # engagement against audience
        if wh.options["platforms"]:
            read(data.account_day, wh.options["platforms"][0], day)
        # top posts
        last_post = read(data.latest_post_day)
        if last_post is not None:
            period = last_complete(last_post, "month")  # the Top posts page's default
            read(data.industry_posts, period, next(iter(POST_MEASURES)), "all", None, None, None, limit=10)
        # peer benchmark
        me = middle_institution(wh)
        if me is not None:
            peers = data.peer_ids(institutions, me, "country")
            if peers:
                read(data.peer_benchmark, me, peers, day)
                read(data.peer_values, me, peers, day)
                span = peer_posts_span(day)
                order = tuple([me, *[p for p in peers if p in names]])
                read(data.industry_posts, span, "interactions", "all", institutions=order, limit=10)
        # institution profile (the first institution by name)
        first = next(iter(names))
        platforms = ["all", *wh.options["platforms"]]
        read(data.metric_history, [first], platforms, profile_start(wh, day, PROFILE_DAYS), day)
        read(data.institution_accounts, first, day)
        read(data.posting_rhythm, first, day, RECENT_DAYS)
        for order in ("interactions", "likes", "comments"):
            read(data.top_posts, first, day, order, RECENT_DAYS, 10)
        recent = last_13_weeks(day)
        read(data.industry_posts, recent, "reaction_multiple", institution_id=first, flagged=True, limit=20)
        read(data.audience_accounts, first, day)
        read(data.institution_webcare, first, day)
        if not read(data.institution_mentions, first, day).empty:
            read(data.storms, day - dt.timedelta(days=89), day, "all", institution_id=first)
        for window in PRACTICE_WINDOWS:
            read(data.practices_scorecard, day, window, institution_id=first)
        # trends
        start = trend_start(wh)
        leaders = read(data.league_table, "all", "followers", day, None, None, None, TREND_LEADERS)
        chosen = [i for i in leaders["institution_id"] if i in names]
        if chosen:
            read(data.metric_history, chosen, ["all"], start, day)
        read(data.audience_share, "all", start, day, None, None, None, SHARE_TOP)
        read(data.rank_history, "all", next(iter(METRICS)), chosen, start, day, None, None, None)
        # webcare
        overview = read(data.webcare_overview, "all", day, None, None, None)
        if not overview.empty and overview["reply_time_median"].notna().any():
            read(data.webcare_reply_times, "all", day, list(overview["institution_id"]))
        # practices
        read(data.practices_scorecard, day, PRACTICE_WINDOWS[0], "all", None, None, None)
        # the monthly report: the last complete month, the whole industry, the blogger's edition
        with contextlib.suppress(ReportError):
            month = parse_period(last_complete_month(day).label)
            read(data.monthly_report, month, Selection(None, None, None, None))
    # conversation (its own last day: the last a mention search covered)
    last_mention = read(data.latest_mention_day)
    if wh.has_metrics and last_mention is not None:
        chosen = read(data.selection, None, None, None)
        start = last_mention - dt.timedelta(days=CONVERSATION_DAYS - 1)
        history = read(data.mention_history, "all", chosen, start, last_mention)
        if not history.empty:
            read(data.storms, start, last_mention, "all", None, None, None)
            read(data.mention_themes, "all", chosen, last_mention)
    # data health and methodology
    for fn in (data.freshness, data.coverage, data.quarantined_runs, data.run_failures, data.power_weights):
        read(fn)
    read(data.last_runs, HEALTH_RUNS)
    read(data.failures_by_day, HEALTH_FAILURE_DAYS)
    since = wh.last_day - dt.timedelta(days=HEALTH_ANOMALY_DAYS) if wh.last_day else None
    read(data.snapshot_anomalies, since, 50)
    return reads


def watch(interval: float = WATCH_SECONDS) -> None:
    """Warm the cache now, and again whenever a build replaces the warehouse (never returns)."""
    warmed = None
    while True:
        key = data.version(data.db_path())
        if key is not None and key != warmed:
            started = time.perf_counter()
            try:
                reads = warm(data.warehouse())
                warmed = key
                log.info("warmed the query cache: %d reads in %.1f s", reads, time.perf_counter() - started)
            except NoWarehouse:
                pass
            except Exception:  # a build swapping the file mid-read, say: the next look tries again
                log.warning("warming the query cache failed; trying again later", exc_info=True)
        time.sleep(interval)
