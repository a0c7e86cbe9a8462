"""Numbers for people: 1.2M, 3.4%, rank movement. Shared by the command line and the dashboard."""

from __future__ import annotations

import math
from collections.abc import Mapping

from warehouse.domain.metrics import METRICS

MISSING = "–"


def markdown_cell(text: object) -> str:
    """A value made safe for one cell of a Markdown table."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def is_missing(value: object) -> bool:
    """Whether a value is missing in any of the forms it reaches formatting: None, NaN (Python or
    NumPy), pandas' NA or NaT. Without importing pandas, so that the command line starts fast."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are the only scalars unequal to themselves
    except TypeError:
        return True  # pd.NA: every comparison is NA again, and NA has no truth value


def flag(value: object) -> bool:
    """A yes/no column's value, a missing one read as no (bool(pd.NA) raises)."""
    return False if is_missing(value) else bool(value)


def human_count(value: float | int | None) -> str:
    """12,345 -> 12.3K; 1,234,567 -> 1.23M; None -> '–'."""
    if is_missing(value):
        return MISSING
    v = abs(float(value))
    # a count is whole: a median of two counts (12.5) reads 13, not 12.5
    whole = math.floor(v + 0.5)
    sign = "-" if value < 0 and whole else ""  # never "-0"
    if whole < 1000:
        return f"{sign}{whole:.0f}"
    # three significant figures, judged after rounding: 9,999 reads 10.0K (not 10.00K) and
    # 999,999 reads 1.00M (not 1000K)
    for limit, suffix in ((1e3, "K"), (1e6, "M"), (1e9, "B")):
        scaled = v / limit
        for digits in (2, 1, 0):
            text = f"{scaled:.{digits}f}"
            if float(text) < 10 ** (3 - digits):
                return f"{sign}{text}{suffix}"
    return f"{sign}{v / 1e9:,.0f}B"


def thousands(value: float | int | None) -> str:
    """A raw count in full with thousands separators: 6068 -> 6,068; None -> '–'."""
    return "–" if is_missing(value) else f"{math.floor(float(value) + 0.5):,}"


def human_minutes(value: float | int | None) -> str:
    """Minutes as a person reads a wait: 12 min, 3.0 h, 2.5 d; None -> '–'."""
    if is_missing(value):
        return "–"
    if value < 60:
        return f"{value:.0f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} d"


def format_value(metric: str, value: float | int | None, rounded: object = False) -> str:
    """A metric's value as a person reads it; '≈' marks counts the platform rounded."""
    if is_missing(value):
        return MISSING
    rounded = flag(rounded)
    kind = METRICS[metric].kind
    if kind == "count":
        text = human_count(value)
        if metric.startswith("growth") and value > 0:
            text = "+" + text
        # a row's precision covers its counts (YouTube's subscribers, a published 4.3M): not growth
        return ("≈" + text) if rounded and not metric.startswith("growth") else text
    if kind == "percent":
        # one format for every row of a column, in tables, charts and exports: two decimals
        # (0.45%, 12.50%, 113.89%); a value that rounds to zero has no sign (never "-0.00%")
        text = f"{abs(value):,.2f}%"
        if text == "0.00%":
            return text
        sign = "-" if value < 0 else "+" if metric.startswith("growth") else ""
        return sign + text
    if kind == "ratio":
        text = f"{value:,.2f}×"
        return text.removeprefix("-") if text in ("-0.00×",) else text
    if kind == "minutes":
        return human_minutes(value)
    if kind == "score":
        return f"{value:,.1f}"
    return f"{value:,.1f}"


def value_cell(metric: str, row: Mapping[str, object]) -> str:
    """A league row's value as a table cell: an audience metric carries its 95% margin (shares,
    in percentage points) or interval (the median) and its sample size beside the value."""
    text = format_value(metric, row.get("value"), row.get("rounded"))
    if METRICS[metric].source != "audience_samples" or is_missing(row.get("value")):
        return text
    n = row.get("sample_size")
    size = [] if is_missing(n) else [f"n = {int(n):,}"]
    if not is_missing(row.get("margin")):
        return f"{text} ± {row['margin']:.1f} pts" + "".join(f" ({s})" for s in size)
    if not is_missing(row.get("low")) and not is_missing(row.get("high")):
        interval = f"95%: {human_count(row['low'])}–{human_count(row['high'])}"
        return f"{text} ({', '.join([interval, *size])})"
    return f"{text} ({size[0]})" if size else text


def why_missing(metric: str) -> str:
    """Why a metric has no value, in a few words, for the places that have room to say so."""
    if metric.startswith("growth_"):
        days = metric.split("_")[1].removesuffix("d")
        return f"no count {days} days earlier"
    if metric in ("posts_per_week", "interactions_per_post", "engagement_rate", "overperformance"):
        return "no posts or no follower count in the last 28 days"
    if metric == "presence_index":
        return "needs both growth and engagement"
    if metric == "power_score":
        return "no count the formula uses"
    if METRICS[metric].source == "institution_mentions":
        return "no mention search ran, or no mention to judge"
    return "not reported by the platform"


NEW_IN_TABLE = "'new': no rank 30 days earlier"


def movement(rank: int | None, previous_rank: int | None) -> str:
    """▲2, ▼1, = or 'new' against the rank a period earlier."""
    if is_missing(previous_rank) or is_missing(rank):
        return "new"
    change = int(previous_rank) - int(rank)
    if change > 0:
        return f"▲{change}"
    if change < 0:
        return f"▼{-change}"
    return "="


def without_data(row: Mapping[str, object]) -> str:
    """A league row whose total misses some of its accounts' counts of the day: '6 of 7 accounts
    without data' (its total holds their last counts from before); '' for a complete row."""
    missing, accounts = row.get("accounts_without_data"), row.get("accounts")
    if is_missing(missing) or not missing:
        return ""
    of = "" if is_missing(accounts) else f" of {int(accounts)}"
    noun = "account" if int(accounts if not is_missing(accounts) else missing) == 1 else "accounts"
    return f"{int(missing)}{of} {noun} without data"


WITHOUT_DATA_NOTE = (
    "'N of M accounts without data': no count of the day from N of the accounts the row sums (a "
    "failed or missing night; for counts imported by hand, none in the week before), so their last "
    "counts stand in."
)
