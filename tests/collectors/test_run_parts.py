"""A collect lands each platform's records as it goes: a disk that fills late in the night loses
only what came after the last part, and the run lands marked partial, saying so."""

from __future__ import annotations

import datetime as dt
import errno

import pyarrow.parquet as pq

from collectors.run import collect
from tests.collectors.test_run import NORTHWIND, serve_all
from tests.support.collector_fakes import NOW, write_registry
from tests.warehouse.conftest import snap
from warehouse.build.builder import build
from warehouse.landing import runs as runs_module
from warehouse.landing.runs import LandingRun, complete_runs


def fill_the_disk_after(monkeypatch, files: int) -> None:
    """The disk takes `files` more Parquet files of the landing zone, then is full."""
    real = runs_module.pq.write_table
    left = [files]

    def write(table, where, **kwargs):
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        left[0] -= 1
        return real(table, where, **kwargs)

    monkeypatch.setattr(runs_module.pq, "write_table", write)


def test_a_run_written_in_parts_is_merged_into_one_file_per_kind(paths):
    run = LandingRun(paths.landing, "collect", dt.date(2026, 3, 1))
    run.add(snap("alpha-bank", "x", "alpha", "2026-03-01", 800))
    run.flush()
    assert run.held() == 0 and (run.path / "snapshots.part0001.parquet").exists()
    run.add(snap("bravo-ins", "x", "bravo", "2026-03-01", 8))
    run.commit()
    (landed,) = complete_runs(paths.landing)
    assert landed.manifest["status"] == "complete"
    assert landed.manifest["files"]["snapshots"]["rows"] == 2
    assert pq.read_table(landed.file("snapshots")).column("followers").to_pylist() == [800, 8]
    assert sorted(p.name for p in run.path.glob("*.parquet")) == ["snapshots.parquet"]


def test_a_full_disk_late_in_a_run_lands_the_parts_written_marked_partial(paths, tmp_path, monkeypatch):
    from tests.warehouse.conftest import REGISTRY
    from warehouse.inputs.registry import parse_registry, save_registry

    (tmp_path / "registry.csv").write_text(REGISTRY)
    save_registry(parse_registry(tmp_path / "registry.csv"), paths.registry)
    run = LandingRun(paths.landing, "collect", dt.date(2026, 3, 1))
    run.add(snap("alpha-bank", "x", "alpha", "2026-03-01", 800))
    run.flush()
    run.add(snap("bravo-ins", "x", "bravo", "2026-03-01", 8))
    run.flush()
    fill_the_disk_after(monkeypatch, 0)
    run.add(snap("charlie-bank", "x", "charlie", "2026-03-01", 5))  # collected after the disk filled
    run.commit()
    (landed,) = complete_runs(paths.landing)
    assert landed.manifest["status"] == "partial"
    assert (
        "1 records collected after the last part written were not landed"
        in landed.manifest["stats"]["not_landed"]
    )
    entry = landed.manifest["files"]["snapshots"]
    assert entry["rows"] == 2 and [p["path"] for p in entry["parts"]] == [
        "snapshots.part0001.parquet",
        "snapshots.part0002.parquet",
    ]
    monkeypatch.undo()
    result = build(paths)
    assert result.quarantined == () and result.snapshots == 2


def test_collect_keeps_the_platforms_landed_before_the_disk_filled(server, client, env, paths, monkeypatch):
    write_registry(paths, [NORTHWIND])
    serve_all(server)
    # the first platform done lands its records (five kinds at most), then the disk is full
    done: list[str] = []
    real_flush = LandingRun.flush

    def flush(self):
        real_flush(self)
        done.append("flushed")
        fill_the_disk_after(monkeypatch, 0)

    monkeypatch.setattr(LandingRun, "flush", flush)
    lines: list[str] = []
    result = collect(paths, client=client, now=NOW, env=env, log=lines.append)
    (run,) = complete_runs(paths.landing)
    assert run.manifest["status"] == "partial" and result.status == "partial" and result.exit_code == 3
    assert "were not landed" in run.manifest["stats"]["not_landed"]
    assert any("no space left to land its records as it went" in line for line in lines)
    landed = [row for path in run.files("snapshots") for row in pq.read_table(path).to_pylist()]
    # the first platform's count is kept; the API calls of the others were not lost for nothing:
    # their count is said lost in the manifest
    assert len(landed) == 1 and landed[0]["followers"] > 0
    assert done[0] == "flushed"
