"""Numbers as people read them: one style for counts, medians and percentages."""

from __future__ import annotations

import pytest

from warehouse.read.formatting import format_value, human_count, thousands


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (6068, "6,068"),
        (6068.5, "6,069"),
        (999, "999"),
        (1_234_567, "1,234,567"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_raw_counts_get_thousands_separators(value, text):
    assert thousands(value) == text


def test_a_median_of_counts_is_whole():
    assert human_count(12.5) == "13"  # the median of 12 and 13 followers
    assert format_value("followers", 12.5) == "13"
    assert format_value("growth_30d", 4.5) == "+5"
    assert human_count(6068.5) == "6.07K"


@pytest.mark.parametrize(
    ("metric", "value", "text"),
    [
        ("engagement_rate", 0.4512, "0.45%"),
        # one format for a column: two decimals at any size, as in the charts
        ("engagement_rate", 12.5, "12.50%"),
        ("engagement_rate", 113.891, "113.89%"),
        ("answered_pct", 100, "100.00%"),
        ("growth_30d_pct", 1.754, "+1.75%"),
        ("growth_30d_pct", -0.73, "-0.73%"),
        # a value that rounds to nothing has no sign
        ("growth_30d_pct", -0.004, "0.00%"),
        ("growth_30d_pct", 0.004, "0.00%"),
    ],
)
def test_percentages(metric, value, text):
    assert format_value(metric, value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (9_994, "9.99K"),
        (9_999, "10.0K"),  # three significant figures after rounding, never "10.00K"
        (99_950, "100K"),
        (999_500, "1.00M"),  # never "1000K"
        (999.5, "1.00K"),
        (-12_345, "-12.3K"),
        (-0.4, "0"),  # never "-0"
    ],
)
def test_counts_keep_three_figures_across_a_suffix(value, text):
    assert human_count(value) == text
