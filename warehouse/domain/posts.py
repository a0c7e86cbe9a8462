"""The industry's top posts of a period, and posts that drew an unusual reaction."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

# Measures a post list can be ordered by: a post's counts and its signals (post_signals).
POST_MEASURES: dict[str, str] = {
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "interactions": "Interactions",
    "engagement_rate": "Engagement rate (%)",
    "overperformance": "Engagement vs audience",
    "reaction_multiple": "Reaction vs usual",
}
# A post is flagged "unusual reaction" when its comments (and quotes) per like are at least
# BACKLASH_MULTIPLE times its account's usual ratio (the median of the 90 days before), and it has
# at least BACKLASH_MIN_COMMENTS comments. A signal to read the thread, not a sentiment verdict.
BACKLASH_MULTIPLE = 5.0
BACKLASH_MIN_COMMENTS = 20
USUAL_RATIO_DAYS = 90
# Post rankings by a rate list only posts of accounts with an audience to speak of: a 35-follower
# account's post at 113.9 % engagement is a few friends' likes (the same 1,000 as the leagues'
# metrics.MIN_FOLLOWERS). A reaction multiple is given only for a post with at least
# BACKLASH_MIN_COMMENTS comments, the number the flag asks: with one like and one comment, one
# comment more doubles it; with 20, it moves it by a twentieth.
POST_RATE_MEASURES = ("engagement_rate", "overperformance", "reaction_multiple")


def post_minimum_applies(by: str) -> bool:
    """Whether a post ranking by `by` takes the minimum audience (the rates, not the counts)."""
    return by in POST_RATE_MEASURES


def posts_left_out_phrase(under_followers: int, under_comments: int, min_followers, min_comments) -> str:
    """'12 posts of accounts under 1,000 followers left out; 3 posts with fewer than 20 comments
    left out' (each part only where a minimum was applied)."""

    def posts(n: int) -> str:
        return f"{n:,} post{'s' if n != 1 else ''}"

    parts = []
    if min_followers:
        parts.append(f"{posts(under_followers)} of accounts under {min_followers:,} followers left out")
    if min_comments:
        parts.append(f"{posts(under_comments)} with fewer than {min_comments:,} comments left out")
    return "; ".join(parts)


@dataclass(frozen=True)
class Period:
    """A calendar week (2026-W42), month (2026-10) or quarter (2026-Q4), both ends inclusive."""

    label: str
    start: dt.date
    end: dt.date


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_period(text: str) -> Period:
    """'2026-W42' (ISO week), '2026-10' (month) or '2026-Q4' (quarter); ValueError otherwise."""
    text = text.strip().upper()
    try:
        if m := _WEEK.match(text):
            start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(text, start, start + dt.timedelta(days=6))
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            return Period(
                text, dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
            )
        if m := _QUARTER.match(text):
            year, first = int(m[1]), 3 * int(m[2]) - 2
            last = first + 2
            return Period(
                text, dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
            )
    except ValueError:
        pass
    raise ValueError(f"period {text!r} is not a week (2026-W42), a month (2026-10) or a quarter (2026-Q4)")


def period_of(day: dt.date, unit: str) -> Period:
    """The week, month or quarter that holds `day`."""
    if unit == "week":
        year, week, _ = day.isocalendar()
        return parse_period(f"{year}-W{week:02d}")
    if unit == "month":
        return parse_period(f"{day.year}-{day.month:02d}")
    if unit == "quarter":
        return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    raise ValueError(f"unknown period unit {unit!r}; known: week, month, quarter")


def last_complete(day: dt.date, unit: str) -> Period:
    """The latest week, month or quarter that ended on or before `day` (the last day with data):
    on 2026-12-02 the month is 2026-11, on 2026-11-30 it is 2026-11 too. What `posts`, Top posts
    and every period default to; the current one only when asked."""
    current = period_of(day, unit)
    return current if current.end <= day else period_of(current.start - dt.timedelta(days=1), unit)


def previous_day(as_of: dt.date, days: int = 30) -> dt.date:
    """The day a league compares with: a month's end with the previous month's end (2026-10-31
    with 2026-09-30), any other day with the day `days` earlier."""
    if days == 30 and (as_of + dt.timedelta(days=1)).day == 1:
        return as_of.replace(day=1) - dt.timedelta(days=1)
    return as_of - dt.timedelta(days=days)


__all__ = [
    "BACKLASH_MIN_COMMENTS",
    "BACKLASH_MULTIPLE",
    "POST_MEASURES",
    "POST_RATE_MEASURES",
    "Period",
    "last_complete",
    "parse_period",
    "previous_day",
    "period_of",
    "post_minimum_applies",
    "posts_left_out_phrase",
]
