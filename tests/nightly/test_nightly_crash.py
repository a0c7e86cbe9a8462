"""Crash safety: SIGKILL `finsocial collect` and `build` at several points, then carry on."""

from __future__ import annotations

import datetime as dt
import os
import signal

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.nightly.conftest import (
    file_digest,
    finsocial,
    land_counts,
    profile,
    run_ids,
    start,
    wait_for,
)
from tests.nightly.test_nightly_runs import snapshots
from tests.support.collector_fakes import Reply
from warehouse.landing.runs import complete_runs, incomplete_runs
from warehouse.read import queries

TODAY = dt.datetime.now(dt.UTC).date()
YESTERDAY = TODAY - dt.timedelta(days=1)
ACCOUNT = "northwind/bluesky/northwind.bsky.social"
GET_PROFILES = "/xrpc/app.bsky.actor.getProfiles"

# (command killed, where): "fetching" waits on a slow API answer; the others are pause points.
KILL_POINTS = [
    ("collect", "fetching"),
    ("collect", "landing.before_manifest"),
    ("collect", "build.10_account_metrics"),
    ("build", "build.incremental"),  # the previous warehouse moved to .next and opened to be updated
    ("build", "build.05_anomalies"),
    ("build", "build.20_institution_metrics"),
    ("build", "build.before_swap"),
]


@pytest.mark.parametrize(("command", "point"), KILL_POINTS, ids=[p for _, p in KILL_POINTS])
def test_sigkill_leaves_the_warehouse_and_landing_whole(server, paths, cli_env, command, point):
    slow = 30.0 if point == "fetching" else 0.0
    server.routes.clear()
    server.route(
        GET_PROFILES,
        Reply({"profiles": [profile(1000)]}),
        Reply({"profiles": [profile(1100)]}, delay=slow),
        Reply({"profiles": [profile(1200)]}),
    )
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", {"feed": []})
    first = CliRunner().invoke(cli, ["collect", "--date", YESTERDAY.isoformat()])
    assert first.exit_code == 0, first.output
    if command == "build":  # something new for the killed build to take in
        land_counts(paths, YESTERDAY, {("southbank", "linkedin", "south-bank"): 5000})
    serving = file_digest(paths.db)
    runs_before = run_ids(paths)

    env = dict(cli_env)
    marker = paths.root / "paused"
    if point != "fetching":
        env |= {"FINSOCIAL_TEST_PAUSE_AT": point, "FINSOCIAL_TEST_PAUSE_FILE": str(marker)}
    proc = start([command], env)
    try:
        if point == "fetching":
            wait_for(lambda: len(server.requests_to(GET_PROFILES)) == 2, what="the slow request")
        else:
            wait_for(marker.exists, what=f"the pause at {point}")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    # the serving warehouse is the one from before, byte for byte, and it answers queries
    assert file_digest(paths.db) == serving
    with queries.connect(paths.db) as con:
        assert queries.league_table(con, "bluesky", "followers")["value"].tolist() == [1000]
    # every visible run is whole: its files are there with the rows its manifest promises
    for run in complete_runs(paths.landing):
        for entry in run.manifest["files"].values():
            assert pq.read_metadata(run.path / entry["path"]).num_rows == entry["rows"]
    if point in ("fetching", "landing.before_manifest"):
        assert run_ids(paths) == runs_before  # the interrupted run is invisible
    if point == "landing.before_manifest":
        assert len(incomplete_runs(paths.landing)) == 1
    if command == "build":
        assert paths.next_db.exists()

    # the next run completes as if nothing had happened, and says what it cleaned up
    after = finsocial(["collect"], cli_env)
    assert after.returncode == 0, after.stderr
    assert f"taking over the lock left by pid {proc.pid} ({command}" in after.stderr
    assert incomplete_runs(paths.landing) == []
    assert not paths.next_db.exists()
    # a killed collect used up the 1,100 answer; a killed build asked for nothing
    today = 1200 if command == "collect" else 1100
    assert [s for s in snapshots(paths.db) if s[0] == ACCOUNT] == [
        (ACCOUNT, YESTERDAY, 1000),
        (ACCOUNT, TODAY, today),
    ]
    with queries.connect(paths.db) as con:
        assert queries.league_table(con, "bluesky", "followers")["value"].tolist() == [today]
