"""A build lists the landing zone once: each landed manifest opened once, each Parquet footer read once."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.warehouse.conftest import land, snap
from warehouse.build.builder import build
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.landing import runs as landing_runs
from warehouse.landing.catalogue import Catalogue
from warehouse.landing.compact import compact
from warehouse.landing.quarantine import list_runs
from warehouse.landing.records import Account
from warehouse.landing.runs import LandingRun

# Opened files are counted through Python's audit hook ("open" events of open() and Path.read_*);
# a hook cannot be removed, so it counts only while a test holds the list.
_OPENED: list[list[str]] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _OPENED and isinstance(args[0], (str, Path)):
        _OPENED[-1].append(str(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def opened():
    """The paths opened while the test runs."""
    paths: list[str] = []
    _OPENED.append(paths)
    yield paths
    _OPENED.remove(paths)


@pytest.fixture
def footers(monkeypatch):
    """The Parquet files whose footer the landing checks read."""
    read: Counter = Counter()
    real = pq.read_metadata

    def counted(path, *args, **kwargs):
        read[str(path)] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(landing_runs.pq, "read_metadata", counted)
    return read


@pytest.fixture
def landing(paths, registry_file):
    """A compacted month of two runs, a collect run and a discover run in their folders, and a
    damaged run (its snapshots cut short)."""
    save_registry(parse_registry(registry_file), paths.registry)
    land(paths, [snap("alpha-bank", "x", "alpha", "2026-02-01", 800)], day="2026-02-01")
    land(paths, [snap("alpha-bank", "x", "alpha", "2026-02-02", 810)], day="2026-02-02")
    compact(paths.landing, before=dt.date(2026, 3, 1), log=lambda m: None)
    land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-01", 900)], day="2026-03-01")
    discover = LandingRun(paths.landing, "discover", dt.date(2026, 3, 1))
    discover.add(Account("bravo-ins", "mastodon", "bravo@social.example", None, None, found_via="discovered"))
    discover.commit(stats={"institutions": ["bravo-ins"]})
    bad = land(paths, [snap("delta-bank", "x", "delta", "2026-03-02", 5)], day="2026-03-02")
    snapshots = bad.path / "snapshots.parquet"
    snapshots.write_bytes(snapshots.read_bytes()[:20])
    return paths, discover, bad


def test_a_build_opens_each_landed_manifest_once(landing, opened, footers):
    paths, discover, bad = landing
    result = build(paths)
    assert [q.run_id for q in result.quarantined] == [bad.run_id]
    assert result.snapshots == 3 and result.runs == 4  # two compacted, the collect and the discover
    manifests = Counter(p for p in opened if p.endswith(("manifest.json", "compacted.json")))
    landed = [str(p) for p in paths.landing.glob("*/*/manifest.json")]
    month = str(paths.landing / "compacted" / "2026-02" / "compacted.json")
    assert len(landed) == 2  # the collect and discover runs (the damaged one went aside)
    assert manifests == {**dict.fromkeys(landed, 1), month: 1, str(bad.path / "manifest.json"): 1}
    # each footer read once: the collect and discover runs' files, the month's, the damaged file
    assert footers and set(footers.values()) == {1}, footers
    assert str(discover.path / "accounts.parquet") in footers
    # the discovered account reached the build through the same listing
    import duckdb

    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        assert con.execute(
            "SELECT found_via FROM accounts WHERE institution_id = 'bravo-ins' AND platform = 'mastodon'"
        ).fetchall() == [("discovered",)]
    finally:
        con.close()


def test_the_catalogue_is_what_the_listings_read(landing):
    paths, discover, bad = landing
    catalogue = Catalogue.read(paths.landing)
    assert [d.run_id for d in catalogue.damaged] == [bad.run_id]
    assert [m.path.name for m in catalogue.months] == ["2026-02"]
    assert sorted(r.manifest["kind"] for r in catalogue.build_runs()) == ["collect", "discover"]
    assert len(catalogue.manifests()) == 4
    listed = list_runs(catalogue)
    assert listed == list_runs(paths.landing)
    assert [r.where for r in listed].count("compacted/2026-02") == 2
