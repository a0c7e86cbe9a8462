"""A nightly build recomputes only the days new runs can change, and equals a full build."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import duckdb
import pyarrow.parquet as pq

from synth.demo import DemoSpec, generate
from tests.warehouse.conftest import REGISTRY
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.landing.records import Comment, Post, Snapshot
from warehouse.landing.runs import LandingRun, complete_runs

END = dt.date(2026, 3, 31)
TABLES = (
    "account_metrics",
    "institution_metrics",
    "account_snapshots",
    "snapshot_anomalies",
    "posts",
    "post_signals",
    "audience_samples",
    "comments",
    "account_webcare",
    "institution_webcare",
    "thread_reads",
    "post_peaks",
    "post_practices",
    "account_practices",
    "institution_practices",
    "account_latest",
    "warehouse_counts",
)


def contents(db) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in TABLES:
            rows = con.sql(f"SELECT * FROM {table}").to_arrow_table().to_pylist()
            # sums over the same rows may differ in the last bits with their order
            out[table] = sorted(
                (tuple(round(v, 6) if isinstance(v, float) else v for v in row.values()) for row in rows),
                key=repr,
            )
        return out
    finally:
        con.close()


def info(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
    finally:
        con.close()


def test_nightly_builds_equal_a_full_build(tmp_path):
    paths = DataPaths(tmp_path / "nightly" / "finsocial.duckdb")
    paths.ensure()
    generate(paths, DemoSpec(institutions=6, days=90, end=END))
    held = tmp_path / "held"
    held.mkdir()
    days = sorted(p.name for p in paths.landing.iterdir())
    for day in days[60:]:
        shutil.move(paths.landing / day, held / day)
    build(paths)
    assert info(paths.db)["build_mode"] == "full"

    # night after night, one or several days arrive
    for chunk in (days[60:61], days[61:63], days[63:75], days[75:]):
        for day in chunk:
            shutil.move(held / day, paths.landing / day)
        build(paths)
        facts = info(paths.db)
        assert facts["build_mode"] == "incremental"
        assert facts["metrics_from"] > days[40]  # the history before was copied, not recomputed

    assert_equals_full_build(paths, tmp_path / "full-1")
    # the daily runs (the demo also lands weekly follower samples and a few posts of their own)
    snaps = [r for r in complete_runs(paths.landing) if r.file("snapshots") and r.file("posts")]
    now = dt.datetime(2026, 4, 1, 5, tzinfo=dt.UTC)

    # posts observed again, with new counts: only their windows change
    old_posts = pq.read_table(snaps[50].file("posts")).to_pylist()[:3]
    run = LandingRun(paths.landing, "collect", END)
    for p in old_posts:
        run.add(
            Post(
                p["institution_id"],
                p["platform"],
                p["handle"],
                p["post_id"],
                p["posted_at"],
                now,
                likes=(p["likes"] or 0) + 1000,
                comments=p["comments"],
            )
        )
    run.commit()
    build(paths)
    assert info(paths.db)["metrics_from"] == min(p["posted_at"] for p in old_posts).date().isoformat()
    assert_equals_full_build(paths, tmp_path / "full-2")

    # a drop on the last day is flagged; the next night confirms it, which changes that day's growth
    some = pq.read_table(snaps[-1].file("snapshots")).to_pylist()[0]
    key = (some["institution_id"], some["platform"], some["handle"])
    for offset in (1, 2):
        day = END + dt.timedelta(days=offset)
        run = LandingRun(paths.landing, "collect", day)
        run.add(Snapshot(*key, day, now + dt.timedelta(days=offset), followers=some["followers"] // 2))
        run.commit()
        build(paths)
    assert_equals_full_build(paths, tmp_path / "full-3")

    # a back-fill of an old day
    first = dt.date.fromisoformat(snaps[5].manifest["run_date"])
    run = LandingRun(paths.landing, "import", END)
    run.add(Snapshot(*key, first, now, followers=some["followers"] + 5000, method="manual"))
    run.commit()
    build(paths)
    assert info(paths.db)["metrics_from"] <= first.isoformat()
    assert_equals_full_build(paths, tmp_path / "full-4")


def assert_equals_full_build(paths: DataPaths, where) -> None:
    assert info(paths.db)["build_mode"] == "incremental"
    full = DataPaths(where / "finsocial.duckdb")
    shutil.copytree(paths.root, full.root, ignore=shutil.ignore_patterns("*.duckdb*"))
    build(full, full=True)
    assert info(full.db)["build_mode"] == "full"
    assert contents(paths.db) == contents(full.db)


def test_a_new_metric_definition_rebuilds_everything(tmp_path, monkeypatch):
    paths = DataPaths(tmp_path / "w" / "finsocial.duckdb")
    paths.ensure()
    generate(paths, DemoSpec(institutions=6, days=60, end=END))
    build(paths)
    build(paths)
    assert info(paths.db)["build_mode"] == "incremental"
    monkeypatch.setattr("warehouse.build.builder.metrics_version", lambda formula: "changed")
    build(paths)
    assert info(paths.db)["build_mode"] == "full"


def test_a_back_fill_moves_a_365_day_baseline(paths, registry_file):
    # alpha's counts at quarter ends, then daily; t = 2026-04-01 looks back to t-365 = 2025-04-01
    from tests.warehouse.conftest import land, snap
    from warehouse.inputs.registry import parse_registry, save_registry

    save_registry(parse_registry(registry_file), paths.registry)
    quarters = [("2025-03-20", 1000), ("2025-06-30", 1100), ("2025-09-30", 1250), ("2025-12-31", 1400)]
    daily = [(f"2026-03-{d}", 1590 + d - 25) for d in range(25, 32)]  # 1590 .. 1596
    land(paths, [snap("alpha-bank", "x", "alpha", d, n) for d, n in quarters + daily])
    build(paths)

    def growth_365d(day: str) -> tuple:
        con = duckdb.connect(str(paths.db), read_only=True)
        try:
            return con.execute(
                "SELECT followers, growth_365d FROM account_metrics WHERE account_id = 'alpha-bank/x/alpha'"
                " AND day = ?",
                [dt.date.fromisoformat(day)],
            ).fetchone()
        finally:
            con.close()

    # a nightly run: only the last days are computed, yet the baseline lies a year back, 12 days
    # before t-365 (within the 31 allowed): 1610 - 1000
    land(paths, [snap("alpha-bank", "x", "alpha", "2026-04-01", 1610)], day="2026-04-01")
    build(paths)
    assert info(paths.db)["metrics_from"] == "2026-03-24"
    assert growth_365d("2026-04-01") == (1610, 610)
    assert_equals_full_build(paths, paths.root.parent / "full-1")

    # a back-fill of the quarter's published count moves the baseline to 2025-03-31: 1610 - 1050
    land(paths, [snap("alpha-bank", "x", "alpha", "2025-03-31", 1050)], kind="import", day="2026-04-01")
    build(paths)
    assert info(paths.db)["metrics_from"] == "2025-03-23"  # 8 days before it, for anomaly flags
    assert growth_365d("2026-04-01") == (1610, 560)
    assert growth_365d("2025-12-31")[0] == 1400
    assert_equals_full_build(paths, paths.root.parent / "full-2")


def test_nightly_webcare_equals_a_full_build(tmp_path):
    """A late answer changes the days of its question, weeks back; a new night's threads extend
    the days whose webcare is known."""
    paths = DataPaths(tmp_path / "w" / "finsocial.duckdb")
    paths.ensure()
    (tmp_path / "registry.csv").write_text(REGISTRY)
    save_registry(parse_registry(tmp_path / "registry.csv"), paths.registry)
    account = ("alpha-bank", "x", "alpha")

    def night(day: dt.date, items: list[tuple]) -> None:
        seen = dt.datetime.combine(day, dt.time(4), dt.UTC)
        run = LandingRun(paths.landing, "collect", day)
        run.add(Snapshot(*account, day, seen, followers=1000, posts_observed=True))
        for post, cid, parent, when, bank in items:
            run.add(Comment(*account, post, cid, parent, when, seen, is_institution=bank))
        run.commit()

    def stamp(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)

    thread = [("p1", "p1", None, stamp(2, 9), True), ("p1", "q1", "p1", stamp(2, 10), False)]
    for day in range(1, 11):
        night(dt.date(2026, 3, day), thread if day >= 3 else [])
    build(paths, full=True)
    # the answer to q1 comes 9 days late, seen on the night of 03-12 after a night without threads
    night(dt.date(2026, 3, 11), [])
    night(dt.date(2026, 3, 12), [*thread, ("p1", "a1", "q1", stamp(11, 10), True)])
    build(paths)
    assert info(paths.db)["metrics_from"] == "2026-03-02"
    assert_equals_full_build(paths, tmp_path / "full")
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        rows = con.execute(
            "SELECT day, questions, answered, reply_time_median FROM account_webcare ORDER BY day"
        ).fetchall()
    finally:
        con.close()
    # known from 03-03 (the first night with threads) on; q1 answered after 9 days = 12,960 min
    assert rows[0][:3] == (dt.date(2026, 3, 3), 1, 1)
    assert rows[-1] == (dt.date(2026, 3, 12), 1, 1, 12960.0)


def test_a_nightly_build_updates_the_warehouse_before_the_serving_one(tmp_path):
    """Night after night the build takes the file the serving one replaced (kept as .prev) and
    brings it up to date in place; the serving file is never written to."""
    paths = DataPaths(tmp_path / "w" / "finsocial.duckdb")
    paths.ensure()
    generate(paths, DemoSpec(institutions=4, days=30, end=END))
    build(paths)
    assert info(paths.db)["built_on"] is None and not paths.prev_db.exists()
    first = paths.db.stat().st_ino

    build(paths)  # no previous file yet: a copy of the serving one
    assert info(paths.db)["built_on"] == "copy"
    assert paths.prev_db.stat().st_ino == first  # the replaced file is kept
    second = paths.db.stat().st_ino

    build(paths)  # takes the kept file, not a copy
    assert info(paths.db)["built_on"] == "previous"
    assert paths.db.stat().st_ino == first and paths.prev_db.stat().st_ino == second
    assert not paths.next_db.exists()

    # a build stopped between keeping the serving file and swapping: .prev is the serving file
    paths.prev_db.unlink()
    os.link(paths.db, paths.prev_db)
    serving = paths.db.read_bytes()
    build(paths)
    assert info(paths.db)["built_on"] == "copy"
    assert paths.prev_db.read_bytes() == serving


def test_a_reader_of_the_previous_file_makes_the_build_copy_the_serving_one(tmp_path):
    paths = DataPaths(tmp_path / "w" / "finsocial.duckdb")
    paths.ensure()
    generate(paths, DemoSpec(institutions=4, days=30, end=END))
    build(paths)
    build(paths)
    # another process still reads the file the last build replaced
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True);"
            " print('open', flush=True); time.sleep(120)",
            str(paths.prev_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        held = paths.prev_db.read_bytes()
        kept = open(paths.prev_db, "rb")  # noqa: SIM115 (the file the reader has, whatever its name)
        messages = []
        build(paths, log=messages.append)
        assert info(paths.db)["built_on"] == "copy"
        assert any(m.startswith("not building on finsocial.duckdb.prev") for m in messages), messages
    finally:
        reader.kill()
        reader.wait()
    # the reader's file was not written to: it was set aside, and the serving file copied instead
    with kept:
        assert kept.read() == held


def test_a_nightly_build_carries_a_flagged_count_and_the_trusted_one_before_it(paths, registry_file):
    """An account's last count is a flagged drop, then it goes quiet for weeks: a nightly build that
    starts its series after that count still shows it, and still grows from the count before it."""
    from tests.warehouse.conftest import land, snap

    save_registry(parse_registry(registry_file), paths.registry)
    start = dt.date(2025, 10, 1)
    alpha = [  # 10,000 + n on the n-th day from 1 October to 10 January
        snap("alpha-bank", "x", "alpha", (start + dt.timedelta(days=n)).isoformat(), 10_000 + n)
        for n in range(102)
    ]
    drop = snap("alpha-bank", "x", "alpha", "2026-01-11", 5000)  # -50%, nothing after it: flagged
    bravo = [
        snap("bravo-ins", "x", "bravo", (start + dt.timedelta(days=n)).isoformat(), 2000)
        for n in range((dt.date(2026, 3, 1) - start).days + 1)
    ]
    land(paths, [*alpha, drop, *bravo], day="2026-03-01")
    build(paths)
    land(paths, [snap("bravo-ins", "x", "bravo", "2026-03-02", 2001)], day="2026-03-02")
    build(paths)
    facts = info(paths.db)
    # the series starts 37 days before the first day computed, after alpha's last count
    assert facts["build_mode"] == "incremental" and facts["metrics_from"] == "2026-02-22"

    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        row = con.execute(
            "SELECT followers, followers_date, followers_flagged, baseline_90d_followers, growth_90d"
            " FROM account_metrics WHERE account_id = 'alpha-bank/x/alpha' AND day = DATE '2026-02-22'"
        ).fetchone()
    finally:
        con.close()
    # t-90 = 2025-11-24 (n = 54): growth from 10,054 to the trusted 10,101 of 10 January, not to 5,000
    assert row == (5000, dt.date(2026, 1, 11), True, 10_054, 47)
    assert_equals_full_build(paths, paths.root.parent / "full")


def test_a_full_build_a_month_at_a_time_equals_one_in_one_go(tmp_path, monkeypatch):
    """A long history is computed a span of days at a time (each span like a nightly build):
    spans of 31 days give the same warehouse as one span."""
    one = DataPaths(tmp_path / "one" / "finsocial.duckdb")
    one.ensure()
    generate(one, DemoSpec(institutions=4, days=130, end=END))
    build(one)
    spans = DataPaths(tmp_path / "spans" / "finsocial.duckdb")
    shutil.copytree(one.root, spans.root, ignore=shutil.ignore_patterns("*.duckdb*"))
    monkeypatch.setattr("warehouse.build.builder.ACCOUNT_DAYS_AT_A_TIME", 1)  # 31 days at a time
    messages: list[str] = []
    build(spans, log=messages.append)
    assert sum("building 10_account_metrics.sql for" in m for m in messages) == 5  # 130 days
    assert contents(spans.db) == contents(one.db)


def test_a_registry_change_that_moves_an_imported_count_builds_everything(paths, registry_file):
    """A counts import without a handle goes to the institution's first account on the platform:
    when the registry gives it one, the counts built before move to it, so the build is full."""
    from tests.warehouse.conftest import land, snap

    save_registry(parse_registry(registry_file), paths.registry)
    land(paths, [snap("alpha-bank", "linkedin", None, "2026-03-01", 900)], kind="import", day="2026-03-01")
    land(paths, [snap("bravo-ins", "x", "bravo", "2026-03-02", 50)], day="2026-03-02")
    build(paths)
    land(paths, [snap("bravo-ins", "x", "bravo", "2026-03-03", 51)], day="2026-03-03")
    build(paths)
    assert info(paths.db)["build_mode"] == "incremental"  # a new institution's handle changes nothing

    # the registry gives Alpha Bank a LinkedIn page: the import without a handle belongs to it now
    header, *rows = registry_file.read_text().splitlines()
    rows = [r + (",company/alpha" if r.startswith("alpha-bank,") else ",") for r in rows]
    registry_file.write_text("\n".join([header + ",linkedin", *rows]) + "\n")
    save_registry(parse_registry(registry_file), paths.registry)
    build(paths)
    assert info(paths.db)["build_mode"] == "full"
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        rows = con.execute(
            "SELECT account_id, followers FROM account_snapshots WHERE platform = 'linkedin'"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("alpha-bank/linkedin/company/alpha", 900)]
