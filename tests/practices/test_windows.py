"""The practices' 28- and 90-day windows at their edges, counted by hand: a window at day d holds the
posts of d-(n-1) to d, not d-n; a post months before an account's first computed day (a gap of days
without a row) counts where a window reaches it; an account whose first day falls inside a window
counts only its own days; a night built on the previous warehouse gives the same sums."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tests.practices.test_removed_closed import REGISTRY
from tests.support.collector_fakes import write_registry
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
from warehouse.landing.records import Post, Snapshot
from warehouse.landing.runs import LandingRun

UTC = dt.UTC
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
# northwind's Bluesky posts: (day, how many). 2025-12-01 is 90 days before 2026-03-01, so just outside
# that day's 90-day window; 2026-01-01 is the first day of 2026-03-31's; 2026-03-03 is 28 days before
# 2026-03-31, just outside its 28-day window
BLUESKY_POSTS = [
    (dt.date(2025, 12, 1), 1),
    (dt.date(2026, 1, 1), 1),
    (dt.date(2026, 3, 3), 1),
    (dt.date(2026, 3, 4), 2),
]
X_FIRST = dt.date(2026, 3, 20)  # northwind's X account: first seen (and posting) inside both windows


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def night(paths: DataPaths, day: dt.date) -> None:
    """One collect run on `day`: both accounts' snapshots (X from its first day) and every post so far."""
    run = LandingRun(paths.landing, "collect", day)
    seen = at(day, 23)
    run.add(
        Snapshot(
            "northwind", "bluesky", "northwind.bsky.social", day, seen, followers=100, posts_observed=True
        )
    )
    n = 0
    for posted, count in BLUESKY_POSTS:
        for _ in range(count):
            n += 1
            if posted <= day:
                run.add(
                    Post("northwind", "bluesky", "northwind.bsky.social", f"b{n}", at(posted), seen, likes=1)
                )
    if day >= X_FIRST:
        run.add(Snapshot("northwind", "x", "northwind", day, seen, followers=50, posts_observed=True))
        run.add(Post("northwind", "x", "northwind", "x1", at(X_FIRST), seen, likes=1))
    run.commit()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> DataPaths:
    paths = DataPaths(tmp_path_factory.mktemp("windows") / "finsocial.duckdb")
    paths.ensure()
    write_registry(paths, [{**REGISTRY, "x": "northwind"}])
    for day in (FIRST, X_FIRST):
        night(paths, day)
    build(paths)
    night(paths, LAST)  # the last night on the previous warehouse
    build(paths)
    return paths


def posts_seen(paths: DataPaths, table: str, day: dt.date, platform: str) -> dict[int, int]:
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        assert con.execute("SELECT value FROM warehouse_info WHERE key = 'build_mode'").fetchone() == (
            "incremental",
        )
        rows = con.execute(
            f"SELECT window_days, posts_seen FROM {table} WHERE day = ? AND platform = ?", [day, platform]
        ).fetchall()
        return dict(rows)
    finally:
        con.close()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # 90 days: 2025-12-02 to 2026-03-01, the post of 2026-01-01 (not 2025-12-01's); 28: none
        (FIRST, {28: 0, 90: 1}),
        # 28 days: 2026-02-05 to 03-04, three posts; 90: 2025-12-05 to 03-04, four
        (dt.date(2026, 3, 4), {28: 3, 90: 4}),
        # 28 days: 2026-03-04 to 03-31, not 03-03's post; 90: 2026-01-01 to 03-31, its first day included
        (LAST, {28: 2, 90: 4}),
        # 28 days: 2026-03-03 to 03-30, its first day's post included; 90: 2025-12-31 to 03-30
        (dt.date(2026, 3, 30), {28: 3, 90: 4}),
    ],
)
def test_an_accounts_windows_hold_their_first_and_not_the_day_before(built, day, expected):
    assert posts_seen(built, "account_practices", day, "bluesky") == expected


def test_an_account_first_seen_inside_the_windows_counts_its_own_days(built):
    # X from 2026-03-20: before it, no row; its one post in both windows from then
    assert posts_seen(built, "account_practices", dt.date(2026, 3, 19), "x") == {}
    assert posts_seen(built, "account_practices", X_FIRST, "x") == {28: 1, 90: 1}
    assert posts_seen(built, "account_practices", LAST, "x") == {28: 1, 90: 1}
    # the institution's 'all' pools both accounts
    assert posts_seen(built, "institution_practices", LAST, "all") == {28: 3, 90: 5}
