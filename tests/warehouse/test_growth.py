"""Growth over 30, 90 and 365 days with as-of baselines, worked out by hand on quarterly counts."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tests.warehouse.conftest import land, snap
from warehouse.build.builder import build
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.read import queries

T = dt.date(2026, 3, 31)  # t-90 = 2025-12-31 (31 + 28 + 31 days), t-365 = 2025-03-31


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from tests.warehouse.conftest import REGISTRY
    from warehouse.infra.paths import DataPaths

    root = tmp_path_factory.mktemp("growth")
    paths = DataPaths(root / "data" / "finsocial.duckdb")
    paths.ensure()
    (root / "registry.csv").write_text(REGISTRY)
    save_registry(parse_registry(root / "registry.csv"), paths.registry)
    land(
        paths,
        [
            # alpha publishes counts only at quarter ends
            snap("alpha-bank", "x", "alpha", "2025-03-31", 1000),
            snap("alpha-bank", "x", "alpha", "2025-06-30", 1100),
            snap("alpha-bank", "x", "alpha", "2025-09-30", 1250),
            snap("alpha-bank", "x", "alpha", "2025-12-31", 1400),
            snap("alpha-bank", "x", "alpha", "2026-03-31", 1600),
            # bravo: the 90-day baseline exactly 14 days older than t-90 (allowed)
            snap("bravo-ins", "x", "bravo", "2025-12-17", 2000),
            snap("bravo-ins", "x", "bravo", "2026-03-31", 2100),
            # charlie: 15 days older than t-90: no 90-day baseline
            snap("charlie-bank", "x", "charlie", "2025-12-16", 2000),
            snap("charlie-bank", "x", "charlie", "2026-03-31", 2100),
            # delta: the 365-day baseline exactly 31 days older than t-365, 2025-02-28 (allowed)
            snap("delta-bank", "x", "delta", "2025-02-28", 5000),
            snap("delta-bank", "x", "delta", "2026-03-31", 5500),
            # echo: 32 days older than t-365: no 365-day baseline
            snap("echo-cu", "x", "echo", "2025-02-27", 5000),
            snap("echo-cu", "x", "echo", "2026-03-31", 5500),
        ],
    )
    build(paths)
    con = duckdb.connect(str(paths.db), read_only=True)
    yield con
    con.close()


def growth(con, handle: str, day: dt.date = T) -> tuple:
    return con.execute(
        "SELECT followers, growth_30d, growth_90d, growth_90d_pct, growth_365d, growth_365d_pct"
        " FROM account_metrics JOIN accounts USING (account_id) WHERE handle = ? AND day = ?",
        [handle, day],
    ).fetchone()


def test_quarterly_counts_meet_the_90_and_365_day_baselines(warehouse):
    # 1600 - 1400 (2025-12-31) = 200 = 14.29%; 1600 - 1000 (2025-03-31) = 600 = 60%; no 30-day base
    assert growth(warehouse, "alpha") == (1600, None, 200, pytest.approx(200 / 14), 600, 60.0)
    # 2025-12-31: t-90 = 2025-10-02, so the 2025-09-30 count (2 days older) is the baseline:
    # 1400 - 1250 = 150 = 12%; t-365 = 2024-12-31 has no count
    assert growth(warehouse, "alpha", dt.date(2025, 12, 31)) == (1400, None, 150, 12.0, None, None)
    # mid-quarter, 2026-02-15: t-90 = 2025-11-17, and the latest count before it is 48 days older
    assert growth(warehouse, "alpha", dt.date(2026, 2, 15)) == (1400, None, None, None, None, None)
    # 2026-03-30: t-90 = 2025-12-30; 2025-09-30 is 91 days older; t-365 = 2025-03-30 has no count
    assert growth(warehouse, "alpha", dt.date(2026, 3, 30)) == (1400, None, None, None, None, None)


def test_the_tolerance_scales_with_the_window(warehouse):
    assert growth(warehouse, "bravo")[2:4] == (100, 5.0)  # 14 days older than t-90
    assert growth(warehouse, "charlie")[2:4] == (None, None)  # 15 days older
    assert growth(warehouse, "delta")[4:6] == (500, 10.0)  # 31 days older than t-365
    assert growth(warehouse, "echo")[4:6] == (None, None)  # 32 days older


def test_growth_windows_rank_in_league_tables(warehouse):
    table = queries.league_table(warehouse, "x", "growth_365d_pct", as_of=T)
    # alpha 60%, delta 10%, then bravo, charlie and echo without a baseline share no value
    assert list(zip(table["institution_id"], table["rank"], strict=True))[:2] == [
        ("alpha-bank", 1),
        ("delta-bank", 2),
    ]
    assert table["value"].iloc[2:].isna().all()
    quarter = queries.league_table(warehouse, "all", "growth_90d", as_of=T)
    assert list(quarter["value"][:2]) == [200, 100]  # alpha, bravo; 'all' sums one account each
