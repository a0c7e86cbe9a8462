"""The Top posts and audience tables and chart: pure frames in, what a person reads out."""

from __future__ import annotations

import math

import pandas as pd

from dashboard import charts, tables

NAN = math.nan


def posts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": [1, 2, 2],
            "value": [50.0, 8.0, 8.0],
            "posted_at": pd.to_datetime(["2026-03-25T11:00Z", "2026-03-26T11:00Z", "2026-03-27T11:00Z"]),
            "name": ["North Bank", "North Bank", "South <b>Ins</b>"],
            "platform": ["bluesky", "bluesky", "mastodon"],
            "text": ["storm", None, "tie"],
            "likes": pd.array([50, 8, 8], dtype="Int64"),
            "comments": pd.array([25, 4, pd.NA], dtype="Int64"),
            "shares": pd.array([pd.NA, pd.NA, 1200], dtype="Int64"),
            "engagement_rate": [7.5, NAN, 3.0],
            "overperformance": [NAN, NAN, 1.5],
            "reaction_multiple": [6.0, 6.0, NAN],
            "unusual_reaction": [True, False, False],
            "flag_reason": ["comments per like", None, None],
            "url": ["https://bsky.app/profile/north/post/1", "javascript:alert(1)", None],
        }
    )


def test_post_table_reads_as_text_with_dashes_for_missing():
    table = tables.post_table(posts())
    assert list(table["Posted"]) == ["2026-03-25", "2026-03-26", "2026-03-27"]
    assert list(table["Comments"]) == ["25", "4", "–"]
    assert list(table["Shares"]) == ["–", "–", "1.20K"]
    assert list(table["Engagement rate"]) == ["7.50%", "–", "3.00%"]
    # the flag and its reason stand beside the multiple: 6× with 25 comments flagged, 6× with 4 not
    assert list(table["Reaction vs usual"]) == ["6.0× ⚠ comments per like", "6.0×", "–"]
    # only http(s) links are links
    assert table["Link"].iloc[0].startswith("https://") and table["Link"].iloc[1:].isna().all()


def test_audience_table_puts_the_margin_beside_the_share():
    frame = pd.DataFrame(
        {
            "platform": ["mastodon"],
            "handle": ["news@south.example"],
            "sample_date": pd.to_datetime(["2026-03-30"]),
            "sample_size": [1000],
            "influencer_share": [9.1],
            "influencer_share_margin": [1.78262],
            "small_share": [47.5],
            "small_share_margin": [3.09515],
            "inactive_share": [NAN],
            "inactive_share_margin": [NAN],
            "median_follower_followers": [51.0],
            "median_low": [40],
            "median_high": [63],
        }
    )
    row = tables.audience_table(frame).iloc[0]
    assert (row["Sample"], row["Influencers (≥ 1,000)"], row["Small (≤ 50)"]) == (
        "1,000",
        "9.1% ± 1.8",
        "47.5% ± 3.1",
    )
    assert row["Inactive (90 days)"] == "–"
    assert row["Median follower's followers"] == "51 (40–63)"


def test_top_posts_bar_marks_unusual_reactions_and_escapes_names():
    fig = charts.top_posts_bar(posts(), "likes", "Likes")
    bar = fig.data[0]
    assert list(bar.marker.color) == [charts.WARNING, charts.PRIMARY, charts.PRIMARY]
    assert "South &lt;b&gt;Ins&lt;/b&gt;" in bar.y[2] and "<b>" not in bar.y[2]
    assert list(bar.text) == ["50", "8", "8"]
    assert charts.top_posts_bar(posts().iloc[0:0], "likes", "Likes").layout.annotations
