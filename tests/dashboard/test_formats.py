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
        ("engagement_rate", 12.345, "12.3%"),
        ("growth_30d_pct", 1.754, "+1.75%"),
    ],
)
def test_percentages(metric, value, text):
    assert format_value(metric, value) == text
