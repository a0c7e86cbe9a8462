"""Issue 26's build cases: what a nightly build got wrong, or where every build crashed, each
against a full build of the same landing zone (or the number worked out by hand)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.conftest import at, land, post, snap
from tests.warehouse.test_incremental import assert_equals_full_build, contents, info
from warehouse.build.builder import build
from warehouse.infra.csvcheck import InputError
from warehouse.infra.paths import DataPaths
from warehouse.inputs.counts import import_counts
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.landing.compact import compact
from warehouse.landing.quarantine import quarantined
from warehouse.landing.records import Comment, Post
from warehouse.landing.runs import LandingRun, complete_runs

REPO = Path(__file__).resolve().parents[2]
ALPHA = ("alpha-bank", "x", "alpha")


@pytest.fixture
def installed(paths, registry_file) -> DataPaths:
    save_registry(parse_registry(registry_file), paths.registry)
    return paths


def one(db: Path, sql: str, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchone()
    finally:
        con.close()


def days(first: int, last: int) -> list[str]:
    return [f"2026-03-{d:02d}" for d in range(first, last + 1)]


def history(paths: DataPaths, last: int = 10) -> None:
    """Alpha's X account counted from 1 to `last` March (posts fetched), three posts."""
    land(paths, [snap(*ALPHA, d, 1000 + n) for n, d in enumerate(days(1, last))], day="2026-03-01")
    land(
        paths,
        [post(*ALPHA, f"p{d}", f"2026-03-0{d}", likes=10 * d) for d in (2, 4, 6)],
        day=f"2026-03-{last:02d}",
    )


def test_a_post_seen_again_with_another_posted_at_keeps_the_accounts_history(installed):
    history(installed)
    build(installed)
    # the next night sees p4 again, now said to be posted on the 5th (an edit, a platform's fix)
    moved = Post(*ALPHA, "p4", at("2026-03-05", 12), at("2026-03-11", 4), likes=40)
    land(installed, [snap(*ALPHA, "2026-03-11", 1010), moved], day="2026-03-11")
    build(installed)
    assert info(installed.db)["build_mode"] == "incremental"
    # the account's span still starts on the 1st (it jumped to the night's day) and its history stays
    span = one(
        installed.db,
        "SELECT first_snapshot, last_snapshot FROM accounts WHERE account_id = ?",
        "alpha-bank/x/alpha",
    )
    assert span == (dt.date(2026, 3, 1), dt.date(2026, 3, 11))
    rows = one(installed.db, "SELECT count(*) FROM account_metrics WHERE account_id = 'alpha-bank/x/alpha'")
    assert rows == (11,)
    assert_equals_full_build(installed, installed.root.parent / "full")


def test_a_same_day_count_by_another_method_keeps_the_first_post(installed, tmp_path):
    history(installed)
    build(installed)
    # import-counts on an API platform replaces the 10th's count with a manual one (no posts fetched)
    counts = tmp_path / "counts.csv"
    counts.write_text("institution_id,platform,handle,date,followers\nalpha-bank,x,alpha,2026-03-10,1009\n")
    import_counts(installed, counts)
    build(installed)
    assert info(installed.db)["build_mode"] == "incremental"
    # three posts from the 2nd: 3 posts in the 9 days since = 3 * 7 / 9 a week on the 10th, as
    # before; the bug counted from the night's snapshot alone and lost the first post
    first_post, per_week = one(
        installed.db,
        "SELECT s.first_post, m.posts_per_week FROM account_spans AS s JOIN account_metrics AS m"
        " USING (account_id) WHERE account_id = 'alpha-bank/x/alpha' AND m.day = DATE '2026-03-10'",
    )
    assert first_post == dt.date(2026, 3, 2)
    assert_equals_full_build(installed, installed.root.parent / "full")
    full = DataPaths(installed.root.parent / "full" / "finsocial.duckdb")
    assert (
        per_week
        == one(
            full.db,
            "SELECT posts_per_week FROM account_metrics WHERE account_id = 'alpha-bank/x/alpha' AND day = DATE '2026-03-10'",
        )[0]
    )


def test_import_counts_knows_the_accounts_of_compacted_imports(installed, tmp_path):
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "institution_id,platform,handle,date,followers\nalpha-bank,tiktok,alphabank,2026-01-31,500\n"
    )
    import_counts(installed, counts)
    compact(installed.landing, before=dt.date(2099, 1, 1), log=lambda m: None)
    assert not complete_runs(installed.landing)  # the import is in a compacted month now
    # a row naming another handle is refused, naming the one known and where it came from
    counts.write_text(
        "institution_id,platform,handle,date,followers\nalpha-bank,tiktok,alpha.other,2026-02-28,9\n"
    )
    with pytest.raises(InputError) as refused:
        import_counts(installed, counts)
    assert "'alpha.other' is a second tiktok account of alpha-bank beside 'alphabank'" in str(refused.value)
    assert f"compacted into {dt.datetime.now(dt.UTC):%Y-%m}" in str(refused.value)
    # a row without a handle is the one account the compacted import named
    counts.write_text("institution_id,platform,date,followers\nalpha-bank,tiktok,2026-02-28,520\n")
    run = import_counts(installed, counts)
    assert [s.handle for s in run.records("snapshots")] == ["alphabank"]
    build(installed)
    assert one(installed.db, "SELECT count(*) FROM accounts WHERE platform = 'tiktok'") == (1,)


