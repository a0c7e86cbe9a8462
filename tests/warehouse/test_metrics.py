"""Every metric on a small warehouse whose values are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
import pytest

from tests.warehouse.conftest import land, post, snap
from warehouse.build.builder import build
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.read import queries

T = dt.date(2026, 3, 31)  # t; t-30 = 2026-03-01; t-37 = 2026-02-22; (t-28, t] starts after 03-03


@pytest.fixture
def warehouse(paths, registry_file):
    save_registry(parse_registry(registry_file), paths.registry)
    land(
        paths,
        [
            # alpha on x: 800 at t-30, 1000 at t, nothing in between (a gap): growth 200 = 25%
            snap("alpha-bank", "x", "alpha", "2026-03-01", 800),
            snap("alpha-bank", "x", "alpha", "2026-03-31", 1000),
            # alpha on instagram, a manual import: 4000 -> 5000, no posts collected
            snap("alpha-bank", "instagram", "alpha", "2026-03-01", 4000),
            snap("alpha-bank", "instagram", "alpha", "2026-03-31", 5000),
            # bravo: the baseline is exactly 7 days older than t-30 (allowed); latest is t-1
            snap("bravo-ins", "x", "bravo", "2026-02-22", 1000),
            snap("bravo-ins", "x", "bravo", "2026-03-30", 1000),
            # charlie: 80,000 -> 100,000
            snap("charlie-bank", "x", "charlie", "2026-03-01", 80000),
            snap("charlie-bank", "x", "charlie", "2026-03-31", 100000),
            # delta: the only earlier snapshot is 8 days older than t-30: no baseline, growth NULL
            snap("delta-bank", "x", "delta", "2026-02-21", 90000),
            snap("delta-bank", "x", "delta", "2026-03-31", 100000),
            # echo: posts fetched but none made; on mastodon the count is hidden (NULL, not 0)
            snap("echo-cu", "x", "echo", "2026-03-01", 50),
            snap("echo-cu", "x", "echo", "2026-03-31", 50),
            snap("echo-cu", "mastodon", "echo@social.example", "2026-03-31", None),
            # alpha: 16 and 24 interactions in the window (NULL counts are left out of the sum);
            # the post on 03-03 (= t-28) is outside (t-28, t]
            post("alpha-bank", "x", "alpha", "a1", "2026-03-10", likes=10, comments=2, shares=3, quotes=1),
            post("alpha-bank", "x", "alpha", "a2", "2026-03-31", likes=20, shares=4),
            post("alpha-bank", "x", "alpha", "a0", "2026-03-03", likes=1000),
            post("bravo-ins", "x", "bravo", "b1", "2026-03-20", likes=5),
            post("charlie-bank", "x", "charlie", "c1", "2026-03-05", likes=400),
            post("charlie-bank", "x", "charlie", "c2", "2026-03-25", likes=300, comments=100),
            post("delta-bank", "x", "delta", "d1", "2026-03-15", likes=100),
        ],
    )
    build(paths)
    con = duckdb.connect(str(paths.db), read_only=True)
    yield con
    con.close()


def account(con, handle: str, platform: str = "x", day: dt.date = T) -> dict:
    cur = con.execute(
        "SELECT * FROM account_metrics JOIN accounts USING (account_id, institution_id, platform)"
        " WHERE handle = ? AND platform = ? AND day = ?",
        [handle, platform, day],
    )
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def test_followers_are_the_latest_snapshot_on_or_before_the_day(warehouse):
    assert account(warehouse, "alpha")["followers"] == 1000
    bravo = account(warehouse, "bravo")
    assert (bravo["followers"], bravo["followers_date"]) == (1000, dt.date(2026, 3, 30))
    # in the gap, alpha's followers are carried from 03-01
    assert account(warehouse, "alpha", day=dt.date(2026, 3, 15))["followers"] == 800


def test_growth_across_a_gap_and_the_as_of_tolerance(warehouse):
    alpha = account(warehouse, "alpha")
    assert (alpha["growth_30d"], alpha["growth_30d_pct"]) == (200, 25.0)
    bravo = account(warehouse, "bravo")  # baseline 02-22, exactly 7 days before t-30
    assert (bravo["growth_30d"], bravo["growth_30d_pct"]) == (0, 0.0)
    delta = account(warehouse, "delta")  # 02-21 is 8 days before t-30: no baseline
    assert delta["growth_30d"] is None and delta["growth_30d_pct"] is None
    assert account(warehouse, "charlie")["growth_30d_pct"] == 25.0


def test_posting_and_interactions_over_the_trailing_28_days(warehouse):
    alpha = account(warehouse, "alpha")
    assert alpha["posts_28d"] == 2 and alpha["posts_per_week"] == 0.5
    assert alpha["interactions_per_post"] == 20.0  # (16 + 24) / 2
    assert alpha["engagement_rate"] == pytest.approx(2.0)  # 20 / 1000 * 100
    charlie = account(warehouse, "charlie")
    assert charlie["interactions_per_post"] == 400.0  # (400 + 300 + 100) / 2
    assert charlie["engagement_rate"] == pytest.approx(0.4)


def test_accounts_without_posts(warehouse):
    echo = account(warehouse, "echo")  # posts were fetched, none made: 0 a week, no rate
    assert echo["posts_per_week"] == 0.0
    assert echo["interactions_per_post"] is None and echo["engagement_rate"] is None
    assert echo["overperformance"] is None and echo["presence_index"] is None
    insta = account(warehouse, "alpha", platform="instagram")  # posts not collected: unknown
    assert insta["posts_per_week"] is None and insta["engagement_rate"] is None


def test_null_counts_stay_null(warehouse):
    hidden = account(warehouse, "echo@social.example", platform="mastodon")
    assert hidden["followers"] is None and hidden["power_score"] is None


def test_overperformance_against_the_log_log_fit(warehouse):
    # Points (followers, interactions/post): (1000, 20), (1000, 5), (100000, 400), (100000, 100).
    # The least-squares line in log-log space passes through (1000, 10) and (100000, 200), so
    # expected is 10 at 1,000 followers and 200 at 100,000: ratios 2, 0.5, 2, 0.5.
    assert account(warehouse, "alpha")["expected_interactions"] == pytest.approx(10)
    assert account(warehouse, "alpha")["overperformance"] == pytest.approx(2.0)
    assert account(warehouse, "bravo")["overperformance"] == pytest.approx(0.5)
    assert account(warehouse, "charlie")["overperformance"] == pytest.approx(2.0)
    assert account(warehouse, "delta")["overperformance"] == pytest.approx(0.5)


def test_presence_index_from_percentile_ranks(warehouse):
    # engagement_rate ascending: delta .1, charlie .4, bravo .5, alpha 2.0 -> E = 0, 1/3, 2/3, 1
    # growth_30d_pct ascending: bravo 0, echo 0 (tie), alpha 25, charlie 25 -> G = 0, 0, 2/3, 2/3
    assert account(warehouse, "alpha")["presence_index"] == pytest.approx(100 * math.sqrt(2 / 3))
    assert account(warehouse, "bravo")["presence_index"] == pytest.approx(0.0)
    assert account(warehouse, "charlie")["presence_index"] == pytest.approx(100 * math.sqrt(2 / 9))
    assert account(warehouse, "delta")["presence_index"] is None  # no growth baseline


def test_power_score_weights(warehouse):
    assert account(warehouse, "charlie")["power_score"] == pytest.approx(100.0)  # 100,000 / 1,000
    assert account(warehouse, "alpha", platform="instagram")["power_score"] == pytest.approx(5000 / 750)


def test_platform_all_sums_counts_and_weights_rates(warehouse):
    row = warehouse.execute(
        "SELECT * FROM institution_metrics WHERE institution_id = 'alpha-bank' AND platform = 'all' AND day = ?",
        [T],
    ).fetchone()
    names = [d[0] for d in warehouse.description]
    alpha = dict(zip(names, row, strict=True))
    assert alpha["followers"] == 6000 and alpha["accounts"] == 2
    assert alpha["growth_30d"] == 1200  # 200 on x + 1000 on instagram
    assert alpha["growth_30d_pct"] == pytest.approx(25.0)  # 1200 / (800 + 4000)
    assert alpha["posts_per_week"] == 0.5  # instagram's is unknown, x's is 0.5
    assert alpha["engagement_rate"] == pytest.approx(2.0)  # only x has a rate
    assert alpha["power_score"] == pytest.approx(1.0 + 5000 / 750)


def test_league_table_ties_movement_and_nulls_last(warehouse):
    table = queries.league_table(warehouse, "all", "followers", as_of=T)
    previous = [None if pd.isna(r) else int(r) for r in table["previous_rank"]]
    got = list(zip(table["rank"], table["name"], table["value"], previous, strict=True))
    # as of a month's end the league compares with the previous month's end, 02-28: only delta
    # (90,000 on 02-21) and bravo (1,000 on 02-22) had counts then; the others are new
    assert got[:5] == [
        (1, "Charlie Bank", 100000, None),
        (1, "Delta Bank", 100000, 1),
        (3, "Alpha Bank", 6000, None),
        (4, "Bravo Insurance", 1000, 2),
        (5, "Echo Credit Union", 50, None),
    ]
    rates = queries.league_table(warehouse, "x", "engagement_rate", as_of=T)
    assert list(rates["name"]) == [
        "Alpha Bank",
        "Bravo Insurance",
        "Charlie Bank",
        "Delta Bank",
        "Echo Credit Union",
    ]
    assert list(rates["rank"]) == [1, 2, 3, 4, 5]
    assert math.isnan(rates["value"].iloc[-1])  # NULL ranks after every value
    hidden = queries.league_table(warehouse, "mastodon", "followers", as_of=T)
    assert list(hidden["name"]) == ["Echo Credit Union"] and hidden["value"].isna().all()


def test_league_table_filters(warehouse):
    def names(**kw):
        return list(queries.league_table(warehouse, "x", "followers", as_of=T, **kw)["name"])

    assert names(country="NL") == ["Alpha Bank", "Bravo Insurance", "Echo Credit Union"]
    assert names(kind="bank") == ["Charlie Bank", "Delta Bank", "Alpha Bank"]
    assert names(group="nl-banks") == ["Alpha Bank", "Echo Credit Union"]
    assert names(country="NL", kind="insurer") == ["Bravo Insurance"]
    assert names(group="big", limit=1) == ["Charlie Bank"]
    # ranks are within the filtered population; alpha and bravo tie at 1,000
    nl = queries.league_table(warehouse, "x", "followers", as_of=T, country="NL")
    assert list(nl["rank"]) == [1, 1, 3]


def test_unknown_metric_never_reaches_sql(warehouse):
    with pytest.raises(ValueError, match="unknown metric"):
        queries.league_table(warehouse, "x", "followers; DROP TABLE posts", as_of=T)


def test_several_accounts_on_one_platform_roll_up(paths, registry_file):
    # echo runs two X accounts: 50 followers without posts, and 30 followers whose one post drew
    # 3 likes (engagement 10%); bravo has one. Per platform, echo's X is their sum and weighted mean.
    save_registry(parse_registry(registry_file), paths.registry)
    land(
        paths,
        [
            snap("echo-cu", "x", "echo", "2026-03-01", 40),
            snap("echo-cu", "x", "echo", "2026-03-31", 50),
            snap("echo-cu", "x", "echo_help", "2026-03-01", 20),
            snap("echo-cu", "x", "echo_help", "2026-03-31", 30),
            post("echo-cu", "x", "echo_help", "h1", "2026-03-30", likes=3),
            snap("bravo-ins", "x", "bravo", "2026-03-31", 700),
        ],
    )
    build(paths)
    con = duckdb.connect(str(paths.db), read_only=True)
    rows = con.execute(
        "SELECT institution_id, platform, accounts, followers, growth_30d, growth_30d_pct,"
        " posts_per_week, engagement_rate FROM institution_metrics WHERE day = ? ORDER BY ALL",
        [T],
    ).fetchall()
    con.close()
    assert rows == [
        ("bravo-ins", "all", 1, 700, None, None, 0.0, None),
        ("bravo-ins", "x", 1, 700, None, None, 0.0, None),
        ("echo-cu", "all", 2, 80, 20, pytest.approx(100 / 3), 0.25, pytest.approx(10.0)),
        ("echo-cu", "x", 2, 80, 20, pytest.approx(100 / 3), 0.25, pytest.approx(10.0)),
    ]
