"""Audience quality from weekly follower samples: thresholds, margins and the league over them."""

from __future__ import annotations

INFLUENCER_MIN = 1000  # a follower with at least this many followers of their own is an influencer
SMALL_MAX = 50  # a follower with at most this many is a small account
INACTIVE_DAYS = 90  # no post in this many days before the sample day: inactive
DEFAULT_SAMPLE_SIZE = 1000
# A sample older than this on the day asked for is not used (samples are weekly).
SAMPLE_MAX_AGE_DAYS = 14
Z_95 = 1.96

AUDIENCE_METRICS = ("influencer_share", "small_share", "inactive_share", "median_follower_followers")
