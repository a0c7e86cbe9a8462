"""Audience quality from weekly follower samples: thresholds, margins and the league over them."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Sequence

INFLUENCER_MIN = 1000  # a follower with at least this many followers of their own is an influencer
SMALL_MAX = 50  # a follower with at most this many is a small account
INACTIVE_DAYS = 90  # no post in this many days before the sample day: inactive
DEFAULT_SAMPLE_SIZE = 1000
# A sample older than this on the day asked for is not used (samples are weekly).
SAMPLE_MAX_AGE_DAYS = 14
Z_95 = 1.96

AUDIENCE_METRICS = ("influencer_share", "small_share", "inactive_share", "median_follower_followers")


def median_interval(ordered: Sequence[int]) -> tuple[int, int] | None:
    """A distribution-free 95% interval for the median: the order statistics of ranks
    ⌊(n − 1.96√n) / 2⌋ and ⌈1 + (n + 1.96√n) / 2⌉ (1-based, clamped to 1..n)."""
    n = len(ordered)
    if n == 0:
        return None
    spread = Z_95 * math.sqrt(n)
    low = max(1, math.floor((n - spread) / 2))
    high = min(n, math.ceil(1 + (n + spread) / 2))
    return ordered[low - 1], ordered[high - 1]


def aggregate(
    followers: Sequence[int | None],
    last_posts: Sequence[tuple[bool, dt.date | None]] | None,
    sample_date: dt.date,
) -> dict[str, object]:
    """The aggregates of one sample, the only part of it that is kept.

    followers: each sampled follower's own follower count (None: hidden). last_posts: per
    follower, whether their profile shows when they last posted and the day (None: never), or
    None where the platform's profiles show no such thing (then inactive is NULL, not 0).
    """
    counts = sorted(c for c in followers if c is not None)
    interval = median_interval(counts)
    shown = None if last_posts is None else [day for shows, day in last_posts if shows]
    cutoff = sample_date - dt.timedelta(days=INACTIVE_DAYS)
    return {
        "drawn": len(followers),
        "sample_size": len(counts),
        "influencers": sum(c >= INFLUENCER_MIN for c in counts),
        "small": sum(c <= SMALL_MAX for c in counts),
        "median_followers": float(statistics.median(counts)) if counts else None,
        "median_low": interval[0] if interval else None,
        "median_high": interval[1] if interval else None,
        "activity_known": None if shown is None else len(shown),
        "inactive": None if shown is None else sum(day is None or day <= cutoff for day in shown),
    }
