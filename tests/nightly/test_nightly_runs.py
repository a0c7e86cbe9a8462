"""Idempotent nightly runs: a second collect the same day replaces, --date back-fills, runs counted."""

from __future__ import annotations

import datetime as dt
import time

import duckdb
from click.testing import CliRunner

from finsocial.cli import cli
from tests.nightly.conftest import runs_table, serve_bluesky

TODAY = dt.datetime.now(dt.UTC).date()


def snapshots(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT account_id, snapshot_date, followers FROM account_snapshots ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_second_collect_same_day_replaces_and_date_back_fills(server, paths, cli_env):
    serve_bluesky(server, 1200, 1250, 1100)
    runner = CliRunner()
    account = "northwind/bluesky/northwind.bsky.social"

    took = []  # each collect command's time, which holds its run's duration_s

    def timed(args):
        before = time.monotonic()
        result = runner.invoke(cli, args, catch_exceptions=False)
        took.append(time.monotonic() - before)
        return result

    first = timed(["collect"])
    assert first.exit_code == 0, first.output
    assert snapshots(paths.db) == [(account, TODAY, 1200)]

    again = timed(["collect"])
    assert again.exit_code == 0, again.output
    # the later run of the day wins; the day still has one snapshot
    assert snapshots(paths.db) == [(account, TODAY, 1250)]

    yesterday = TODAY - dt.timedelta(days=1)
    back = timed(["collect", "--date", yesterday.isoformat()])
    assert back.exit_code == 0, back.output
    assert snapshots(paths.db) == [(account, yesterday, 1100), (account, TODAY, 1250)]

    runs = runs_table(paths.db)
    assert [(r["kind"], r["run_date"], r["status"], r["snapshots"]) for r in runs] == [
        ("collect", TODAY, "complete", 1),
        ("collect", TODAY, "complete", 1),
        ("collect", yesterday, "complete", 1),
    ]
    for run in runs:
        stats = run["stats"]
        # one profile batch, one feed page and (webcare) one page of the feed with replies per run
        assert run["requests"] == 3
        assert stats["accounts_tried"] == 1
        assert stats["accounts_collected"] == 1
        assert stats["failed_by_kind"] == {}
        assert stats["requests"] == {"bluesky": 3}
    for run, command_took in zip(runs, took, strict=True):  # runs_table lists them as they started
        # the run's own time, within its command's (three requests to a local server: over 1 ms)
        assert 0 < run["stats"]["duration_s"] <= round(command_took, 3)


def test_a_failed_account_is_counted_by_kind(server, paths, cli_env):
    server.routes.clear()
    server.route("/xrpc/app.bsky.actor.getProfiles", {"profiles": []})  # unknown: not found
    result = CliRunner().invoke(cli, ["collect"], catch_exceptions=False)
    # not_found is a fact about the account, not a failure of the run
    assert result.exit_code == 0, result.output
    (run,) = runs_table(paths.db)
    assert run["snapshots"] == 0
    assert run["stats"]["accounts_tried"] == 1
    assert run["stats"]["accounts_collected"] == 0
    assert run["stats"]["failed_by_kind"] == {"not_found": 1}
