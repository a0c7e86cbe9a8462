"""The demo against the industry: each platform's median engagement rate and posts a week.

The references live on the platforms' profiles (synth/spec.py INDUSTRY):
- Facebook, Instagram, X and TikTok: the median engagement rate per post of financial services in
  Rival IQ's 2025 Social Media Industry Benchmark Report (SOURCE); the demo's medians stay within
  TOLERANCE of it, and its posts a week of REFERENCE_POSTS_PER_WEEK.
- Bluesky and Mastodon, which no industry report covers: the range published for the platform as a
  whole, from its average engagement rate per post to its "good" rate (RANGE_SOURCE: Bluesky 1.2%
  to 2.0%, Mastodon 1.5% to 2.5%); the demo's median sits inside it, and no account above
  LARGE_ACCOUNT followers has a median engagement rate over LARGE_ACCOUNT_RATE (%): "for the larger
  account, hitting even 2% would be a huge win" (the same source). Other published figures agree
  with these: a healthy 3-7% for Bluesky accounts of a few hundred followers (blueskysmarts.co,
  "Beyond the follow count"), and a median of 3 to 4 interactions per Bluesky post across 56,000
  accounts (TheBlue.social's 2025 study of 1.7 million posts on X, Threads and Bluesky).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from synth.spec import INDUSTRY
from warehouse.read.queries import connect, query_sql

SOURCE = "Rival IQ, 2025 Social Media Industry Benchmark Report, financial services"
SOURCE_URL = "https://www.rivaliq.com/blog/social-media-industry-benchmark-report/"
# median engagement rate per post (%: interactions per post ÷ followers × 100, median across companies)
REFERENCE_ENGAGEMENT = {
    name: p.reference_engagement for name, p in INDUSTRY.items() if p.reference_engagement is not None
}
REFERENCE_POSTS_PER_WEEK = 4.3  # about the same on each of those platforms
TOLERANCE = 1.5  # the demo's medians stay within this factor of the reference

RANGE_SOURCE = "microposter.so, What Is a Good Engagement Rate in 2026 (average to good rate per platform)"
RANGE_SOURCE_URL = "https://microposter.so/blog/what-is-a-good-engagement-rate"
# (low, high) engagement rate per post (%) published for the platform as a whole
PUBLISHED_RANGE = {name: p.reference_range for name, p in INDUSTRY.items() if p.reference_range is not None}
LARGE_ACCOUNT = 10_000  # followers
LARGE_ACCOUNT_RATE = 2.0  # the highest median engagement rate (%) of an account above LARGE_ACCOUNT


def platform_medians(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per platform: median engagement rate and posts a week across accounts, the log-log fit of
    engagement on audience, the spread (90th over 10th percentile), and the highest median
    engagement rate among accounts above LARGE_ACCOUNT followers (warehouse/read/sql/
    platform_medians.sql)."""
    return con.execute(query_sql("platform_medians"), {"large": LARGE_ACCOUNT}).df()


def main(argv: list[str]) -> int:
    """python -m synth.calibration WAREHOUSE.duckdb: the table of the note and the README."""
    with connect(Path(argv[0])) as con:
        print(f"reference: {SOURCE}; for Bluesky and Mastodon: {RANGE_SOURCE}\n")
        print(platform_medians(con).round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