def test_counts_no_sum_can_hold_are_refused_at_import_and_quarantined_at_build(installed, tmp_path):
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "institution_id,platform,handle,date,followers\nalpha-bank,linkedin,alpha,2026-03-01,5000000000000000000\n"
    )
    with pytest.raises(InputError) as refused:
        import_counts(installed, counts)
    assert "row 2, column followers" in str(refused.value) and "larger than any count can be" in str(
        refused.value
    )
    # runs landed by another writer (an older version, a script) with such counts: the build
    # leaves the run out with its reason instead of crashing on every night
    good = land(installed, [snap(*ALPHA, "2026-03-01", 800)], day="2026-03-01")
    huge = 5 * 10**18
    bad = land(
        installed,
        [
            snap("alpha-bank", "instagram", "alpha", "2026-03-02", huge),
            snap("alpha-bank", "x", "alpha", "2026-03-02", huge),
            post(*ALPHA, "p1", "2026-03-02", likes=2**63 - 1, comments=2**63 - 1),
        ],
        day="2026-03-02",
    )
    result = build(installed)
    assert [q.run_id for q in result.quarantined] == [bad.run_id]
    (entry,) = quarantined(installed.landing)
    assert entry.run_id == bad.run_id and "5000000000000000000" in entry.reason
    assert "alpha-bank/instagram/alpha" in entry.reason and "followers" in entry.reason
    assert [r.run_id for r in complete_runs(installed.landing)] == [good.run_id]
    assert one(installed.db, "SELECT sum(followers) FROM account_snapshots") == (800,)
    assert build(installed).quarantined == ()  # reported once


def build_in_a_process(paths: DataPaths, tz: str, full: bool = True) -> None:
    code = (
        "import sys; from pathlib import Path; from warehouse.build.builder import build;"
        f" from warehouse.infra.paths import DataPaths; build(DataPaths(Path(sys.argv[1])), full={full})"
    )
    env = {**os.environ, "TZ": tz, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", code, str(paths.db)], env=env, check=True, cwd=REPO, timeout=120)


def test_metrics_are_the_same_whatever_the_time_zone_of_the_build(installed, tmp_path):
    # posts late in the UTC evening: the next day in Tokyo; answers early in the UTC morning:
    # the day before in Los Angeles
    land(installed, [snap(*ALPHA, d, 1000 + n, posts_observed=True) for n, d in enumerate(days(1, 12))])
    evening = [
        Post(*ALPHA, f"e{d}", dt.datetime(2026, 3, d, 22, 30, tzinfo=dt.UTC), at("2026-03-12"), likes=d)
        for d in range(1, 12)
    ]
    thread = [
        Comment(*ALPHA, "e3", "e3", None, dt.datetime(2026, 3, 3, 22, 30, tzinfo=dt.UTC), at("2026-03-05")),
        Comment(*ALPHA, "e3", "q", "e3", dt.datetime(2026, 3, 3, 23, 50, tzinfo=dt.UTC), at("2026-03-05")),
        Comment(
            *ALPHA, "e3", "a", "q", dt.datetime(2026, 3, 4, 0, 20, tzinfo=dt.UTC), at("2026-03-05"), True
        ),
    ]
    land(installed, [*evening, *thread], day="2026-03-12")
    build(installed, full=True)
    utc = contents(installed.db)
    for tz in ("Asia/Tokyo", "America/Los_Angeles"):
        build_in_a_process(installed, tz)
        assert contents(installed.db) == utc, tz
    # a night built in Los Angeles, then one in UTC: still the full build's warehouse
    land(installed, [snap(*ALPHA, "2026-03-13", 1012, posts_observed=True)], day="2026-03-13")
    build_in_a_process(installed, "America/Los_Angeles", full=False)
    assert info(installed.db)["build_mode"] == "incremental"
    assert_equals_full_build(installed, tmp_path / "full")


def test_a_thread_item_judged_again_without_its_post_is_judged_anew(installed):
    def night(day: str, items: list[tuple], with_snapshot: bool = True) -> None:
        seen = at(day, 4)
        run = LandingRun(installed.landing, "collect", dt.date.fromisoformat(day))
        if with_snapshot:
            run.add(snap(*ALPHA, day, 1000, posts_observed=True))
        for cid, parent, when, bank in items:
            run.add(Comment(*ALPHA, "p1", cid, parent, when, seen, is_institution=bank))
        run.commit()

    thread = [
        ("p1", None, at("2026-03-02", 9), True),
        ("q1", "p1", at("2026-03-02", 10), False),
        ("a1", "q1", at("2026-03-02", 11), True),
    ]
    for d in days(1, 10):
        night(d, thread if d >= "2026-03-02" else [])
    build(installed, full=True)
    answered = "SELECT answered FROM account_webcare WHERE account_id = 'alpha-bank/x/alpha' AND day = DATE '2026-03-05'"
    assert one(installed.db, answered) == (1,)
    # a later night sees a1 again, now known as someone else's (not the bank's): q1 unanswered,
    # and a1 a question of its own? no: a reply to a reply is not a question
    night("2026-03-11", [("a1", "q1", at("2026-03-02", 11), False)], with_snapshot=False)
    build(installed)
    assert info(installed.db)["build_mode"] == "incremental"
    assert one(installed.db, answered) == (0,)
    assert_equals_full_build(installed, installed.root.parent / "full")
