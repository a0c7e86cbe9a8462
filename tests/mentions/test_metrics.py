"""The mention metrics, share of voice and storms, worked out by hand on tests/mentions/conftest.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.mentions.conftest import D
from warehouse.domain.mentions import StormRule
from warehouse.read import queries


def metric(db, inst: str, platform: str, day: dt.date, column: str):
    with queries.connect(db) as con:
        found = con.execute(
            f"SELECT {column} FROM institution_mentions WHERE institution_id = ? AND platform = ? AND day = ?",
            [inst, platform, day],
        ).fetchall()
    return found[0][0] if found else "no row"


def test_metrics_over_the_28_days(mentions_db):
    # Alder on D: 4 mentions by 3 authors; 3 have a tone (one in German has none): 1 negative,
    # 1 positive, 1 neutral; 2 of the 4 about outages, 1 about fees
    assert metric(mentions_db, "alder", "bluesky", D, "mentions") == 4
    assert metric(mentions_db, "alder", "bluesky", D, "mention_authors") == 3
    assert metric(mentions_db, "alder", "bluesky", D, "negative_share") == pytest.approx(100 / 3)
    assert metric(mentions_db, "alder", "bluesky", D, "positive_share") == pytest.approx(100 / 3)
    assert metric(mentions_db, "alder", "bluesky", D, "net_tone") == pytest.approx(0)
    assert metric(mentions_db, "alder", "bluesky", D, "theme_outage_share") == pytest.approx(50)
    assert metric(mentions_db, "alder", "bluesky", D, "theme_fees_share") == pytest.approx(25)
    assert metric(mentions_db, "alder", "bluesky", D, "theme_fraud_share") == pytest.approx(0)
    # the day before: its own two mentions only (the window holds no later day)
    assert metric(mentions_db, "alder", "bluesky", D - dt.timedelta(days=1), "mentions") == 2
    # two days before: the search began at 03:00 that day, so the day is not known whole: no row
    assert metric(mentions_db, "alder", "bluesky", D - dt.timedelta(days=2), "mentions") == "no row"
    # 'all' pools the platforms
    assert metric(mentions_db, "birch", "all", D, "mentions") == 1
    assert metric(mentions_db, "birch", "all", D, "net_tone") == pytest.approx(-100)


def test_null_where_no_search_ran_and_zero_where_it_found_nothing(mentions_db):
    assert metric(mentions_db, "birch", "mastodon", D, "mentions") == 0
    assert metric(mentions_db, "birch", "mastodon", D, "negative_share") is None  # no mention to judge
    assert metric(mentions_db, "birch", "mastodon", D, "theme_fraud_share") is None
    assert metric(mentions_db, "cedar", "all", D, "mentions") == "no row"


def top(db, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["--db", str(db), "top", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_share_of_voice_follows_the_filters(mentions_db):
    rows = top(mentions_db, "--platform", "bluesky", "--metric", "share_of_voice", "--as-of", D.isoformat())
    # on D the window (D-27 to D) holds Alder's 4, Birch's 1 and Storm's 77: 26 days of 2 and the
    # storm's 25 (D itself has none)
    values = {r["institution_id"]: r["value"] for r in rows}
    storm = 2 * 26 + 25
    assert values["storm"] == pytest.approx(100 * storm / (storm + 5))
    assert values["alder"] == pytest.approx(100 * 4 / (storm + 5))
    assert [r["institution_id"] for r in rows][:3] == ["storm", "alder", "birch"]
    # among the Dutch institutions only Alder was searched: it has all of their voice
    nl = top(
        mentions_db,
        "--platform",
        "bluesky",
        "--metric",
        "share_of_voice",
        "--country",
        "NL",
        "--as-of",
        D.isoformat(),
    )
    assert [(r["institution_id"], r["value"]) for r in nl] == [("alder", 100.0)]
    gb = top(
        mentions_db,
        "--platform",
        "all",
        "--metric",
        "share_of_voice",
        "--country",
        "GB",
        "--as-of",
        D.isoformat(),
    )
    assert [(r["institution_id"], r["value"]) for r in gb] == [("birch", 100.0)]


def test_top_negative_share_ranks_the_least_negative_first(mentions_db):
    rows = top(mentions_db, "--platform", "bluesky", "--metric", "negative_share", "--as-of", D.isoformat())
    by_id = {r["institution_id"]: r for r in rows}
    assert by_id["birch"]["value"] == pytest.approx(100)
    assert rows[-1]["institution_id"] == "birch"
    assert rows[0]["value"] <= rows[1]["value"]
    mentions = top(mentions_db, "--platform", "bluesky", "--metric", "mentions", "--as-of", D.isoformat())
    assert [(r["institution_id"], r["value"]) for r in mentions][1:] == [("alder", 4), ("birch", 1)]


def test_storms_as_worked_by_hand(mentions_db):
    with queries.connect(mentions_db) as con:
        found = queries.storms(con, D - dt.timedelta(days=40), D, "bluesky")
        stricter = queries.storms(con, D - dt.timedelta(days=40), D, "bluesky", StormRule(minimum=30))
    assert [(r["institution_id"], r["day"]) for r in found] == [("storm", D - dt.timedelta(days=3))]
    storm = found[0]
    # baseline: the 28 searched days before it, one with none (D-31) and 27 with 2: median 2
    assert storm["mentions"] == 25
    assert storm["baseline_median"] == 2
    assert storm["multiple"] == pytest.approx(12.5)
    assert storm["negative_share"] == pytest.approx(80)
    assert storm["baseline_negative_share"] == pytest.approx(0)
    assert storm["jumped"] == "mentions and negative share"
    assert storm["top_theme"] == "outage"
    assert stricter == []


def test_storms_command(mentions_db):
    result = CliRunner().invoke(
        cli, ["--db", str(mentions_db), "storms", "--period", "2026-11", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("day,institution_id,name,platform,mentions")
    assert lines[1].startswith("2026-11-17,storm,Storm Bank,all,25,2.0,12.5,")
    none = CliRunner().invoke(
        cli, ["--db", str(mentions_db), "storms", "--period", "2026-11", "--minimum", "30"]
    )
    assert none.exit_code == 0 and "no storms on all platforms in 2026-11" in none.output
    bad = CliRunner().invoke(cli, ["--db", str(mentions_db), "storms", "--country", "FR"])
    assert bad.exit_code == 1 and "--country" in bad.output


def test_the_theme_metrics_are_the_classifiers_themes():
    from warehouse.domain.metrics import MENTION_THEMES, METRICS
    from warehouse.domain.text import THEMES

    assert tuple(MENTION_THEMES) == THEMES
    assert all(f"theme_{t}_share" in METRICS for t in THEMES)
