"""Numbers for people, and every form a missing value takes on its way from DuckDB through pandas."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from warehouse.read.formatting import MISSING, flag, format_value, human_count, is_missing, movement
from warehouse.read.report import league_markdown

MISSING_FORMS = [None, float("nan"), np.nan, np.float64("nan"), pd.NA, pd.NaT, np.datetime64("NaT")]


@pytest.mark.parametrize("value", MISSING_FORMS, ids=repr)
def test_every_form_of_missing_is_a_dash(value):
    assert is_missing(value)
    assert human_count(value) == MISSING
    for metric in ("followers", "growth_30d", "growth_30d_pct", "engagement_rate", "overperformance"):
        assert format_value(metric, value) == MISSING
    assert format_value("followers", 1200, rounded=value) == "1.20K"  # a missing flag is not rounded
    assert not flag(value)
    assert movement(3, value) == "new"
    assert movement(value, 2) == "new"


@pytest.mark.parametrize("value", [0, 0.0, "", "x", False, dt.date(2026, 1, 1), np.int64(5)], ids=repr)
def test_values_are_not_missing(value):
    assert not is_missing(value)


def test_numbers_read_as_people_read_them():
    assert human_count(12_345) == "12.3K"
    assert human_count(np.int64(1_234_567)) == "1.23M"
    assert human_count(-980) == "-980"
    assert format_value("followers", 1_234_567, rounded=True) == "≈1.23M"
    assert format_value("growth_30d", 1_500) == "+1.50K"
    assert format_value("growth_30d_pct", 2.5) == "+2.50%"
    assert movement(np.int64(2), np.int64(5)) == "▲3"
    assert movement(pd.array([4], dtype="Int64")[0], 1) == "▼3"
    assert movement(1, 1.0) == "="


def test_a_first_night_league_table_as_markdown():
    # the frame DuckDB hands pandas on the first night: nullable integers and booleans
    frame = pd.DataFrame(
        {
            "rank": pd.array([1, 2], dtype="Int64"),
            "previous_rank": pd.array([pd.NA, pd.NA], dtype="Int64"),
            "name": ["Northwind Bank", "South Bank"],
            "country": ["GB", "NL"],
            "kind": ["bank", "bank"],
            "value": pd.array([pd.NA, 120], dtype="Int64"),
            "rounded": pd.array([pd.NA, True], dtype="boolean"),
        }
    )
    frame.attrs["as_of"] = dt.date(2026, 11, 22)
    text = league_markdown(frame, "growth_30d", "all")
    assert "| 1 | new | Northwind Bank | GB | Bank | – |" in text
    assert "| 2 | new | South Bank | NL | Bank | +120 |" in text
    for leaked in ("None", "NaT", "nan", "<NA>"):
        assert leaked not in text
