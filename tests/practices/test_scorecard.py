"""The scorecard: reply times in business hours beside the round-the-clock ones, the thresholds'
states, `finsocial top --metric` for the practices; values worked by hand, landed and built."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.support.collector_fakes import write_registry
from warehouse.build.builder import build
from warehouse.domain import practices
from warehouse.infra.paths import DataPaths
from warehouse.landing.records import Comment, Post, Snapshot
from warehouse.landing.runs import LandingRun
from warehouse.read import queries

UTC = dt.UTC
RUN = dt.datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # a Monday evening
DAY = RUN.date()
POST_AT = dt.datetime(2026, 2, 27, 9, 0, tzinfo=UTC)


def item(comment_id: str, parent: str | None, at: dt.datetime, mine: bool, **extra) -> Comment:
    return Comment(
        "northwind", "bluesky", "northwind.bsky.social", "p1", comment_id, parent, at, RUN, mine, **extra
    )


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> DataPaths:
    paths = DataPaths(tmp_path_factory.mktemp("scorecard") / "finsocial.duckdb")
    paths.ensure()
    write_registry(
        paths,
        [
            {
                "institution_id": "northwind",
                "name": "Northwind",
                "kind": "bank",
                "country": "NL",
                "website": "https://northwind.example/",
                "bluesky": "northwind.bsky.social",
            }
        ],
    )
    run = LandingRun(paths.landing, "collect", DAY)
    run.add(
        Snapshot(
            "northwind", "bluesky", "northwind.bsky.social", DAY, RUN, followers=1000, posts_observed=True
        )
    )
    run.add(
        Post(
            "northwind",
            "bluesky",
            "northwind.bsky.social",
            "p1",
            POST_AT,
            RUN,
            text="Nieuws",
            likes=5,
            comments=4,
        )
    )
    run.extend(
        [
            item("p1", None, POST_AT, True, thread_complete=True),
            # asked Friday 16:30 in Amsterdam (15:30 UTC), answered Monday 09:30 (08:30 UTC): 3,900
            # minutes round the clock, 60 in business hours (Friday 16:30-17:00, Monday 09:00-09:30)
            item("q1", "p1", dt.datetime(2026, 2, 27, 15, 30, tzinfo=UTC), False),
            item("a1", "q1", dt.datetime(2026, 3, 2, 8, 30, tzinfo=UTC), True, empty_reply=True),
            # asked Monday 10:00, answered 10:20: 20 minutes either way
            item("q2", "p1", dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC), False),
            item("a2", "q2", dt.datetime(2026, 3, 2, 9, 20, tzinfo=UTC), True, empty_reply=False),
        ]
    )
    run.commit()
    build(paths)
    return paths


def test_reply_times_in_business_hours_beside_round_the_clock(scored):
    with queries.connect(scored.db) as con:
        card = queries.practices_scorecard(con, DAY, 28)
    (row,) = card.to_dict("records")
    assert (row["practice_questions"], row["practice_answered"], row["answered_share"]) == (2, 2, 100.0)
    assert row["reply_median"] == pytest.approx((3900 + 20) / 2)
    assert row["reply_median_business"] == pytest.approx((60 + 20) / 2)
    # Bluesky's target is 60 minutes: 3,900 / 60 = 65 and 20 / 60, their median
    assert row["reply_target_ratio"] == pytest.approx((65 + 20 / 60) / 2)
    # one of the two replies says nothing
    assert (row["replies_read"], row["empty_replies"], row["empty_reply_share"]) == (2, 1, 50.0)
    # too few questions and replies to judge at the shipped thresholds (10 each): no state
    assert row["answered_share_state"] is None and row["empty_reply_share_state"] is None


def test_states_follow_the_thresholds_file(scored, tmp_path, monkeypatch):
    override = tmp_path / "practices.toml"
    override.write_text(
        "[measures.answered_share]\nmin_n = 1\n[measures.reply_target_ratio]\nmin_n = 1\n"
        "[measures.empty_reply_share]\nmin_n = 1\namber = 60.0\n"
    )
    monkeypatch.setenv(practices.PRACTICES_ENV, str(override))
    with queries.connect(scored.db) as con:
        (row,) = queries.practices_scorecard(con, DAY, 28).to_dict("records")
    # 100% answered ≥ 80: green; the median reply is 32.7 times the target (> 4): red; 50% empty
    # replies is past green (10) but within the raised amber (60)
    assert row["answered_share_state"] == "green"
    assert row["reply_target_ratio_state"] == "red"
    assert row["empty_reply_share_state"] == "amber"


def test_a_threshold_states_its_rule_and_refuses_a_wrong_order():
    rule = practices.load().measures["removed_share"]
    assert (
        rule.state(0.5, 100) == "green" and rule.state(2.0, 100) == "amber" and rule.state(9.0, 100) == "red"
    )
    assert rule.state(9.0, 10) is None  # fewer than 50 comments seen
    assert rule.rule == "green ≤ 1, amber ≤ 3, else red (n ≥ 50)"
    answered = practices.load().measures["answered_share"]
    assert answered.state(80.0, 10) == "green" and answered.state(79.9, 10) == "amber"
    assert answered.state(49.9, 10) == "red"


def test_business_days_leave_out_weekends_and_public_holidays():
    # King's Day, Monday 27 April 2026, is a Dutch public holiday
    rows = practices.business_windows(["NL"], dt.date(2026, 4, 24), dt.date(2026, 4, 28))
    assert [r["day"] for r in rows] == [dt.date(2026, 4, 24), dt.date(2026, 4, 28)]
    friday = rows[0]
    assert friday["time_zone"] == "Europe/Amsterdam"
    assert friday["opens_at"] == dt.datetime(2026, 4, 24, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert friday["closes_at"] == dt.datetime(2026, 4, 24, 15, 0, tzinfo=UTC)
    # the first zone tzdata lists for a country, or the file's choice where that is wrong
    assert practices.time_zone("DE") == "Europe/Berlin" and practices.time_zone("US") == "America/New_York"
    assert practices.time_zone("XX") is None


def test_top_ranks_by_each_practice(scored):
    for metric, value in (
        ("reply_median_business", 40.0),
        ("empty_reply_share", 50.0),
        ("removed_share", 0.0),
    ):
        result = CliRunner().invoke(
            cli,
            [
                "--db",
                str(scored.db),
                "top",
                "--platform",
                "all",
                "--metric",
                metric,
                "--as-of",
                str(DAY),
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)
        assert (row["metric"], row["value"]) == (metric, pytest.approx(value))
