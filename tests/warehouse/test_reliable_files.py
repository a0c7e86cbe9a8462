"""Damaged bytes: a landed file with a flipped byte is a quarantined run with its reason, never a
wrong number or a failed build; a damaged kept warehouse (.prev) is never built on."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from tests.warehouse.conftest import land, post, snap
from tests.warehouse.test_incremental import assert_equals_full_build, info
from tests.warehouse.test_reliable_builds import installed, one  # noqa: F401 (a fixture)
from warehouse.build.builder import build
from warehouse.landing.compact import compact
from warehouse.landing.quarantine import quarantined
from warehouse.landing.runs import complete_runs

ALPHA = ("alpha-bank", "x", "alpha")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digest_file(db: Path) -> Path:
    return db.with_name(db.name + ".sha256")


def flip(path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at % len(data)] ^= 0x01
    path.write_bytes(bytes(data))


def test_every_landed_file_has_its_sha256_in_its_manifest(installed):  # noqa: F811
    land(installed, [snap(*ALPHA, "2026-03-01", 800), post(*ALPHA, "p1", "2026-03-01", likes=3)])
    (landed,) = complete_runs(installed.landing)
    files = landed.manifest["files"]
    assert set(files) == {"snapshots", "posts"}
    for entry in files.values():
        assert entry["sha256"] == file_sha256(landed.path / entry["path"])
    compact(installed.landing, before=dt.date(2099, 1, 1), log=lambda m: None)
    month = next((installed.landing / "compacted").iterdir())
    index = json.loads((month / "compacted.json").read_text())
    for entry in index["files"].values():
        assert entry["sha256"] == file_sha256(month / entry["path"])


@pytest.mark.parametrize("where", ["middle", "before the footer", "footer"])
def test_a_flipped_byte_in_a_landed_file_quarantines_its_run(installed, where):  # noqa: F811
    good = land(installed, [snap(*ALPHA, "2026-03-01", 800)], day="2026-03-01")
    build(installed)
    bad = land(
        installed,
        [snap(*ALPHA, "2026-03-02", 900), post(*ALPHA, "p1", "2026-03-02", likes=12345)],
        day="2026-03-02",
    )
    target = bad.path / "posts.parquet"
    size = target.stat().st_size
    offset = {
        "start": 4,
        "middle": size // 2,
        "before the footer": size - 60,
        "footer": size - 12,
        "last byte": -1,
    }
    flip(target, offset[where])
    result = build(installed)  # never a failed build
    assert [q.run_id for q in result.quarantined] == [bad.run_id]
    (entry,) = quarantined(installed.landing)
    assert str(target) in entry.reason or "posts.parquet" in entry.reason
    # never a wrong number: the warehouse is the good run's alone
    assert one(installed.db, "SELECT list(followers ORDER BY snapshot_date) FROM account_snapshots") == (
        [800],
    )
    assert one(installed.db, "SELECT count(*) FROM posts") == (0,)
    assert [r.run_id for r in complete_runs(installed.landing)] == [good.run_id]


def test_a_flipped_byte_mid_file_is_named_by_its_checksum(installed):  # noqa: F811
    bad = land(installed, [snap(*ALPHA, f"2026-03-{d:02d}", 800 + d) for d in range(1, 29)], day="2026-03-01")
    target = bad.path / "snapshots.parquet"
    flip(target, target.stat().st_size // 2)  # the footer and the record count are intact
    result = build(installed)
    (entry,) = result.quarantined
    assert "SHA-256" in entry.reason and "the manifest says" in entry.reason


def test_a_compacted_month_with_a_flipped_byte_is_quarantined(installed):  # noqa: F811
    land(installed, [snap(*ALPHA, "2026-01-05", 700)], day="2026-01-05")
    compact(installed.landing, before=dt.date(2026, 2, 1), log=lambda m: None)
    land(installed, [snap(*ALPHA, "2026-03-01", 800)], day="2026-03-01")
    build(installed)
    land(installed, [snap(*ALPHA, "2026-01-06", 701)], day="2026-01-06")
    compact(installed.landing, before=dt.date(2026, 2, 1), log=lambda m: None)
    month = installed.landing / "compacted" / "2026-01"
    (target,) = month.glob("snapshots-*.parquet")
    flip(target, target.stat().st_size // 2)
    result = build(installed)
    assert [q.origin for q in result.quarantined] == ["compacted/2026-01"]
    assert one(installed.db, "SELECT list(followers ORDER BY snapshot_date) FROM account_snapshots") == (
        [800],
    )
    assert info(installed.db)["build_mode"] == "full"  # a built run left with its month


def test_old_manifests_without_checksums_still_build(installed):  # noqa: F811
    run = land(installed, [snap(*ALPHA, "2026-03-01", 800)], day="2026-03-01")
    manifest = json.loads((run.path / "manifest.json").read_text())
    for entry in manifest["files"].values():
        entry.pop("sha256", None)
    (run.path / "manifest.json").write_text(json.dumps(manifest))
    result = build(installed)
    assert result.quarantined == () and result.snapshots == 1


@pytest.mark.parametrize("where", [0.3, 0.7])
def test_a_damaged_previous_warehouse_is_never_built_on(installed, where):  # noqa: F811
    for day in ("2026-03-01", "2026-03-02"):
        land(installed, [snap(*ALPHA, day, 800), post(*ALPHA, f"p{day}", day, likes=3)], day=day)
        build(installed)
    assert installed.prev_db.exists() and digest_file(installed.prev_db).exists()
    flip(installed.prev_db, int(installed.prev_db.stat().st_size * where))
    land(installed, [snap(*ALPHA, "2026-03-03", 820)], day="2026-03-03")
    messages: list[str] = []
    build(installed, log=messages.append)
    assert info(installed.db)["built_on"] == "copy"
    assert any(m.startswith("not building on finsocial.duckdb.prev: its SHA-256") for m in messages), messages
    assert_equals_full_build(installed, installed.root.parent / "full")
    # the night after builds on the kept file again, which its build wrote and hashed
    land(installed, [snap(*ALPHA, "2026-03-04", 830)], day="2026-03-04")
    build(installed)
    assert info(installed.db)["built_on"] == "previous"
    assert digest_file(installed.db).read_text() == file_sha256(installed.db)
