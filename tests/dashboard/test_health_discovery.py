"""Data health counts a discover's unreadable websites apart from accounts that failed to collect."""

from __future__ import annotations

from click.testing import CliRunner

from finsocial.cli import cli
from tests.dashboard.conftest import page, texts
from tests.warehouse.conftest import REGISTRY, at, land, snap
from warehouse.infra.paths import DataPaths
from warehouse.landing.records import RunError


def test_discovery_failures_are_not_accounts_failed(tmp_path, monkeypatch):
    (tmp_path / "registry.csv").write_text(REGISTRY)
    db = tmp_path / "data" / "finsocial.duckdb"
    assert (
        CliRunner()
        .invoke(cli, ["--db", str(db), "registry", "import", str(tmp_path / "registry.csv")])
        .exit_code
        == 0
    )
    paths = DataPaths(db)
    failed = RunError("delta-bank", "x", "delta", "http_error", "server error HTTP 503", at("2026-03-31"))
    land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-31", 1000), failed])
    websites = [
        RunError(i, "website", None, "http_error", f"https://{i}.example/: HTTP 500", at("2026-03-31", 5))
        for i in ("alpha-bank", "bravo-ins", "charlie-bank")
    ]
    land(paths, websites, kind="discover")
    assert CliRunner().invoke(cli, ["--db", str(db), "build"]).exit_code == 0
    monkeypatch.setenv("FINSOCIAL_DB", str(db))
    shown = page("health")
    assert not shown.exception, shown.exception
    failed_metric = next(m for m in shown.metric if m.label == "Accounts failed in the last collect")
    assert (failed_metric.value, failed_metric.delta) == ("1", "of 2 tried")
    assert "could not read 3 website(s)" in texts(shown)
