"""The one platform table: every api row has a collector, and no module re-types the platform list."""

from __future__ import annotations

import ast
import re
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
    searched = [p.name for p in platforms.PLATFORM_TABLE if p.searched]
    assert sorted(searched) == sorted(s.platform for s in collectors.SEARCH_SOURCES)
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


# -- platforms named outside the table ------------------------------------------------------------

# Product code: what a user runs. The collectors (one module per platform) and the table itself
# name platforms by design; tests/ and benchmarks/ are not product code (their fixtures and local
# platform servers answer as one platform each) and are not counted.
PRODUCT = ("finsocial", "warehouse", "dashboard", "synth", "localservers")
NOT_COUNTED = ("warehouse/domain/platforms.py",)
# String constants that spell a platform's name but mean something else there: plotly's x axis.
NOT_PLATFORMS = {
    "dashboard/charts.py": {"x"},
    "dashboard/textwidth.py": {"x"},
}  # an axis; the letter x's width


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def platform_literals(folders: tuple[str, ...] = PRODUCT, root: Path = ROOT) -> list[tuple[str, int, str]]:
    """(file, line, name) of every platform named literally in the .py and .sql files of `folders`:
    a Python string that is a platform's name (in a list, dict, comparison, call: anywhere but a
    docstring), or a quoted 'name' in SQL (in a .sql file or a Python string).

    Count: PYTHONPATH=. .venv/bin/python -c "from tests.test_platforms import platform_literals as f; print(len(f()))"
    (83 before issue 19, 19 after; benchmarks/: f(("benchmarks",)), 54).
    """
    names = set(platforms.PLATFORMS)
    quoted = re.compile(r"'(" + "|".join(sorted(names)) + r")'")
    anywhere = re.compile(r"['\"](" + "|".join(sorted(names)) + r")['\"]")
    found = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            where = path.relative_to(root).as_posix()
            if where in NOT_COUNTED or path.suffix not in (".py", ".sql"):
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".sql":
                for lineno, line in enumerate(text.splitlines(), 1):
                    found += [(where, lineno, m) for m in quoted.findall(line.split("--")[0])]
                continue
            if not anywhere.search(text):
                continue  # no quoted name at all: nothing to parse
            tree = ast.parse(text)
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
                    continue
                if node.value in names and node.value not in NOT_PLATFORMS.get(where, ()):
                    found.append((where, node.lineno, node.value))
                else:
                    found += [(where, node.lineno, m) for m in quoted.findall(node.value)]
    return sorted(found)


# What still names a platform, and why: the demo's industry profiles (with the published figures it
# is calibrated against) and planted outages, and the platforms whose collectors sample followers or
# read no threads (capabilities of collector classes, which synth may not import).
NAMED = {
    "synth/spec.py": 9,
    "synth/specs.py": 2,  # the demo's planted outages
    "synth/audience.py": 3,
    "synth/webcare.py": 1,
}


def test_platforms_are_named_only_on_their_rows():
    """A platform's behaviour is on its row: a platform named anywhere else in product code (in a
    list, a dict, a comparison or SQL) fails here; derive it from warehouse/domain/platforms.py."""
    from collections import Counter

    found = platform_literals()
    assert dict(Counter(where for where, _, _ in found)) == NAMED, found
    assert len(found) <= 20


def test_the_count_sees_dicts_comparisons_and_sql(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(
        '"""Docstrings may say \'youtube\' and youtube."""\n'
        'LIMITS = {"youtube": 1}\n'
        'def f(p):\n    return p == "tiktok"\n'
        "SQL = \"SELECT * FROM t WHERE platform = 'bluesky'\"\n"
        'OTHER = ("youtubers", "X")\n'
    )
    (tmp_path / "pkg" / "q.sql").write_text(
        "-- 'mastodon' in a comment is for readers\nSELECT 1 WHERE platform IN ('x', 'threads')\n"
    )
    assert platform_literals(("pkg",), tmp_path) == [
        ("pkg/m.py", 2, "youtube"),
        ("pkg/m.py", 4, "tiktok"),
        ("pkg/m.py", 5, "bluesky"),
        ("pkg/q.sql", 2, "threads"),
        ("pkg/q.sql", 2, "x"),
    ]


# A handle of each platform, as a registry gives it, and its normal form: a new row needs one.
HANDLE_EXAMPLES = {
    "bluesky": ("@Northwind.bsky.social", "northwind.bsky.social"),
    "mastodon": ("@News@Bank.example", "news@bank.example"),
    "youtube": ("NorthwindBank", "@northwindbank"),
    "x": ("@NorthwindBank", "northwindbank"),
    "facebook": ("NorthwindBank", "northwindbank"),
    "instagram": ("@northwind.bank", "northwind.bank"),
    "linkedin": ("northwind-bank", "company/northwind-bank"),
    "tiktok": ("@northwind", "northwind"),
    "threads": ("@northwind.bank", "northwind.bank"),
}


def test_every_row_has_a_handle_grammar_that_reads_its_own_profile_urls():
    from warehouse.domain.handles import normalize_handle, parse_profile_url, profile_url

    assert sorted(HANDLE_EXAMPLES) == sorted(platforms.PLATFORMS)
    for name, (given, normal) in HANDLE_EXAMPLES.items():
        assert normalize_handle(name, given) == normal
        url = profile_url(name, normal)
        assert parse_profile_url(url) == (name, normal), url
        assert normalize_handle(name, url) == normal
        for other in platforms.PLATFORMS:
            if other != name and parse_profile_url(url) is not None:
                try:
                    normalize_handle(other, url)
                except ValueError as exc:
                    assert f"is a {name} URL, not {other}" in str(exc)
                else:
                    raise AssertionError(f"{url} read as a {other} handle")


def test_behaviour_on_the_rows():
    from warehouse.domain.webcare import webcare_targets

    by_name = platforms.PLATFORM_BY_NAME
    # the README's Anomalies section: 20% and 1,000 followers, Bluesky 25%/500, Mastodon 25%/200
    assert {p.name: p.anomaly for p in platforms.PLATFORM_TABLE if p.anomaly != (20.0, 1000)} == {
        "bluesky": (25.0, 500),
        "mastodon": (25.0, 200),
    }
    # ABN AMRO's targets: 15 minutes on X, 30 on Facebook, 60 elsewhere
    assert webcare_targets(["x", "facebook", "youtube"]) == {"x": 15.0, "facebook": 30.0, "youtube": 60.0}
    assert by_name["youtube"].rounding == "subscribers to 3 significant figures"
    assert all(bool(p.rounding) == p.rounds for p in platforms.PLATFORM_TABLE)
