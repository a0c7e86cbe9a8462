"""Shared pieces of the nightly-refresh tests: an installation, a local Bluesky, the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.collector_fakes import FakeServer, Reply
from warehouse.infra.paths import DataPaths
from warehouse.landing.records import Snapshot
from warehouse.landing.runs import LandingRun, complete_runs

REPO = Path(__file__).resolve().parents[2]
FINSOCIAL = [sys.executable, "-m", "finsocial.cli"]
HANDLE = "northwind.bsky.social"
REGISTRY = (
    "institution_id,name,kind,country,website,bluesky\n"
    f"northwind,Northwind Bank,bank,GB,https://www.northwind.example/,{HANDLE}\n"
    "southbank,South Bank,bank,NL,https://south.example/,\n"
)


def profile(followers: int) -> dict:
    return {
        "did": "did:plc:northwind",
        "handle": HANDLE,
        "displayName": "Northwind Bank",
        "followersCount": followers,
        "followsCount": 12,
        "postsCount": 340,
    }


def serve_bluesky(server: FakeServer, *followers: int, delay: float = 0.0) -> None:
    """getProfiles answers with these follower counts in turn (the last repeats); no posts."""
    server.routes.clear()
    replies = [Reply({"profiles": [profile(n)]}, delay=delay) for n in followers]
    server.route("/xrpc/app.bsky.actor.getProfiles", *replies)
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", {"feed": []})


@pytest.fixture
def paths(tmp_path) -> DataPaths:
    paths = DataPaths(tmp_path / "data" / "finsocial.duckdb")
    paths.ensure()
    paths.registry.write_text(REGISTRY)
    return paths


@pytest.fixture
def cli_env(server, paths, monkeypatch) -> dict[str, str]:
    """The environment a `finsocial` subprocess (or CliRunner) runs with."""
    env = {
        **os.environ,
        "FINSOCIAL_DB": str(paths.db),
        "FINSOCIAL_BLUESKY_API": server.url,
        "FINSOCIAL_LOCK_WAIT": "5",
        "PYTHONPATH": str(REPO),
    }
    for name in ("FINSOCIAL_TEST_PAUSE_AT", "FINSOCIAL_TEST_PAUSE_FILE"):
        env.pop(name, None)
    monkeypatch.setenv("FINSOCIAL_BLUESKY_API", server.url)
    monkeypatch.setenv("FINSOCIAL_DB", str(paths.db))
    monkeypatch.setenv("FINSOCIAL_LOCK_WAIT", "5")
    return env


def finsocial(args: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the command line in a subprocess to the end."""
    return subprocess.run(
        FINSOCIAL + args, env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO
    )


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        FINSOCIAL + args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def wait_for(condition, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_ids(paths: DataPaths) -> list[str]:
    return [r.run_id for r in complete_runs(paths.landing)]


def land_counts(
    paths: DataPaths,
    day: dt.date,
    counts: dict[tuple[str, str, str], int],
    kind: str = "import",
    at: dt.datetime | None = None,
) -> str:
    """One run of manual counts {(institution, platform, handle): followers} for `day`."""
    at = at or dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)
    run = LandingRun(
        paths.landing,
        kind,
        day,
        started_at=at,
        run_id=at.strftime("%Y%m%dT%H%M%SZ") + "-" + os.urandom(3).hex(),
    )
    for (iid, platform, handle), followers in counts.items():
        run.add(Snapshot(iid, platform, handle, day, at, followers=followers, method="manual"))
    run.commit(stats={"rows": len(counts)})
    return run.run_id


def manifest_rows(paths: DataPaths) -> dict[str, int]:
    totals: dict[str, int] = {}
    for run in complete_runs(paths.landing):
        for kind, entry in run.manifest.get("files", {}).items():
            totals[kind] = totals.get(kind, 0) + entry["rows"]
    return totals


def runs_table(db: Path) -> list[dict]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT run_id, kind, run_date, status, snapshots, requests, CAST(stats AS VARCHAR) "
            "FROM runs ORDER BY started_at, run_id"
        ).fetchall()
    finally:
        con.close()
    return [
        {
            "run_id": r[0],
            "kind": r[1],
            "run_date": r[2],
            "status": r[3],
            "snapshots": r[4],
            "requests": r[5],
            "stats": json.loads(r[6]),
        }
        for r in rows
    ]
