"""A damaged run is moved to the quarantine with its reason; the build goes on with the rest."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.warehouse.conftest import land, post, snap
from warehouse.build.builder import build
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.inputs.targets import collection_targets
from warehouse.landing.compact import compact, compacted_months
from warehouse.landing.quarantine import RunNotFound, quarantined, restore, retract
from warehouse.landing.records import Account
from warehouse.landing.runs import LandingRun, complete_runs, scan_runs


def rows(db, sql: str) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def two_runs(paths, registry_file):
    """Two collect runs of two days, built once: 2 snapshots in the warehouse."""
    save_registry(parse_registry(registry_file), paths.registry)
    first = land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-01", 800)], day="2026-03-01")
    second = land(
        paths,
        [
            snap("alpha-bank", "x", "alpha", "2026-03-02", 900),
            post("alpha-bank", "x", "alpha", "p1", "2026-03-02", likes=5),
        ],
        day="2026-03-02",
    )
    result = build(paths)
    assert result.snapshots == 2 and not result.quarantined
    return paths, first, second


def truncate(path, keep: int = 20) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def check_quarantined(paths, run, fragment: str):
    """Build: the damaged run is aside, named with its reason, and the rest is built."""
    result = build(paths)
    (moved,) = result.quarantined
    assert moved.run_id == run.run_id and fragment in moved.reason
    assert not run.path.exists() and moved.path.exists()
    assert rows(paths.db, "SELECT count(*) FROM account_snapshots") == [(1,)]
    ((run_id, reason, retracted),) = rows(paths.db, "SELECT run_id, reason, retracted FROM quarantined_runs")
    assert run_id == run.run_id and fragment in reason and retracted is False
    # the next build does not report it again, and keeps it listed
    again = build(paths)
    assert again.quarantined == () and again.in_quarantine == 1
    return moved


def test_a_truncated_manifest_is_named_not_ignored(two_runs):
    paths, first, second = two_runs
    truncate(second.path / "manifest.json", 40)
    moved = check_quarantined(paths, second, "manifest.json: not valid JSON")
    assert str(second.path / "manifest.json") in moved.reason


def test_a_manifest_of_another_shape_is_damage(two_runs):
    paths, first, second = two_runs
    (second.path / "manifest.json").write_text("[1, 2]")
    check_quarantined(paths, second, "not a manifest")


def test_a_truncated_parquet_file_is_quarantined(two_runs):
    paths, first, second = two_runs
    truncate(second.path / "snapshots.parquet")
    moved = check_quarantined(paths, second, "snapshots.parquet: not a readable Parquet file")
    assert rows(paths.db, "SELECT followers FROM account_snapshots") == [(800,)]
    assert rows(paths.db, "SELECT count(*) FROM posts") == [(0,)]  # nothing of the run is half-read
    assert (moved.path / "posts.parquet").exists()  # moved whole, nothing deleted


def test_a_missing_parquet_file_is_quarantined(two_runs):
    paths, first, second = two_runs
    (second.path / "posts.parquet").unlink()
    check_quarantined(paths, second, "posts.parquet: listed in the manifest but missing")


def test_a_parquet_file_of_other_records_is_quarantined(two_runs):
    paths, first, second = two_runs
    # a whole, readable file that is not the one the manifest counted (a mixed-up cache restore)
    pq.write_table(
        pq.read_table(second.path / "snapshots.parquet").slice(0, 0), second.path / "snapshots.parquet"
    )
    check_quarantined(paths, second, "holds 0 records, the manifest says 1")


def test_a_damaged_discover_run_does_not_stop_collection_targets(paths, registry_file):
    save_registry(parse_registry(registry_file), paths.registry)
    run = LandingRun(paths.landing, "discover", dt.date(2026, 3, 1))
    run.add(
        Account(
            "bravo-ins",
            "mastodon",
            "@bravo@social.example",
            None,
            None,
            "discovered",
            "https://bravo.example/",
        )
    )
    run.commit(stats={"institutions": ["bravo-ins"]})
    assert ("mastodon", "@bravo@social.example") in {
        (t.platform, t.handle) for t in collection_targets(parse_registry(registry_file), paths.landing)
    }
    truncate(run.path / "accounts.parquet")
    targets = collection_targets(parse_registry(registry_file), paths.landing)  # no traceback
    assert "bravo-ins" not in {t.institution_id for t in targets if t.platform == "mastodon"}
    result = build(paths)
    assert [q.run_id for q in result.quarantined] == [run.run_id]
    assert "accounts.parquet" in result.quarantined[0].reason


def test_retract_and_restore_a_run(two_runs):
    paths, first, second = two_runs
    entry = retract(paths.landing, first.run_id, "counts from a broken proxy")
    assert entry.retracted and not first.path.exists()
    assert [r.run_id for r in complete_runs(paths.landing)] == [second.run_id]
    result = build(paths)
    assert result.quarantined == () and result.in_quarantine == 1  # retracted is not damage
    assert rows(paths.db, "SELECT followers FROM account_snapshots") == [(900,)]
    assert rows(paths.db, "SELECT reason, retracted FROM quarantined_runs") == [
        ("counts from a broken proxy", True)
    ]
    assert restore(paths.landing, first.run_id) == first.path
    assert quarantined(paths.landing) == []
    assert build(paths).snapshots == 2
    with pytest.raises(RunNotFound, match="no run nope"):
        retract(paths.landing, "nope")
    with pytest.raises(RunNotFound, match="not in the quarantine|no run"):
        restore(paths.landing, first.run_id)


def test_restore_refuses_a_run_still_damaged_and_takes_a_repaired_one(two_runs):
    paths, first, second = two_runs
    good = (second.path / "manifest.json").read_bytes()
    truncate(second.path / "manifest.json", 40)
    (moved,) = build(paths).quarantined
    with pytest.raises(ValueError, match="still damaged"):
        restore(paths.landing, second.run_id)
    (still,) = quarantined(paths.landing)  # back in the quarantine, the note kept
    assert "not valid JSON" in still.reason
    (still.path / "manifest.json").write_bytes(good)  # the operator repairs it from a backup
    assert restore(paths.landing, second.run_id) == second.path
    assert build(paths).snapshots == 2


def test_a_damaged_compacted_month_is_quarantined_and_compaction_refuses(two_runs):
    paths, first, second = two_runs
    compact(paths.landing, before=dt.date(2026, 4, 1), log=lambda m: None)
    (month,) = compacted_months(paths.landing)
    truncate(month.path / "compacted.json", 30)
    land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-03", 950)], day="2026-03-03")
    with pytest.raises(RuntimeError, match="compacted.json: cannot be read.*nothing was compacted"):
        compact(paths.landing, before=dt.date(2026, 4, 1), log=lambda m: None)
    result = build(paths)
    assert [q.origin for q in result.quarantined] == ["compacted/2026-03"]
    assert rows(paths.db, "SELECT followers FROM account_snapshots") == [(950,)]


def test_a_run_whose_manifest_names_another_folder_is_damage(paths):
    run = land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-01", 800)], day="2026-03-01")
    manifest = json.loads((run.path / "manifest.json").read_text())
    (run.path / "manifest.json").write_text(json.dumps({**manifest, "run_id": "other"}))
    good, damaged = scan_runs(paths.landing)
    assert good == [] and "names run 'other'" in damaged[0].reason


def test_an_unreadable_quarantine_note_still_lists_the_run(two_runs):
    paths, first, second = two_runs
    entry = retract(paths.landing, first.run_id)
    (entry.path / "quarantined.json").write_text("{")
    (listed,) = quarantined(paths.landing)
    assert listed.run_id == first.run_id and "cannot be read" in listed.reason


def test_pyarrow_reads_what_the_manifest_check_accepts(two_runs):
    paths, first, second = two_runs
    assert pq.read_table(second.path / "snapshots.parquet").num_rows == 1
    assert isinstance(pq.read_table(second.path / "posts.parquet"), pa.Table)


# -- a full disk ---------------------------------------------------------------------------------


def test_a_full_disk_during_build_names_the_file_and_keeps_the_warehouse(two_runs, monkeypatch):
    import errno

    from warehouse.build import builder as build_module
    from warehouse.infra.files import DiskFull

    paths, first, second = two_runs
    land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-03", 950)], day="2026-03-03")
    real = build_module._load_weights

    def full(con, *args):
        real(con, *args)
        raise duckdb.IOException('Could not write file "finsocial.duckdb.next": No space left on device')

    monkeypatch.setattr(build_module, "_load_weights", full)
    with pytest.raises(DiskFull) as info:
        build(paths)
    message = str(info.value)
    assert message.startswith(f"no space left on the device of {paths.next_db}")
    assert f"the serving warehouse {paths.db} is unchanged" in message
    assert info.value.errno == errno.ENOSPC and not paths.next_db.exists()
    assert rows(paths.db, "SELECT followers FROM account_snapshots ORDER BY 1") == [(800,), (900,)]


def test_a_full_disk_while_landing_a_run_says_what_was_not_landed(paths, monkeypatch):
    import errno

    from warehouse.infra.files import DiskFull
    from warehouse.landing import runs as runs_module

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runs_module.pq, "write_table", full)
    run = LandingRun(paths.landing, "collect", dt.date(2026, 3, 1))
    run.extend(
        [
            snap("alpha-bank", "x", "alpha", "2026-03-01", 800),
            snap("bravo-ins", "x", "bravo", "2026-03-01", 8),
        ]
    )
    with pytest.raises(
        DiskFull, match=r"no space left on the device of .*collect run's 2 records could not be written"
    ):
        run.commit()
    assert complete_runs(paths.landing) == []


def test_a_full_disk_at_commit_drops_the_raw_payloads_and_lands_the_records(paths, monkeypatch):
    import errno

    from warehouse.landing import runs as runs_module

    run = LandingRun(paths.landing, "collect", dt.date(2026, 3, 1))
    run.add_raw("x", "users-by", {"data": ["x" * 1000]})
    run.extend([snap("alpha-bank", "x", "alpha", "2026-03-01", 800)])
    real = runs_module.pq.write_table

    def full_while_raw_is_kept(table, where, **kw):
        if (run.path / "raw").exists():
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, **kw)

    monkeypatch.setattr(runs_module.pq, "write_table", full_while_raw_is_kept)
    run.commit()
    (landed,) = complete_runs(paths.landing)
    assert "raw payloads were dropped to land its records" in landed.manifest["stats"]["raw_payloads"]
    assert pq.read_table(landed.file("snapshots")).column("followers").to_pylist() == [800]
    assert not (run.path / "raw").exists()


def test_a_full_disk_while_keeping_raw_payloads_stops_keeping_them(paths, monkeypatch):
    import errno
    import pathlib

    run = LandingRun(paths.landing, "collect", dt.date(2026, 3, 1))
    assert run.add_raw("x", "first", {"a": 1}) is not None

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(pathlib.Path, "write_bytes", full)
        assert run.add_raw("x", "second", {"a": 2}) is None  # no exception: the collector goes on
    assert run.add_raw("x", "third", {"a": 3}) is None  # and keeps none after it
    run.extend([snap("alpha-bank", "x", "alpha", "2026-03-01", 800)])
    run.commit()
    (landed,) = complete_runs(paths.landing)
    assert "raw payloads after #1 not kept" in landed.manifest["stats"]["raw_payloads"]
    assert len(list((run.path / "raw").rglob("*.json.gz"))) == 1


def test_runs_started_in_the_same_second_list_in_the_order_they_started(paths):
    """A run id orders by its second only (its suffix is random): within a second the manifests'
    start times decide, so a retracted and restored run goes back to its place, not by chance."""
    at = dt.datetime(2026, 3, 2, 10, 37, 18, tzinfo=dt.UTC)
    landed = []
    for n, suffix in enumerate(("ffffff", "000000", "7a7a7a")):
        run = LandingRun(
            paths.landing,
            "collect",
            dt.date(2026, 3, 2),
            started_at=at + dt.timedelta(microseconds=100 * (n + 1)),
            run_id=f"20260302T103718Z-{suffix}",
        )
        run.extend([snap("alpha-bank", "x", "alpha", "2026-03-02", 900 + n)])
        run.commit()
        landed.append(run.run_id)
    assert [r.run_id for r in complete_runs(paths.landing)] == landed
    retract(paths.landing, landed[0], "a broken proxy")
    restore(paths.landing, landed[0])
    assert [r.run_id for r in complete_runs(paths.landing)] == landed
