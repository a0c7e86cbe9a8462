"""import-counts: validated like the registry; the whole file lands, or nothing does."""

from __future__ import annotations

import duckdb
import pytest

from warehouse.build import build
from warehouse.counts import import_counts, parse_count
from warehouse.csvcheck import InputError
from warehouse.landing.runs import complete_runs
from warehouse.registry import parse_registry, save_registry


@pytest.fixture
def installed(paths, registry_file):
    save_registry(parse_registry(registry_file), paths.registry)
    return paths


def test_parse_count_marks_abbreviations_as_rounded():
    assert parse_count("12345") == (12345, False)
    assert parse_count("12,345") == (12345, False)
    assert parse_count("1.2M") == (1_200_000, True)
    assert parse_count("850K") == (850_000, True)
    for bad in ("-5", "1.2.3", "12 345", "lots", "1,23"):
        with pytest.raises(ValueError):
            parse_count(bad)


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
    assert any("row 6, column followers: required value is empty" in p for p in found)
    assert any("row 7, column date: a second count" in p for p in found)
    assert complete_runs(installed.landing) == []
