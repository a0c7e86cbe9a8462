"""The Top posts page, the profile's audience and reaction sections, and the league's margins."""

from __future__ import annotations

import re

import pytest

from tests.dashboard.conftest import page, texts
from warehouse.domain.posts import parse_period

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def test_top_posts_ranks_the_last_complete_month_by_likes(demo):
    at = page("top_posts")
    assert not at.exception, [e.message for e in at.exception]
    # the demo ends on 2026-11-21: November is not over, so October is the month
    assert at.selectbox(key="tp_period_month").value.label == "2026-10"
    table = at.dataframe[0].value
    assert 0 < len(table) <= 10
    assert list(table["Rank"]) == sorted(table["Rank"])
    assert "Top" in texts(at) and "Likes" in texts(at)
    # each post's text shortened on purpose to the room its column has at 1280 px, at a word; the
    # whole under the table, after the post's rank, institution and day
    assert all(t.endswith("…") and t != "…" for t in table["Text"])
    full = next(e for e in at.expander if e.label == "Text in full").markdown[0].value
    first = table.iloc[0]
    unescaped = re.sub(r"\\(.)", r"\1", full)  # ui.plain: a post's text is shown as typed
    assert (
        f"**1. {first['Institution']}, {first['Posted']}**: Demo post from a fictional institution ("
        in unescaped
    )


def test_flagged_posts_say_they_are_a_signal_not_a_verdict(demo):
    at = page("top_posts")
    at.selectbox(key="tp_unit").set_value("quarter").run()
    quarter = at.selectbox(key="tp_period_quarter")
    assert quarter.value.label == "2026-Q3"  # the last complete quarter; the current one when asked
    quarter.set_value(parse_period("2026-Q4")).run()
    at.toggle(key="tp_flagged").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    table = at.dataframe[0].value
    # each flagged post says why (the demo's storms: comments per like, negative comments)
    assert len(table) >= 1 and all("⚠ " in v for v in table["Reaction vs usual"])
    assert "A signal to read the thread" in texts(at)


def test_profile_shows_the_audience_sample_with_margins(demo):
    import duckdb

    con = duckdb.connect(str(demo), read_only=True)
    institution = con.execute(
        "SELECT institution_id FROM audience_samples WHERE platform = 'mastodon' ORDER BY followers_total DESC LIMIT 1"
    ).fetchone()[0]
    con.close()
    at = page("profile", institution=institution)
    assert not at.exception, [e.message for e in at.exception]
    audience = next(d.value for d in at.dataframe if "Influencers (≥ 1,000)" in d.value.columns)
    assert any("±" in v for v in audience["Influencers (≥ 1,000)"])
    assert "newest followers first" in texts(at) and "never who follows whom" in texts(at)


def test_league_table_shows_the_margin_beside_an_audience_share(demo):
    at = page("league", platform="bluesky", metric="influencer_share")
    assert not at.exception, [e.message for e in at.exception]
    column = at.dataframe[0].value["Influencer followers (%)"]
    assert all("pts (n = " in v for v in column if v != "–")


def test_top_posts_download_as_markdown_too(demo):
    at = page("top_posts")
    buttons = {b.label for b in at.get("download_button")}
    # the Markdown is posts_markdown's (CLI tests); the PNG is the chart's, as under every chart
    assert buttons == {"Download CSV", "Download Markdown", "Download PNG"}
