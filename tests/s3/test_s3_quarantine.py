"""Quarantine, retract, restore and compaction on a landing zone on S3, through the commands."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from finsocial.cli import cli
from tests.warehouse.conftest import REGISTRY, snap
from warehouse.infra.paths import DataPaths
from warehouse.landing.compact import scan_months
from warehouse.landing.quarantine import quarantined
from warehouse.landing.runs import LandingRun, complete_runs
from warehouse.landing.store import landing_store


def land(paths: DataPaths, day: str, followers: int) -> str:
    run = LandingRun(landing_store(paths), "collect", dt.date.fromisoformat(day))
    run.extend([snap("alpha-bank", "x", "alpha", day, followers)])
    run.commit()
    return run.run_id


def invoke(paths: DataPaths, *args: str):
    return CliRunner().invoke(cli, ["--db", str(paths.db), "--landing", str(paths.landing_url), *args])


def followers(paths: DataPaths) -> dict[str, int]:
    top = invoke(paths, "top", "--platform", "x", "--metric", "followers", "--format", "json")
    assert top.exit_code == 0, top.output
    return {r["institution_id"]: r["value"] for r in json.loads(top.output)}


def test_retract_restore_and_a_damaged_run_on_s3(s3_url, tmp_path):
    paths = DataPaths(tmp_path / "data" / "finsocial.duckdb", s3_url)
    paths.root.mkdir(parents=True)
    paths.registry.write_text(REGISTRY)
    first, second = land(paths, "2026-03-01", 1000), land(paths, "2026-03-02", 1500)
    assert invoke(paths, "build").exit_code == 0
    assert followers(paths) == {"alpha-bank": 1500}

    result = invoke(paths, "runs", "retract", second, "--reason", "a broken proxy")
    assert result.exit_code == 0, result.output
    assert f"retracted {second}: moved to {s3_url}/quarantine/2026-03-02/{second}" in result.output
    store = landing_store(paths)
    assert [r.run_id for r in complete_runs(store)] == [first]
    assert followers(paths) == {"alpha-bank": 1000}
    listed = invoke(paths, "runs").output
    assert f"{second}" in listed and "quarantine: a broken proxy" in listed

    result = invoke(paths, "runs", "restore", second)
    assert result.exit_code == 0, result.output
    assert [r.run_id for r in complete_runs(store)] == [first, second] and quarantined(store) == []
    assert followers(paths) == {"alpha-bank": 1500}

    # a file cut short on the store: the build names it, moves the run aside and goes on
    key = f"2026-03-02/{second}/snapshots.parquet"
    store.put(key, store.read(key)[:-20])
    result = invoke(paths, "build")
    assert result.exit_code == 3, result.output
    assert f"quarantined 2026-03-02/{second}: {s3_url}/{key}:" in result.output
    assert "bytes, the manifest says" in result.output
    assert followers(paths) == {"alpha-bank": 1000}
    (entry,) = quarantined(store)
    assert entry.run_id == second and entry.where == f"{s3_url}/quarantine/2026-03-02/{second}"
    # restoring it while still damaged leaves it in the quarantine, with the reason
    result = invoke(paths, "runs", "restore", second)
    assert result.exit_code == 1 and "is still damaged, it stays in the quarantine" in result.output
    assert [q.run_id for q in quarantined(store)] == [second]


def test_compaction_on_s3_keeps_every_record(s3_url, tmp_path):
    paths = DataPaths(tmp_path / "data" / "finsocial.duckdb", s3_url)
    paths.root.mkdir(parents=True)
    paths.registry.write_text(REGISTRY)
    for day, count in (("2026-01-05", 900), ("2026-01-06", 950), ("2026-02-01", 1000)):
        land(paths, day, count)
    assert invoke(paths, "build").exit_code == 0
    before = followers(paths)
    result = invoke(paths, "compact", "--before", "2026-02")
    assert result.exit_code == 0, result.output
    assert "compacted 2 runs in 1 months: 2 records in, 2 records out" in result.output
    store = landing_store(paths)
    (month,) = scan_months(store)[0]
    assert month.key == "compacted/2026-01" and len(month.run_ids) == 2
    assert [r.manifest["run_date"] for r in complete_runs(store)] == ["2026-02-01"]
    assert not store.folder_exists("2026-01-05")  # the compacted runs' folders are gone
    assert invoke(paths, "build", "--full").exit_code == 0
    assert followers(paths) == before
