"""The demo against the industry: each platform's median engagement rate and posts a week."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.read.queries import connect, query_sql

SOURCE = "Rival IQ, 2025 Social Media Industry Benchmark Report, financial services"
SOURCE_URL = "https://www.rivaliq.com/blog/social-media-industry-benchmark-report/"
# median engagement rate per post (%: interactions per post ÷ followers × 100, median across companies)
REFERENCE_ENGAGEMENT = {"facebook": 0.040, "instagram": 0.261, "x": 0.025, "tiktok": 1.33}
REFERENCE_POSTS_PER_WEEK = 4.3  # about the same on each of those platforms
TOLERANCE = 1.5  # the demo's medians stay within this factor of the reference


def platform_medians(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per platform: median engagement rate and posts a week across accounts, the log-log fit of
    engagement on audience, and the spread (warehouse/read/sql/platform_medians.sql)."""
    return con.execute(query_sql("platform_medians")).df()


def main(argv: list[str]) -> int:
    """python -m synth.calibration WAREHOUSE.duckdb: the table of the note and the README."""
    with connect(Path(argv[0])) as con:
        print(f"reference: {SOURCE}\n")
        print(platform_medians(con).round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
