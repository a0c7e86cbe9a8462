"""Pure functions from a query's frame to the frame a page shows: posts and audience samples."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.domain.posts import BACKLASH_MIN_COMMENTS, BACKLASH_MULTIPLE
from warehouse.read.formatting import format_value, human_count
from warehouse.read.report import PLATFORM_NAMES, backlash_line

UNUSUAL_NOTE = "⚠ " + backlash_line(BACKLASH_MULTIPLE, BACKLASH_MIN_COMMENTS)
SIGNALS_NOTE = (
    "Engagement rate: the post's likes, comments and shares as a share of the account's followers "
    "that day. vs audience: its interactions against what accounts of that size get on the "
    "platform that day. Reaction vs usual: its comments per like against the account's usual "
    "comments per like. The Methodology page gives the formulas."
)
AUDIENCE_NOTE = (
    "From each account's latest weekly sample of its followers. A platform lists the newest "
    "followers first, so the sample is of recent followers: not a random sample of all of them, "
    "and the margins (95%, normal approximation with the finite-population correction) only "
    "measure the chance in who followed lately. Only the counts are stored, never who follows whom."
)
POST_COLUMNS = {"Link": st.column_config.LinkColumn("Link", display_text="open ↗")}


def _count(value: object) -> str:
    return "–" if pd.isna(value) else human_count(value)


def _safe_url(urls: pd.Series) -> pd.Series:
    return urls.where(urls.fillna("").str.match(r"https?://"))


def post_table(frame: pd.DataFrame) -> pd.DataFrame:
    """industry_posts' frame as a table: rank, day, institution, counts, signals, flag, link."""
    return pd.DataFrame(
        {
            "Rank": frame["rank"],
            "Posted": frame["posted_at"].map(
                lambda v: "–" if pd.isna(v) else pd.Timestamp(v).date().isoformat()
            ),
            # one column for who and where: the table has to fit beside the sidebar at 1440 px
            "Institution": frame["name"] + " · " + frame["platform"].map(lambda p: PLATFORM_NAMES.get(p, p)),
            "Text": frame["text"].fillna("–"),
            "Likes": frame["likes"].map(_count),
            "Comments": frame["comments"].map(_count),
            "Shares": frame["shares"].map(_count),
            "Engagement rate": frame["engagement_rate"].map(lambda v: format_value("engagement_rate", v)),
            "vs audience": frame["overperformance"].map(lambda v: format_value("overperformance", v)),
            # the flag sits beside the multiple it comes from: a column of its own does not fit at 1440 px
            "Reaction vs usual": [
                ("–" if pd.isna(v) else f"{v:.1f}×")
                + (f" ⚠ {reason}" if flagged and isinstance(reason, str) else "")
                for v, flagged, reason in zip(
                    frame["reaction_multiple"], frame["unusual_reaction"], frame["flag_reason"], strict=True
                )
            ],
            "Link": _safe_url(frame["url"]),
        }
    )


def post_labels(table: pd.DataFrame) -> list[str]:
    """Each row of post_table() named for the list of texts in full under it: '1. Brildora
    Assurance · Instagram, 2026-10-09'."""
    return [
        f"{rank}. {who}, {posted}"
        for rank, who, posted in zip(table["Rank"], table["Institution"], table["Posted"], strict=True)
    ]


def _share(value: object, margin: object) -> str:
    if pd.isna(value):
        return "–"
    return f"{value:.1f}%" + ("" if pd.isna(margin) else f" ± {margin:.1f}")


def audience_table(frame: pd.DataFrame) -> pd.DataFrame:
    """audience_accounts' frame as a table: each share beside its margin, and the sample sizes."""
    return pd.DataFrame(
        {
            "Platform": frame["platform"].map(lambda p: PLATFORM_NAMES.get(p, p)),
            "Handle": frame["handle"],
            "Sampled on": frame["sample_date"].map(
                lambda v: "–" if pd.isna(v) else pd.Timestamp(v).date().isoformat()
            ),
            "Sample": frame["sample_size"].map(lambda v: "–" if pd.isna(v) else f"{int(v):,}"),
            "Influencers (≥ 1,000)": [
                _share(v, m)
                for v, m in zip(frame["influencer_share"], frame["influencer_share_margin"], strict=True)
            ],
            "Small (≤ 50)": [
                _share(v, m) for v, m in zip(frame["small_share"], frame["small_share_margin"], strict=True)
            ],
            "Inactive (90 days)": [
                _share(v, m)
                for v, m in zip(frame["inactive_share"], frame["inactive_share_margin"], strict=True)
            ],
            "Median follower's followers": [
                "–" if pd.isna(v) else f"{_count(v)} ({_count(lo)}–{_count(hi)})"
                for v, lo, hi in zip(
                    frame["median_follower_followers"], frame["median_low"], frame["median_high"], strict=True
                )
            ],
        }
    )
