"""The scale generator at a tiny size, and the pandas baseline against the warehouse's answers."""

from __future__ import annotations

import duckdb
import pytest

from benchmarks import __main__ as bench
from benchmarks import scale
from warehouse.build.builder import build


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    paths, made = scale.ensure("tiny", tmp_path_factory.mktemp("scale"))
    build(paths)
    return paths, made


def test_generator_is_seeded_and_shaped(tiny, tmp_path):
    paths, made = tiny
    assert made.accounts == scale.SIZES["tiny"].accounts
    again = scale.generate(scale.paths_for("tiny", tmp_path), scale.SIZES["tiny"])
    assert (again.snapshots, again.posts) == (made.snapshots, made.posts)
    with duckdb.connect(str(paths.db), read_only=True) as con:
        low, high = con.execute(
            "SELECT min(followers), max(followers) FROM account_metrics WHERE day = "
            "(SELECT max(day) FROM account_metrics)"
        ).fetchone()
        assert high / max(low, 1) > 1000  # audiences over several orders of magnitude
        slope = con.execute(
            "SELECT regr_slope(ln(engagement_rate), ln(followers)) FROM account_metrics "
            "WHERE engagement_rate > 0 AND platform IN ('facebook', 'instagram', 'x')"
        ).fetchone()[0]
        assert slope < 0  # engagement falls as audience grows


def test_baseline_answers_equal_the_warehouse(tiny):
    paths, _ = tiny
    with duckdb.connect(str(paths.db), read_only=True) as con:
        for case in bench.cases(con, paths):
            equal, detail = case.check(case.ours(con), case.baseline())
            assert equal, f"{case.name}: {detail}"
            assert con.execute(case.floor_sql, case.floor_params).fetchall()
