"""The demo looks like the industry: its medians sit within 1.5× of Rival IQ's 2025 figures."""

from __future__ import annotations

import math

import pytest

from synth.calibration import (
    REFERENCE_ENGAGEMENT,
    REFERENCE_POSTS_PER_WEEK,
    TOLERANCE,
    platform_medians,
)
from warehouse.read.queries import connect


@pytest.fixture(scope="module")
def medians(demo_db):
    with connect(demo_db) as con:
        return platform_medians(con).set_index("platform")


@pytest.mark.parametrize("platform", ["facebook", "instagram", "x"])
def test_median_engagement_and_posts_a_week_are_near_the_industry(medians, platform):
    row = medians.loc[platform]
    assert row["accounts_with_posts"] >= 30
    ratio = row["engagement_rate"] / REFERENCE_ENGAGEMENT[platform]
    assert 1 / TOLERANCE <= ratio <= TOLERANCE, f"{platform}: {row['engagement_rate']:.4f}%"
    ratio = row["posts_per_week"] / REFERENCE_POSTS_PER_WEEK
    assert 1 / TOLERANCE <= ratio <= TOLERANCE, f"{platform}: {row['posts_per_week']} posts a week"
    # engagement falls with audience, with the spread of real accounts around the line
    assert -0.9 <= row["loglog_corr"] <= -0.65
    assert -0.35 <= row["loglog_slope"] <= -0.15
    assert 4 <= row["spread_p90_p10"] <= 15


def test_an_imported_platform_has_no_engagement_to_compare(medians):
    # TikTok counts come in by import, without posts: the demo invents no engagement for it
    row = medians.loc["tiktok"]
    assert row["accounts"] > 0 and row["accounts_with_posts"] == 0
    assert math.isnan(row["engagement_rate"])
