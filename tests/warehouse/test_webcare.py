"""Webcare metrics on threads whose values are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from tests.warehouse.conftest import REGISTRY, land, snap
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.landing.records import Comment
from warehouse.read import queries

T = dt.date(2026, 3, 31)  # the window (t-28, t] holds questions asked from 03-04 on
SEEN = dt.datetime(2026, 3, 31, 4, tzinfo=dt.UTC)  # the night the threads were opened


def at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00+00:00")


def item(account: tuple[str, str, str], post: str, cid: str, parent: str | None, when, bank=False):
    iid, platform, handle = account
    return Comment(iid, platform, handle, post, cid, parent, when, SEEN, is_institution=bank)


ALPHA_X = ("alpha-bank", "x", "alpha")
ALPHA_HELP = ("alpha-bank", "x", "alpha_help")  # a second official account of the same bank
ALPHA_MASTODON = ("alpha-bank", "mastodon", "alpha@social.example")
CHARLIE = ("charlie-bank", "x", "charlie")
DELTA = ("delta-bank", "x", "delta")

THREADS = [
    # alpha on x (target 15 min): post p1 and its thread
    item(ALPHA_X, "p1", "p1", None, at("2026-03-20", "10:00"), bank=True),
    # q1 answered after 12 minutes: within target
    item(ALPHA_X, "p1", "q1", "p1", at("2026-03-20", "12:00")),
    item(ALPHA_X, "p1", "a1", "q1", at("2026-03-20", "12:12"), bank=True),
    # the customer answers the bank's reply: not a new question; the bank replies again (a reply)
    item(ALPHA_X, "p1", "f1", "a1", at("2026-03-20", "12:30")),
    item(ALPHA_X, "p1", "a5", "f1", at("2026-03-20", "12:40"), bank=True),
    # q2 answered after 3 hours; a second, later reply does not change its reply time
    item(ALPHA_X, "p1", "q2", "p1", at("2026-03-21", "09:00")),
    item(ALPHA_X, "p1", "a2", "q2", at("2026-03-21", "12:00"), bank=True),
    item(ALPHA_X, "p1", "a2b", "q2", at("2026-03-21", "13:00"), bank=True),
    # q3 is never answered
    item(ALPHA_X, "p1", "q3", "p1", at("2026-03-22", "10:00")),
    # q4 is answered after 30 minutes by the bank's second official account
    item(ALPHA_X, "p1", "q4", "p1", at("2026-03-23", "08:00")),
    item(ALPHA_X, "p1", "a4", "q4", at("2026-03-23", "08:30"), bank=True),
    # the parent of these was deleted: the bank's reply still counts as a reply, the other's
    # comment is no question (it does not reply to the post)
    item(ALPHA_X, "p1", "a6", "gone", at("2026-03-24", "11:00"), bank=True),
    item(ALPHA_X, "p1", "c6", "gone", at("2026-03-24", "11:05")),
    # the bank continues its own post as a thread: neither a question nor a reply to others
    item(ALPHA_X, "p1", "s1", "p1", at("2026-03-20", "10:01"), bank=True),
    # q0 was asked on 03-03 = t-28: outside the window
    item(ALPHA_X, "p0", "p0", None, at("2026-03-03", "09:00"), bank=True),
    item(ALPHA_X, "p0", "q0", "p0", at("2026-03-03", "12:00")),
    item(ALPHA_X, "p0", "a0", "q0", at("2026-03-03", "12:05"), bank=True),
    # the second account's own post: its thread was opened and nobody asked anything
    item(ALPHA_HELP, "h1", "h1", None, at("2026-03-25", "10:00"), bank=True),
    # alpha on mastodon (target 60 min): answers after 60 and 120 minutes
    item(ALPHA_MASTODON, "m1", "m1", None, at("2026-03-26", "09:00"), bank=True),
    item(ALPHA_MASTODON, "m1", "mq1", "m1", at("2026-03-26", "10:00")),
    item(ALPHA_MASTODON, "m1", "ma1", "mq1", at("2026-03-26", "11:00"), bank=True),
    item(ALPHA_MASTODON, "m1", "mq2", "m1", at("2026-03-27", "10:00")),
    item(ALPHA_MASTODON, "m1", "ma2", "mq2", at("2026-03-27", "12:00"), bank=True),
    # charlie answers its one question after 5 minutes, delta after 10 hours
    item(CHARLIE, "c1", "c1", None, at("2026-03-28", "09:00"), bank=True),
    item(CHARLIE, "c1", "cq", "c1", at("2026-03-28", "10:00")),
    item(CHARLIE, "c1", "ca", "cq", at("2026-03-28", "10:05"), bank=True),
    item(DELTA, "d1", "d1", None, at("2026-03-28", "09:00"), bank=True),
    item(DELTA, "d1", "dq", "d1", at("2026-03-28", "10:00")),
    item(DELTA, "d1", "da", "dq", at("2026-03-28", "20:00"), bank=True),
]


@pytest.fixture(scope="module")
def webcare_paths(tmp_path_factory) -> DataPaths:
    root = tmp_path_factory.mktemp("webcare")
    paths = DataPaths(root / "data" / "finsocial.duckdb")
    paths.ensure()
    (root / "registry.csv").write_text(REGISTRY)
    save_registry(parse_registry(root / "registry.csv"), paths.registry)
    accounts = [ALPHA_X, ALPHA_HELP, ALPHA_MASTODON, CHARLIE, DELTA, ("bravo-ins", "x", "bravo")]
    snapshots = [snap(*a, day, 1000) for a in accounts for day in ("2026-03-01", "2026-03-31")]
    land(paths, [*snapshots, *THREADS])
    build(paths)
    return paths


@pytest.fixture(scope="module")
def warehouse(webcare_paths):
    con = duckdb.connect(str(webcare_paths.db), read_only=True)
    yield con
    con.close()


def account(con, handle: str, day: dt.date = T) -> dict | None:
    cur = con.execute(
        "SELECT w.* FROM account_webcare AS w JOIN accounts AS a USING (account_id)"
        " WHERE a.handle = ? AND w.day = ?",
        [handle, day],
    )
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))


def institution(con, iid: str, platform: str, day: dt.date = T) -> dict:
    cur = con.execute(
        "SELECT * FROM institution_webcare WHERE institution_id = ? AND platform = ? AND day = ?",
        [iid, platform, day],
    )
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def test_questions_answers_and_reply_times_of_one_account(warehouse):
    alpha = account(warehouse, "alpha")
    # q1..q4: f1 replies to the bank's reply, c6 to a deleted comment, s1 is the bank's own, q0 is
    # outside the window
    assert alpha["questions"] == 4
    assert alpha["answered"] == 3  # q3 never
    assert alpha["answered_pct"] == pytest.approx(75.0)
    # first replies after 12, 180 and 30 minutes: sorted 12, 30, 180
    assert alpha["reply_time_median"] == pytest.approx(30.0)
    # 90th percentile at position 0.9 × (3 − 1) = 1.8: 30 + 0.8 × (180 − 30) = 150
    assert alpha["reply_time_p90"] == pytest.approx(150.0)
    # within 15 minutes on x: q1 only, of 4 questions
    assert (alpha["within_target"], alpha["target_minutes"]) == (1, 15.0)
    assert alpha["within_target_pct"] == pytest.approx(25.0)
    # replies to others: a1, a5, a2, a2b, a4 (the second account's, in alpha's thread), a6 (to a
    # deleted comment); not s1 (to its own post) nor a0 (outside the window): 6 ÷ 4 weeks
    assert alpha["replies_28d"] == 6
    assert alpha["replies_per_week"] == pytest.approx(1.5)


def test_an_account_with_no_questions_has_null_rates(warehouse):
    helper = account(warehouse, "alpha_help")
    assert helper["questions"] == 0
    assert helper["answered_pct"] is None  # not 0, not 100
    assert helper["within_target_pct"] is None
    assert helper["reply_time_median"] is None and helper["reply_time_p90"] is None
    assert helper["replies_per_week"] == 0.0  # its threads were observed: none is a count


def test_no_observed_threads_means_null_not_zero(warehouse):
    assert account(warehouse, "bravo") is None  # threads never opened
    # alpha's threads were first opened on 03-31: the day before is unknown
    assert account(warehouse, "alpha", T - dt.timedelta(days=1)) is None
    table = queries.league_table(warehouse, "x", "answered_pct", T).set_index("institution_id")
    assert table["value"].isna()["bravo-ins"]
    assert not table["value"].isna()["alpha-bank"]


def test_institution_values_are_pooled_over_accounts_weighted_by_questions(warehouse):
    x = institution(warehouse, "alpha-bank", "x")
    assert (x["webcare_accounts"], x["questions"], x["answered"]) == (2, 4, 3)
    assert x["reply_time_median"] == pytest.approx(30.0)
    mastodon = account(warehouse, "alpha@social.example")
    # 60 and 120 minutes: median 90, p90 = 60 + 0.9 × 60 = 114; within 60 minutes: 1 of 2
    assert (mastodon["answered_pct"], mastodon["reply_time_median"]) == (100.0, 90.0)
    assert mastodon["reply_time_p90"] == pytest.approx(114.0)
    assert mastodon["within_target_pct"] == pytest.approx(50.0)
    pooled = institution(warehouse, "alpha-bank", "all")
    # 6 questions, 5 answered = 83.33% (the mean of 75% and 100% would be 87.5%)
    assert (pooled["questions"], pooled["answered"]) == (6, 5)
    assert pooled["answered_pct"] == pytest.approx(500 / 6)
    # reply times 12, 30, 60, 120, 180: median 60; p90 at 3.6: 120 + 0.6 × 60 = 156
    assert pooled["reply_time_median"] == pytest.approx(60.0)
    assert pooled["reply_time_p90"] == pytest.approx(156.0)
    # within each platform's own target: q1 (x, 12 ≤ 15) and mq1 (mastodon, 60 ≤ 60): 2 of 6
    assert pooled["within_target_pct"] == pytest.approx(200 / 6)
    # replies: 6 on x, 2 on mastodon
    assert pooled["replies_per_week"] == pytest.approx(2.0)


def test_league_tables_follow_each_metrics_direction(warehouse):
    fastest = queries.league_table(warehouse, "x", "reply_time_median", T)
    # charlie 5 min, alpha 30 min, delta 600 min; bravo has no value and ranks last
    assert list(fastest["institution_id"]) == ["charlie-bank", "alpha-bank", "delta-bank", "bravo-ins"]
    assert list(fastest["rank"]) == [1, 2, 3, 4]
    assert fastest["value"].iloc[0] == pytest.approx(5.0)
    share = queries.league_table(warehouse, "x", "answered_pct", T)
    # charlie and delta answered all (a shared first rank), alpha 75%
    assert list(share["rank"][:3]) == [1, 1, 3]
    assert share["institution_id"].iloc[2] == "alpha-bank"


def test_top_ranks_the_fastest_median_reply_first(webcare_paths):
    from click.testing import CliRunner

    from finsocial.cli import cli

    # a handful of questions each: under the default minimum of 10, which leaves every one out
    below = CliRunner().invoke(
        cli, ["--db", str(webcare_paths.db), "top", "--platform", "x", "--metric", "reply_time_median"]
    )
    assert below.exit_code == 1 and "fewer than 10 questions left out" in below.output
    result = CliRunner().invoke(
        cli,
        ["--db", str(webcare_paths.db), "top", "--platform", "x", "--metric", "reply_time_median"]
        + ["--min-questions", "0", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["institution_id"], r["value"]) for r in rows] == [
        ("charlie-bank", 5.0),
        ("alpha-bank", 30.0),
        ("delta-bank", 600.0),
        ("bravo-ins", None),
    ]
    table = CliRunner().invoke(
        cli,
        ["--db", str(webcare_paths.db), "top", "--platform", "x", "--metric", "reply_time_median"]
        + ["--min-questions", "0"],
    )
    assert "5 min" in table.stdout and "10.0 h" in table.stdout
