"""Anomalies: an overnight jump beyond the bound is stored, flagged, and kept out of growth."""

from __future__ import annotations

import datetime as dt

import duckdb
from click.testing import CliRunner

from finsocial.cli import cli
from tests.nightly.conftest import land_counts
from warehouse.build.builder import build
from warehouse.read import queries

JAN1 = dt.date(2026, 1, 1)
A = ("northwind", "x", "northwindbank")  # the hand-worked account
B = ("northwind", "instagram", "northwindbank")  # +900 (+30%): under 1,000, not flagged
C = ("southbank", "x", "southbank")  # +150,000 (+15%): under 20%, not flagged
D = ("southbank", "bluesky", "southbank.example")  # +600 (+60%): over Bluesky's 25% and 500
E = ("southbank", "instagram", "southbank")  # doubles, but after 19 days without a snapshot


def day(n: int) -> dt.date:
    return JAN1 + dt.timedelta(days=n - 1)


def a_followers(n: int) -> int:
    """Account A: 10,000 through 1 February; a one-day spike to 50,000 on 2 February, back to
    10,100 on the 3rd; a lasting drop to 7,000 on the 4th (-30.7%), 7,050 on the 5th."""
    return {33: 50_000, 34: 10_100, 35: 7_000, 36: 7_050}.get(n, 10_000)


def land_days(paths, last: int) -> None:
    for n in range(1, last + 1):
        counts = {
            A: a_followers(n),
            B: 3_000 if n < 20 else 3_900,
            C: 1_000_000 if n < 20 else 1_150_000,
        }
        counts[D] = 1_000 if n < 36 else 1_600
        if n in (1, 20):
            counts[E] = 10_000 if n == 1 else 20_000
        land_counts(paths, day(n), counts)


def metrics(db, account: tuple, n: int) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT followers, followers_flagged, baseline_followers, growth_30d, "
            "round(growth_30d_pct, 2) FROM account_metrics WHERE account_id = ? AND day = ?",
            ["/".join(account), day(n)],
        ).fetchone()
    finally:
        con.close()


def anomalies(db) -> list[tuple]:
    with queries.connect(db) as con:
        frame = queries.snapshot_anomalies(con)
    return [
        (
            r.account_id,
            r.snapshot_date.date(),
            r.previous_followers,
            r.followers,
            r.change,
            round(r.change_pct, 2),
            r.status,
        )
        for r in frame.itertuples()
    ]


def test_a_drop_waits_for_the_next_day_to_confirm_it(paths):
    land_days(paths, 35)  # the drop to 7,000 is the newest snapshot: nothing confirms it yet
    build(paths)
    a = "/".join(A)
    assert anomalies(paths.db) == [
        (a, day(35), 10_100, 7_000, -3_100, -30.69, "flagged"),
        (a, day(33), 10_000, 50_000, 40_000, 400.0, "flagged"),
    ]
    # growth on 4 February ignores the 7,000: trusted 10,100 (3 Feb) against 10,000 (5 Jan)
    assert metrics(paths.db, A, 35) == (7_000, True, 10_000, 100, 1.0)

    land_days(paths, 36)  # 7,050 on the 5th is within bound of 7,000: the drop is confirmed
    build(paths)
    assert anomalies(paths.db) == [
        ("/".join(D), day(36), 1_000, 1_600, 600, 60.0, "flagged"),
        (a, day(35), 10_100, 7_000, -3_100, -30.69, "confirmed"),
        (a, day(33), 10_000, 50_000, 40_000, 400.0, "flagged"),
    ]
    # once confirmed, the drop counts for every day from the 4th on
    assert metrics(paths.db, A, 35) == (7_000, False, 10_000, -3_000, -30.0)
    assert metrics(paths.db, A, 36) == (7_050, False, 10_000, -2_950, -29.5)
    # the spike never counts: on 2 February growth is 10,000 (1 Feb) - 10,000 (3 Jan) = 0
    assert metrics(paths.db, A, 33) == (50_000, True, 10_000, 0, 0.0)
    # and the day after it is judged against the level before it, not against the spike
    assert metrics(paths.db, A, 34) == (10_100, False, 10_000, 100, 1.0)
    # D's jump is stored and shown, but its growth stays on the last trusted count
    assert metrics(paths.db, D, 36) == (1_600, True, 1_000, 0, 0.0)
    # B, C and E moved within their bounds (or too far apart to judge): nothing flagged
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        flagged = con.execute(
            "SELECT account_id, snapshot_date, anomaly FROM account_snapshots "
            "WHERE anomaly IS NOT NULL ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    assert flagged == [
        (a, day(33), "flagged"),
        (a, day(35), "confirmed"),
        ("/".join(D), day(36), "flagged"),
    ]


def test_status_lists_the_anomalies(paths, monkeypatch):
    land_days(paths, 36)
    build(paths)
    monkeypatch.setenv("FINSOCIAL_DB", str(paths.db))
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps to the terminal's width
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    assert "Follower anomalies" in result.output
    assert "northwind/x/northwindbank" in result.output
    assert "-3,100 (-30.7%)" in result.output and "confirmed" in result.output
    assert "+40,000 (+400.0%)" in result.output and "flagged" in result.output
