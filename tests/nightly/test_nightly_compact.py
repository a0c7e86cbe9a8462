"""Retention: compacting the landing zone loses no record and rebuilds an identical warehouse."""

from __future__ import annotations

import datetime as dt
import os
import signal

import duckdb
from click.testing import CliRunner

from finsocial.cli import cli
from tests.nightly.conftest import land_counts, manifest_rows, run_ids, start, wait_for
from warehouse.build.builder import build
from warehouse.landing.compact import compacted_months
from warehouse.landing.records import Account, Post, RunError, Snapshot
from warehouse.landing.runs import LandingRun

START = dt.date(2026, 1, 20)
DAYS = 60  # 20 January to 20 March: three months


def land_history(paths) -> None:
    """A run a day of snapshots, posts, accounts and errors, and a second run on Sundays."""
    for n in range(DAYS):
        day = START + dt.timedelta(days=n)
        at = dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)
        run = LandingRun(
            paths.landing, "collect", day, started_at=at, run_id=at.strftime("%Y%m%dT%H%M%SZ") + f"-{n:06x}"
        )
        for i, (iid, platform) in enumerate((("northwind", "bluesky"), ("southbank", "x"))):
            handle = f"{iid}{i}"
            run.add(Snapshot(iid, platform, handle, day, at, followers=1000 + 7 * n + i, posts_observed=True))
            run.add(Account(iid, platform, handle, at, display_name=iid.title()))
            run.add(
                Post(
                    iid,
                    platform,
                    handle,
                    f"{iid}-{n}",
                    at - dt.timedelta(hours=5),
                    at,
                    likes=n,
                    comments=1,
                    shares=i,
                )
            )
        if n % 9 == 0:
            run.add(RunError("southbank", "x", "southbank1", "timeout", "no answer", at))
        run.commit("partial" if n % 9 == 0 else "complete", {"accounts_tried": 2})
        if day.weekday() == 6:  # a second run the same day replaces the first
            land_counts(
                paths,
                day,
                {("northwind", "bluesky", "northwind0"): 5000 + n},
                kind="collect",
                at=at + dt.timedelta(hours=12),
            )


def tables(db) -> dict[str, list]:
    """Every table of the warehouse, sorted, doubles to 9 digits, without the build's own stamps."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        out = {}
        for name in names:
            columns = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
            select = ", ".join(
                f"round({c}, 9)" if t == "DOUBLE" else f"CAST({c} AS VARCHAR)"
                for c, t in columns
                if (name, c) != ("schema_migrations", "applied_at")
            )
            where = (
                " WHERE key NOT IN ('build_id', 'built_at', 'build_mode', 'metrics_from', 'built_on')"
                if name == "warehouse_info"
                else ""
            )
            out[name] = con.execute(f"SELECT {select} FROM {name}{where} ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def test_compacted_landing_builds_the_same_warehouse(paths, monkeypatch):
    land_history(paths)
    before_rows = manifest_rows(paths)
    runs_before = len(run_ids(paths))
    build(paths)
    expected = tables(paths.db)
    assert len(expected["account_snapshots"]) == 2 * DAYS
    assert len(expected["runs"]) == runs_before

    monkeypatch.setenv("FINSOCIAL_DB", str(paths.db))
    result = CliRunner().invoke(cli, ["compact", "--before", "2026-04"])
    assert result.exit_code == 0, result.output
    months = compacted_months(paths.landing)
    assert [m.path.name for m in months] == ["2026-01", "2026-02", "2026-03"]
    after_rows = {k: sum(m.rows(k) for m in months) for k in before_rows}
    print(
        f"\nrecords before compaction {before_rows}, after {after_rows}, "
        f"{runs_before} runs into {len(months)} months"
    )
    assert after_rows == before_rows
    assert sum(len(m.manifests) for m in months) == runs_before
    assert run_ids(paths) == []  # every run folder went into a month
    assert len(list(paths.landing.rglob("*.parquet"))) == 3 * 4
    assert (
        f"{sum(before_rows.values()):,} records in, {sum(before_rows.values()):,} records out"
        in result.output
    )

    build(paths)
    assert tables(paths.db) == expected

    # a back-fill into a compacted month, then compacting again, still matches a fresh build
    land_counts(paths, dt.date(2026, 2, 3), {("southbank", "x", "southbank1"): 77})
    build(paths)
    expected = tables(paths.db)
    assert CliRunner().invoke(cli, ["compact", "--before", "2026-04"]).exit_code == 0
    assert run_ids(paths) == []
    build(paths)
    assert tables(paths.db) == expected


def test_a_compaction_killed_before_its_index_changes_nothing(paths, cli_env):
    land_history(paths)
    build(paths)
    expected = tables(paths.db)
    before_rows = manifest_rows(paths)
    marker = paths.root / "paused"
    env = cli_env | {
        "FINSOCIAL_TEST_PAUSE_AT": "compact.before_index",
        "FINSOCIAL_TEST_PAUSE_FILE": str(marker),
    }
    proc = start(["compact", "--before", "2026-04"], env)
    try:
        wait_for(marker.exists, what="the pause before the index")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert compacted_months(paths.landing) == []  # no index: the new files are not read
    build(paths)
    assert tables(paths.db) == expected
    # raw payloads already moved are the only change; the next compaction finishes the job
    runner = CliRunner()
    assert runner.invoke(cli, ["compact", "--before", "2026-04"], env=cli_env).exit_code == 0
    assert {k: sum(m.rows(k) for m in compacted_months(paths.landing)) for k in before_rows} == before_rows
    build(paths)
    assert tables(paths.db) == expected
