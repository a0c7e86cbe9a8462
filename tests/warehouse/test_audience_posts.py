"""Audience shares and margins, top posts and backlash on a small warehouse worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

import duckdb
import pytest

from tests.warehouse.conftest import at, land, post, snap
from warehouse.build.builder import build
from warehouse.domain.metrics import METRICS
from warehouse.domain.posts import parse_period, period_of
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.landing.records import AudienceSample
from warehouse.read import queries
from warehouse.read.queries import industry_posts

T = dt.date(2026, 3, 31)
REGISTRY = """institution_id,name,kind,country,website,groups,bluesky,mastodon
north-bank,North Bank,bank,NL,https://north.example/,big,north.bsky.social,
south-ins,South Insurance,insurer,GB,https://south.example/,,,@news@south.example
both-cu,Both Credit Union,credit_union,NL,https://both.example/,big,both.bsky.social,@both@both.example
east-bank,East Bank,bank,NL,https://east.example/,,east.bsky.social,
"""


def sample(iid, platform, handle, day, n, influencers, small, **kw) -> AudienceSample:
    return AudienceSample(
        iid, platform, handle, dt.date.fromisoformat(day), at(day), drawn=n, sample_size=n,
        influencers=influencers, small=small, **kw,
    )  # fmt: skip


@pytest.fixture(scope="module")
def warehouse_db(warehouse):
    return warehouse.execute("SELECT path FROM duckdb_databases() WHERE NOT internal LIMIT 1").fetchone()[0]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from warehouse.infra.paths import DataPaths

    root = tmp_path_factory.mktemp("audience")
    paths = DataPaths(root / "data" / "finsocial.duckdb")
    paths.ensure()
    registry = root / "registry.csv"
    registry.write_text(REGISTRY)
    save_registry(parse_registry(registry), paths.registry)
    base = [
        # north's usual reaction: 10 comments per 120 likes (1/12), one post a day 03-01..03-10
        post(
            "north-bank",
            "bluesky",
            "north.bsky.social",
            f"n{d:02d}",
            f"2026-03-{d:02d}",
            likes=120,
            comments=10,
        )
        for d in range(1, 11)
    ]
    land(
        paths,
        [
            snap("north-bank", "bluesky", "north.bsky.social", "2026-03-01", 1000),
            snap("north-bank", "bluesky", "north.bsky.social", "2026-03-31", 1000),
            snap("south-ins", "mastodon", "news@south.example", "2026-03-01", 400),
            snap("south-ins", "mastodon", "news@south.example", "2026-03-31", 400),
            *base,
            post("north-bank", "bluesky", "north.bsky.social", "n-big", "2026-03-15", likes=500, comments=10),
            # 25 comments per 50 likes = 0.5 = 6 × 1/12, with 25 comments: flagged
            post(
                "north-bank", "bluesky", "north.bsky.social", "n-storm", "2026-03-25", likes=50, comments=25
            ),
            # 4 per 8 = 0.5 = 6 × 1/12 again (the median of the 12 posts before is still 1/12),
            # but only 4 comments: not flagged
            post("north-bank", "bluesky", "north.bsky.social", "n-small", "2026-03-26", likes=8, comments=4),
            # ties north's 120-like posts on 03-05 at the same hour: listed after n05 (post id)
            post("south-ins", "mastodon", "news@south.example", "s-tie", "2026-03-05", likes=120, comments=0),
            # April: outside the March period
            post("south-ins", "mastodon", "news@south.example", "s-april", "2026-04-01", likes=900),
        ],
    )
    land(
        paths,
        [
            # 10 sampled of 40 followers: 3 with >= 1,000, 4 with <= 50
            sample(
                "north-bank",
                "bluesky",
                "north.bsky.social",
                "2026-03-29",
                10,
                3,
                4,
                median_followers=225.5,
                median_low=0,
                median_high=40000,
                followers_total=40,
            ),
            # on the previous month's end, the day a league as of T (a month's end) compares with
            sample("north-bank", "bluesky", "north.bsky.social", "2026-02-28", 1000, 50, 475),
            # the figures: 9.1% influencers, 47.5% small; 200 of 800 inactive; N unknown
            sample(
                "south-ins",
                "mastodon",
                "news@south.example",
                "2026-03-30",
                1000,
                91,
                475,
                activity_known=800,
                inactive=200,
                median_followers=51.0,
            ),
            # the whole list of 100 (no margin), and 30 of 100 on Mastodon with N unknown
            sample(
                "both-cu",
                "bluesky",
                "both.bsky.social",
                "2026-03-28",
                100,
                10,
                60,
                followers_total=100,
                median_followers=20.0,
            ),
            sample(
                "both-cu",
                "mastodon",
                "both@both.example",
                "2026-03-28",
                100,
                30,
                20,
                activity_known=100,
                inactive=50,
                median_followers=400.0,
            ),
            # 21 days before T: older than the 14 days a weekly sample is used for
            sample("east-bank", "bluesky", "east.bsky.social", "2026-03-10", 100, 90, 0),
        ],  # fmt: skip
        kind="audience",
    )
    build(paths)
    con = duckdb.connect(str(paths.db), read_only=True)
    yield con
    con.close()


def league(con, platform, metric):
    frame = queries.league_table(con, platform, metric, as_of=T, limit=None)
    return {r.institution_id: r for r in frame.itertuples()}


def test_influencer_share_and_margin_by_hand(warehouse):
    rows = league(warehouse, "bluesky", "influencer_share")
    north = rows["north-bank"]
    assert (north.rank, north.value, north.sample_size) == (1, 30.0, 10)
    # 1.96 × √(0.3 × 0.7 / 10) = 1.96 × 0.144914 = 0.284031; × √((40 − 10)/(40 − 1)) = 0.877058
    # → 0.249112, 24.91 percentage points
    assert north.margin == pytest.approx(24.9112, abs=1e-4)
    assert (north.low, north.high) == (pytest.approx(5.0888, abs=1e-4), pytest.approx(54.9112, abs=1e-4))
    # the month before: 50 of 1000 = 5% (ranked alone, so rank 1)
    assert north.previous_rank == 1
    # the whole list sampled: 10 of 100 = 10%, margin 0 (the finite-population correction is 0)
    assert (rows["both-cu"].rank, rows["both-cu"].value, rows["both-cu"].margin) == (2, 10.0, 0.0)
    assert "east-bank" not in rows  # its only sample is 21 days old
    assert "south-ins" not in rows  # no Bluesky account


def test_shares_without_a_known_population(warehouse):
    south = league(warehouse, "mastodon", "influencer_share")["south-ins"]
    # 1.96 × √(0.091 × 0.909 / 1000) = 1.96 × 0.0090950 = 0.0178262 → 1.78 points
    assert south.value == pytest.approx(9.1) and south.margin == pytest.approx(1.78262, abs=1e-4)
    small = league(warehouse, "mastodon", "small_share")["south-ins"]
    # 1.96 × √(0.475 × 0.525 / 1000) = 1.96 × 0.0157916 = 0.0309515
    assert small.value == pytest.approx(47.5) and small.margin == pytest.approx(3.09515, abs=1e-4)
    inactive = league(warehouse, "mastodon", "inactive_share")["south-ins"]
    # 200 of the 800 whose profile shows a last post: 25%; 1.96 × √(0.25 × 0.75 / 800) = 0.0300062
    assert (inactive.value, inactive.sample_size) == (25.0, 800)
    assert inactive.margin == pytest.approx(3.00062, abs=1e-4)


def test_inactive_share_is_null_where_profiles_show_no_activity(warehouse):
    north = league(warehouse, "bluesky", "inactive_share")["north-bank"]
    assert north.value is None or math.isnan(north.value)
    assert north.margin is None or math.isnan(north.margin)


def test_accounts_pool_on_all_and_the_median_is_one_accounts(warehouse):
    rows = league(warehouse, "all", "influencer_share")
    both = rows["both-cu"]
    # 10 + 30 of 100 + 100 = 20%; one population unknown, so no correction:
    # 1.96 × √(0.2 × 0.8 / 200) = 1.96 × 0.0282843 = 0.0554372
    assert (both.value, both.sample_size, both.accounts) == (20.0, 200, 2)
    assert both.margin == pytest.approx(5.54372, abs=1e-4)
    assert [r.institution_id for r in sorted(rows.values(), key=lambda r: r.rank)] == [
        "north-bank",
        "both-cu",
        "south-ins",
    ]
    medians = league(warehouse, "all", "median_follower_followers")
    assert medians["north-bank"].value == 225.5
    assert (medians["north-bank"].low, medians["north-bank"].high) == (0, 40000)
    assert math.isnan(medians["both-cu"].value)  # two accounts: medians do not add up


def test_periods():
    assert (parse_period("2026-10").start, parse_period("2026-10").end) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )
    q = parse_period("2026-q4")
    assert (q.label, q.start, q.end) == ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    w = parse_period("2026-W42")  # ISO week 42 of 2026: Monday 12 October to Sunday 18 October
    assert (w.start, w.end) == (dt.date(2026, 10, 12), dt.date(2026, 10, 18))
    assert period_of(dt.date(2026, 2, 14), "quarter").label == "2026-Q1"
    for bad in ("2026-13", "2026-W54", "2026-Q5", "October"):
        with pytest.raises(ValueError, match="is not a week"):
            parse_period(bad)


def test_top_posts_by_likes_with_ties(warehouse):
    frame = industry_posts(warehouse, parse_period("2026-03"), by="likes", limit=None)
    ranked = list(zip(frame["rank"], frame["post_id"], strict=True))
    # 500 first; eleven posts tie at 120 likes and share rank 2, earlier first, n05 before s-tie
    # (same time, by post id); then 50 at rank 13 and 8 at rank 14; April's post is left out
    assert ranked == [
        (1, "n-big"),
        *[(2, f"n{d:02d}") for d in range(1, 6)],
        (2, "s-tie"),
        *[(2, f"n{d:02d}") for d in range(6, 11)],
        (13, "n-storm"),
        (14, "n-small"),
    ]
    assert set(frame["name"]) == {"North Bank", "South Insurance"}
    gb = industry_posts(warehouse, parse_period("2026-03"), by="likes", country="GB")
    assert list(gb["post_id"]) == ["s-tie"]
    top2 = industry_posts(warehouse, parse_period("2026-03"), by="comments", platform="bluesky", limit=2)
    assert list(top2["post_id"]) == ["n-storm", "n01"]  # 25 comments; then 10 each, earliest first


def test_engagement_rate_and_overperformance_per_post(warehouse):
    frame = industry_posts(warehouse, parse_period("2026-03"), by="engagement_rate", limit=None)
    storm = frame.set_index("post_id").loc["n-storm"]
    # (50 + 25) interactions ÷ 1,000 followers on 03-25 × 100 = 7.5%
    assert storm["engagement_rate"] == pytest.approx(7.5)
    # s-tie: 120 ÷ 400 × 100 = 30%, the highest; n-big: 510 ÷ 1000 = 51%, higher still
    assert list(frame["post_id"][:2]) == ["n-big", "s-tie"]
    # two accounts a day are too few for the log-log fit (three needed): no overperformance
    assert industry_posts(warehouse, parse_period("2026-03"), by="overperformance").empty


def test_backlash_flag(warehouse):
    # a multiple is given only with at least 20 comments (min_comments): n-small has fewer
    ranked = industry_posts(warehouse, parse_period("2026-03"), by="reaction_multiple", limit=None)
    assert "n-small" not in set(ranked["post_id"]) and ranked.attrs["left_out_comments"] >= 1
    frame = industry_posts(
        warehouse, parse_period("2026-03"), by="reaction_multiple", limit=None, min_comments=1
    )
    by_id = frame.set_index("post_id")
    storm, small = by_id.loc["n-storm"], by_id.loc["n-small"]
    assert storm["usual_ratio"] == pytest.approx(1 / 12) and storm["usual_posts"] == 11
    assert storm["reaction_multiple"] == pytest.approx(6.0) and bool(storm["unusual_reaction"])
    # with 4 comments, n-small's 6x counts only when a single comment is enough (and is flagged then)
    assert small["reaction_multiple"] == pytest.approx(6.0) and bool(small["unusual_reaction"])
    # the first post has nothing before it: no usual ratio, no multiple
    assert "n01" not in by_id.index
    flagged = industry_posts(warehouse, parse_period("2026-03"), by="likes", flagged=True)
    assert list(flagged["post_id"]) == ["n-storm"]
    # thresholds are options: at 7× nothing is flagged, at 3 comments both are
    assert industry_posts(warehouse, parse_period("2026-03"), flagged=True, multiple=7).empty
    assert set(
        industry_posts(warehouse, parse_period("2026-03"), flagged=True, min_comments=3)["post_id"]
    ) == {
        "n-storm",
        "n-small",
    }
    # s-tie: 0 comments per 120 likes; a post without likes has no ratio (NULL, not 0)
    assert by_id.index.tolist().count("s-tie") == 0  # its account has no earlier posts


def test_audience_accounts_on_the_profile(warehouse):
    rows = queries.audience_accounts(warehouse, "both-cu", T).set_index("platform")
    bluesky, mastodon = rows.loc["bluesky"], rows.loc["mastodon"]
    assert (bluesky["influencer_share"], bluesky["influencer_share_margin"]) == (10.0, 0.0)
    assert math.isnan(bluesky["inactive_share"])
    # 50 of 100 inactive, N unknown: 1.96 × √(0.5 × 0.5 / 100) = 1.96 × 0.05 = 0.098 → 9.8 points
    assert mastodon["inactive_share"] == 50.0
    assert mastodon["inactive_share_margin"] == pytest.approx(9.8)
    # on 03-01 north's only sample is the month-old one
    old = queries.audience_accounts(warehouse, "north-bank", dt.date(2026, 3, 1)).iloc[0]
    assert (old["sample_size"], old["influencer_share"]) == (1000, 5.0)


# ---- the command line ---------------------------------------------------------------------------


def run_cli(db, *args):
    from click.testing import CliRunner

    from finsocial.cli import cli

    return CliRunner().invoke(cli, ["--db", str(db), *args])


def test_posts_command_in_every_format(warehouse_db):
    rows = json.loads(
        run_cli(warehouse_db, "posts", "--period", "2026-03", "--by", "likes", "--format", "json").output
    )
    assert [(r["rank"], r["post_id"]) for r in rows[:3]] == [(1, "n-big"), (2, "n01"), (2, "n02")]
    assert len(rows) == 10 and rows[0]["name"] == "North Bank" and rows[0]["period"] == "2026-03"
    gb = run_cli(warehouse_db, "posts", "--period", "2026-03", "--country", "gb", "--format", "csv")
    assert gb.exit_code == 0 and list(csv.DictReader(io.StringIO(gb.output)))[0]["post_id"] == "s-tie"
    md = run_cli(
        warehouse_db,
        "posts",
        "--period",
        "2026-03",
        "--platform",
        "bluesky",
        "--flagged",
        "--format",
        "markdown",
    )
    assert md.exit_code == 0, md.output
    assert "### Top 1 posts by Reaction vs usual on Bluesky, 2026-03" in md.output
    assert (
        "| 1 | 2026-03-25 | North Bank | Bluesky | 50 | 25 | – | 6.00× ⚠ comments per like | – |" in md.output
    )
    assert "A signal to read the thread" in md.output
    table = run_cli(warehouse_db, "posts", "--period", "2026-W13", "--by", "comments")
    assert table.exit_code == 0 and "Top 2 posts by Comments on all platforms" in table.output, table.output
    # ISO week 13 of 2026 is 23 to 29 March: the storm (03-25) and the small post (03-26), no more
    week = run_cli(warehouse_db, "posts", "--period", "2026-W13", "--by", "comments", "--format", "csv")
    assert [r["post_id"] for r in csv.DictReader(io.StringIO(week.output))] == ["n-storm", "n-small"]


def test_posts_command_refuses_a_bad_period_and_an_empty_one(warehouse_db):
    bad = run_cli(warehouse_db, "posts", "--period", "October")
    assert bad.exit_code == 2 and "is not a week" in bad.output
    empty = run_cli(warehouse_db, "posts", "--period", "2025-10")
    assert empty.exit_code == 1 and "no posts with a value for likes in 2025-10" in empty.output


def test_top_ranks_an_audience_metric_with_its_margin(warehouse_db):
    rows = json.loads(
        run_cli(
            warehouse_db,
            "top",
            "--platform",
            "bluesky",
            "--metric",
            "influencer_share",
            "--as-of",
            "2026-03-31",
            "--format",
            "json",
        ).output
    )
    assert [(r["institution_id"], r["value"], r["sample_size"]) for r in rows] == [
        ("north-bank", 30.0, 10),
        ("both-cu", 10.0, 100),
    ]
    assert rows[0]["margin"] == pytest.approx(24.9112, abs=1e-4)
    md = run_cli(
        warehouse_db,
        "top",
        "--platform",
        "bluesky",
        "--metric",
        "influencer_share",
        "--as-of",
        "2026-03-31",
        "--format",
        "markdown",
    )
    assert "30.00% ± 24.9 pts (n = 10)" in md.output and "not a random sample" in md.output


def test_a_smaller_share_of_small_or_inactive_followers_ranks_first(warehouse):
    # small_share and inactive_share say lower is better (metrics.Metric.lower_is_better): the
    # institutions with 40% small-account followers share rank 1, the one with 47.5% comes third
    rows = league(warehouse, "all", "small_share")
    ranked = sorted((r.rank, r.institution_id, r.value) for r in rows.values())
    assert ranked == [(1, "both-cu", 40.0), (1, "north-bank", 40.0), (3, "south-ins", 47.5)]
    assert METRICS["small_share"].lower_is_better and METRICS["inactive_share"].lower_is_better
    assert not METRICS["influencer_share"].lower_is_better
