"""The one platform table: every api row has a collector, and no module re-types the platform list."""

from __future__ import annotations

import ast
from pathlib import Path

import collectors
from collectors import COLLECTOR_BY_PLATFORM, unmatched_platforms
from dashboard import charts
from warehouse.domain import platforms
from warehouse.domain.metrics import DEFAULT_POWER_WEIGHTS
from warehouse.inputs.registry import HANDLE_COLUMNS
from warehouse.landing import records
from warehouse.read.report import PLATFORM_NAMES

ROOT = Path(__file__).parents[1]


def test_every_api_row_has_a_collector_and_every_collector_a_row():
    assert unmatched_platforms() == ([], [])
    assert sorted(COLLECTOR_BY_PLATFORM) == sorted(platforms.API_PLATFORMS)
    for name in platforms.IMPORT_PLATFORMS:
        assert name not in COLLECTOR_BY_PLATFORM  # import rows come in through import-counts


def test_a_missing_collector_or_row_is_reported(monkeypatch):
    by_platform = {k: v for k, v in COLLECTOR_BY_PLATFORM.items() if k != "youtube"}
    by_platform["myspace"] = object
    monkeypatch.setattr(collectors, "COLLECTOR_BY_PLATFORM", by_platform)
    assert unmatched_platforms() == (["youtube"], ["myspace"])


def test_everything_derives_from_the_table():
    names = tuple(p.name for p in platforms.PLATFORM_TABLE)
    assert records.PLATFORMS == names == HANDLE_COLUMNS
    assert set(records.API_PLATFORMS) | set(platforms.IMPORT_PLATFORMS) == set(names)
    assert PLATFORM_NAMES["youtube"] == "YouTube" and PLATFORM_NAMES["all"] == "All platforms"
    assert set(charts.PLATFORM_COLORS) == {"all", *names}
    assert len(set(charts.PLATFORM_COLORS.values())) == len(charts.PLATFORM_COLORS)  # told apart
    assert DEFAULT_POWER_WEIGHTS["youtube"] == ("views_total", 15000)
    assert list(DEFAULT_POWER_WEIGHTS) == list(platforms.DISPLAY_ORDER)
    assert sorted(p.order for p in platforms.PLATFORM_TABLE) == list(range(1, len(names) + 1))
    for row in platforms.PLATFORM_TABLE:
        assert set(row.counts) <= set(platforms.COUNTS) and "followers" in row.counts
        assert row.power_weight[0] in row.counts
    assert [p.name for p in platforms.PLATFORM_TABLE if p.rounds] == ["youtube"]


def test_display_order_and_case_insensitive_choice():
    assert platforms.display_sorted(["x", "bluesky", "facebook", "zzz"]) == [
        "facebook",
        "x",
        "bluesky",
        "zzz",
    ]
    assert platforms.platform_choice("Instagram") == "instagram"
    assert platforms.platform_choice("ALL") == "all"
    assert platforms.platform_choice("myspace") is None


def test_no_module_types_the_platform_list_again():
    """A list, tuple or set literal of four or more platform names is a re-typed list: derive it."""
    offenders = []
    for folder in ("finsocial", "warehouse", "collectors", "dashboard", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "platforms.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                    values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                    if len(values & set(platforms.PLATFORMS)) >= 4:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
