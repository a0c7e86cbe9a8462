"""import-counts: validated like the registry; the whole file lands, or nothing does."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd
import pytest

from warehouse.build.builder import build
from warehouse.infra.csvcheck import InputError
from warehouse.inputs.counts import import_counts, parse_count
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.landing.runs import complete_runs
from warehouse.read import queries


@pytest.fixture
def installed(paths, registry_file):
    save_registry(parse_registry(registry_file), paths.registry)
    return paths


def test_parse_count_marks_abbreviations_as_rounded():
    assert parse_count("12345") == (12345, False)
    assert parse_count("12,345") == (12345, False)
    assert parse_count("733,800") == (733_800, False)
    assert parse_count("1,234,567") == (1_234_567, False)
    assert parse_count("1.2M") == (1_200_000, True)
    assert parse_count("4.3M") == (4_300_000, True)  # exactly, not 4,299,999 from a float
    assert parse_count("1.2K") == (1_200, True)
    assert parse_count("850K") == (850_000, True)
    assert parse_count("850 thousand") == (850_000, True)
    assert parse_count("1.5bn") == (1_500_000_000, True)
    assert parse_count("1.2345K") == (1_235, True)  # 1,234.5 to the nearest count, halves up
    for bad in ("-5", "1.2.3", "12 345", "lots", "1,23", "12.5", "4,3M", ""):
        with pytest.raises(ValueError):
            parse_count(bad)
    with pytest.raises(ValueError, match="declare a decimal comma with '# decimal: comma'"):
        parse_count("12.345")


def test_parse_count_with_a_decimal_comma():
    assert parse_count("12.345", decimal_comma=True) == (12_345, False)
    assert parse_count("733.800", decimal_comma=True) == (733_800, False)
    assert parse_count("1.234.567", decimal_comma=True) == (1_234_567, False)
    assert parse_count("4,3M", decimal_comma=True) == (4_300_000, True)
    assert parse_count("1,2K", decimal_comma=True) == (1_200, True)
    assert parse_count("12345", decimal_comma=True) == (12_345, False)
    for bad in ("733,800", "4.3M", "12.34"):
        with pytest.raises(ValueError, match="in a file with a decimal comma"):
            parse_count(bad, decimal_comma=True)


def test_counts_land_as_manual_snapshots(installed, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(
        "institution_id,platform,date,followers,posts_total,source\n"
        "alpha-bank,linkedin,2026-01-31,1.2M,,annual report\n"
        'bravo-ins,linkedin,2026-01-31,"45,120",310,\n'
        "alpha-bank,x,2026-01-31,1000,,\n"
    )
    import_counts(installed, path)
    build(installed)
    con = duckdb.connect(str(installed.db), read_only=True)
    rows = con.execute(
        "SELECT account_id, followers, posts_total, precision, method, source FROM account_snapshots"
        " ORDER BY account_id"
    ).fetchall()
    assert rows == [
        ("alpha-bank/linkedin/-", 1_200_000, None, "rounded", "manual", "annual report"),
        # no handle given: the count belongs to the registry's x account of alpha
        ("alpha-bank/x/alpha", 1000, None, "exact", "manual", "import: counts.csv"),
        ("bravo-ins/linkedin/-", 45_120, 310, "exact", "manual", "import: counts.csv"),
    ]


def test_a_bad_row_lands_nothing(installed, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(
        "institution_id,platform,date,followers\n"
        "alpha-bank,linkedin,2026-01-31,1000\n"
        "nobody,linkedin,2026-01-31,10\n"
        "alpha-bank,myspace,2026-01-31,10\n"
        "alpha-bank,tiktok,31/01/2026,10\n"
        "alpha-bank,tiktok,2026-01-30,\n"
        "alpha-bank,linkedin,2026-01-31,2000\n"
    )
    with pytest.raises(InputError) as info:
        import_counts(installed, path)
    found = [str(p) for p in info.value.problems]
    assert any("row 3, column institution_id: 'nobody' is not in the registry" in p for p in found)
    assert any("row 4, column platform" in p for p in found)
    assert any("row 5, column date" in p for p in found)
    assert any("row 6, column followers: no count: give at least one of followers" in p for p in found)
    assert any("row 7, column date: a second count" in p for p in found)
    assert complete_runs(installed.landing) == []


# A quarterly "most followed" table as a publisher prints it (fictional numbers), one row per bank
# and platform: Facebook page likes, X followers and tweets, YouTube subscribers and views.
PUBLISHED = """institution_id,name,platform,date,followers,posts_total,likes_total,views_total,precision,source
alpha-bank,Alpha Bank,facebook,2026-09-30,,,"733,800",,,Bank Social Q3 2026
alpha-bank,Alpha Bank,x,2026-09-30,"120,500","15,300",,,,Bank Social Q3 2026
alpha-bank,Alpha Bank,youtube,2026-09-30,"12,400",,,4.3M,,Bank Social Q3 2026
bravo-ins,Bravo Insurance,facebook,2026-09-30,,,"96,000",,,Bank Social Q3 2026
bravo-ins,Bravo Insurance,x,2026-09-30,"41,250","8,000",,,,Bank Social Q3 2026
bravo-ins,Bravo Insurance,youtube,2026-09-30,,,,"4,300,000",,Bank Social Q3 2026
charlie-bank,Charley Bank,x,2026-09-30,"41,250",1.2K,,,,Bank Social Q3 2026
charlie-bank,Charlie Bank,facebook,2026-09-30,,,"1,500",,,Bank Social Q3 2026
delta-bank,Delta Bank,youtube,2026-09-30,50,,,"15,000",rounded,Bank Social Q3 2026
"""
Q3 = dt.date(2026, 9, 30)


@pytest.fixture
def published(installed, tmp_path):
    path = tmp_path / "bank-social-q3-2026.csv"
    path.write_text(PUBLISHED)
    warnings = []
    import_counts(installed, path, warn=warnings.append)
    build(installed, weights="power100")
    con = duckdb.connect(str(installed.db), read_only=True)
    yield con, warnings
    con.close()


def test_a_published_table_imports_whole(published):
    con, warnings = published
    rows = con.execute(
        "SELECT account_id, followers, posts_total, likes_total, views_total, precision, source"
        " FROM account_snapshots ORDER BY account_id"
    ).fetchall()
    assert rows[:3] == [
        ("alpha-bank/facebook/-", None, None, 733_800, None, "exact", "Bank Social Q3 2026"),
        ("alpha-bank/x/alpha", 120_500, 15_300, None, None, "exact", "Bank Social Q3 2026"),
        ("alpha-bank/youtube/-", 12_400, None, None, 4_300_000, "rounded", "Bank Social Q3 2026"),
    ]
    # views without subscribers: followers stays unknown, not 0
    assert ("bravo-ins/youtube/-", None, None, None, 4_300_000, "exact", "Bank Social Q3 2026") in rows
    assert ("charlie-bank/x/charlie", 41_250, 1_200, None, None, "rounded", "Bank Social Q3 2026") in rows
    assert ("delta-bank/youtube/-", 50, None, None, 15_000, "rounded", "Bank Social Q3 2026") in rows
    assert len(rows) == 9
    # the row's name differs from the registry's: imported, and the user is told
    assert [str(w) for w in warnings] == [
        f"{warnings[0].file}, row 8, column name: 'Charley Bank' differs from charlie-bank's registry name "
        "'Charlie Bank'"
    ]


def ranking(con, platform: str, metric: str) -> list[tuple]:
    table = queries.league_table(con, platform, metric, as_of=Q3)
    return [
        (r, i, None if pd.isna(v) else v)
        for r, i, v in zip(table["rank"], table["institution_id"], table["value"], strict=True)
    ]


def test_each_platform_ranks_as_its_counts_imply(published):
    con, _ = published
    assert ranking(con, "x", "followers") == [
        (1, "alpha-bank", 120_500),
        (2, "bravo-ins", 41_250),  # a tie shares the rank
        (2, "charlie-bank", 41_250),
    ]
    assert ranking(con, "youtube", "views_total") == [
        (1, "alpha-bank", 4_300_000),  # 4.3M as printed ties 4,300,000
        (1, "bravo-ins", 4_300_000),
        (3, "delta-bank", 15_000),
    ]
    assert ranking(con, "youtube", "followers") == [
        (1, "alpha-bank", 12_400),
        (2, "delta-bank", 50),
        (3, "bravo-ins", None),  # no subscriber count: ranked last, not as 0
    ]
    assert ranking(con, "facebook", "likes_total") == [
        (1, "alpha-bank", 733_800),
        (2, "bravo-ins", 96_000),
        (3, "charlie-bank", 1_500),
    ]
    assert ranking(con, "x", "posts_total") == [
        (1, "alpha-bank", 15_300),
        (2, "bravo-ins", 8_000),
        (3, "charlie-bank", 1_200),
    ]
    # posts add up across platforms; page likes, views and following do not
    assert ranking(con, "all", "posts_total")[0] == (1, "alpha-bank", 15_300)
    for metric in ("likes_total", "views_total", "following"):
        with pytest.raises(ValueError, match=f"no league table by {metric} on all platforms"):
            queries.league_table(con, "all", metric, as_of=Q3)


def test_the_power_100_preset_reproduces_the_points(published):
    # alpha: 733,800/1,500 + 120,500/500 + 15,300/1,000 + 4,300,000/15,000 + 12,400/50
    #        = 489.2 + 241 + 15.3 + 286.67 + 248 = 1,280.17 -> 1,280 points
    # bravo: 96,000/1,500 + 41,250/500 + 8,000/1,000 + 4,300,000/15,000 = 64 + 82.5 + 8 + 286.67 -> 441
    # charlie: 41,250/500 + 1,200/1,000 + 1,500/1,500 = 82.5 + 1.2 + 1 = 84.7 -> 85
    # delta: 15,000/15,000 + 50/50 = 2
    con, _ = published
    got = [(r, i, math.floor(v + 0.5)) for r, i, v in ranking(con, "all", "power_score")]
    assert got == [
        (1, "alpha-bank", 1280),
        (2, "bravo-ins", 441),
        (3, "charlie-bank", 85),
        (4, "delta-bank", 2),
    ]
    youtube = dict((i, v) for _, i, v in ranking(con, "youtube", "power_score"))
    assert youtube["alpha-bank"] == pytest.approx(4_300_000 / 15_000 + 12_400 / 50)
    assert youtube["bravo-ins"] == pytest.approx(4_300_000 / 15_000)  # views only
    assert con.execute("SELECT DISTINCT formula FROM power_weights").fetchall() == [("power100",)]
    assert queries.info(con)["power_formula"] == "power100"


def test_a_file_declares_a_decimal_comma(installed, tmp_path):
    path = tmp_path / "dutch.csv"
    path.write_text(
        "# decimal: comma\n"
        "institution_id,platform,date,followers,views_total\n"
        'alpha-bank,youtube,2026-09-30,"12.400","4,3M"\n'
        "bravo-ins,youtube,2026-09-30,733.800,\n"
        'charlie-bank,youtube,2026-09-30,"733,800",\n'
    )
    with pytest.raises(InputError) as info:
        import_counts(installed, path)
    # rows keep the numbers a spreadsheet shows: the declaration is row 1, the header row 2
    assert [str(p).split(", ", 1)[1] for p in info.value.problems] == [
        "row 5, column followers: '733,800' is not a count (12345, 12.345 or 4,3M in a file with a decimal comma)"
    ]
    path.write_text(path.read_text().replace('charlie-bank,youtube,2026-09-30,"733,800",\n', ""))
    run = import_counts(installed, path)
    got = sorted(
        (s.institution_id, s.followers, s.views_total, s.precision) for s in run.records("snapshots")
    )
    assert got == [("alpha-bank", 12_400, 4_300_000, "rounded"), ("bravo-ins", 733_800, None, "exact")]


def test_precision_and_counts_are_checked(installed, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(
        "institution_id,platform,date,followers,views_total,precision\n"
        "alpha-bank,youtube,2026-09-30,,4.3M,exact\n"
        "bravo-ins,youtube,2026-09-30,100,,approximate\n"
        "charlie-bank,youtube,2026-09-30,,,rounded\n"
    )
    with pytest.raises(InputError) as info:
        import_counts(installed, path)
    assert [str(p).split(", ", 1)[1] for p in info.value.problems] == [
        "row 2, column precision: 'exact', but views_total 4.3M is written rounded",
        "row 3, column precision: 'approximate' is not one of exact, rounded",
        "row 4, column followers: no count: give at least one of followers, following, posts_total, "
        "likes_total, views_total (a count not known is left out, not 0)",
    ]
