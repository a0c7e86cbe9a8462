"""The data health page shows runs moved to the quarantine, with the reason."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dashboard.conftest import page, texts
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
from warehouse.landing.records import Snapshot
from warehouse.landing.runs import LandingRun

pytestmark = pytest.mark.timeout(120)


def test_health_lists_a_quarantined_run_with_its_reason(tmp_path, use_db):
    paths = DataPaths.resolve(tmp_path / "finsocial.duckdb")
    paths.ensure()
    build(paths)
    use_db(paths.db)
    at = page("health")
    assert not at.exception and "Runs in the quarantine" not in texts(at)  # nothing to show
    run = LandingRun(paths.landing, "import", dt.date(2026, 3, 1))
    now = dt.datetime(2026, 3, 1, 4, tzinfo=dt.UTC)
    run.add(Snapshot("alpha", "linkedin", None, dt.date(2026, 3, 1), now, followers=5, method="manual"))
    run.commit()
    (run.path / "snapshots.parquet").write_bytes(b"PAR1 cut")
    (moved,) = build(paths).quarantined
    at = page("health")
    assert not at.exception
    assert "Runs in the quarantine" in texts(at)
    table = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert list(table["Run"]) == [run.run_id] and list(table["State"]) == ["damaged"]
    assert "snapshots.parquet: not a readable Parquet file" in table["Reason"].iloc[0]
