"""The metrics finsocial computes: names, labels and formats, and the power-score weights."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from warehouse.platforms import DEFAULT_POWER_WEIGHTS  # noqa: F401 (one point per this many units, per platform)


@dataclass(frozen=True)
class Metric:
    """A column of the metrics marts that a league table can rank by (higher is better)."""

    name: str
    label: str
    kind: str  # count | percent | ratio | score | rate
    definition: str


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("followers", "Followers", "count", "Followers in the latest snapshot on or before the day."),
        Metric(
            "growth_30d",
            "Growth, 30 days",
            "count",
            "followers(t) − followers(t−30); t−30 taken as-of: the nearest earlier snapshot, "
            "at most 7 days older. NULL without such a baseline.",
        ),
        Metric("growth_30d_pct", "Growth, 30 days (%)", "percent", "growth_30d ÷ followers(t−30) × 100."),
        Metric(
            "posts_per_week",
            "Posts per week",
            "rate",
            "The account's own posts in (t−28, t] ÷ 4. NULL where posts are not collected.",
        ),
        Metric(
            "interactions_per_post",
            "Interactions per post",
            "rate",
            "Mean of likes + comments + shares (+ quotes), those the platform reports, over the "
            "posts of (t−28, t]. NULL without posts.",
        ),
        Metric(
            "engagement_rate",
            "Engagement rate (%)",
            "percent",
            "interactions_per_post ÷ followers × 100: per post, by followers.",
        ),
        Metric(
            "overperformance",
            "Engagement vs audience",
            "ratio",
            "interactions_per_post ÷ expected, where expected comes from a log-log fit of "
            "interactions per post on followers across the platform's accounts that day "
            "(at least 3 accounts with both).",
        ),
        Metric(
            "presence_index",
            "Presence index",
            "score",
            "100 × √(E × G), E and G the percentile ranks (0–1) of engagement_rate and "
            "growth_30d_pct among the platform's accounts that day.",
        ),
        Metric(
            "power_score",
            "Power score",
            "score",
            "Points per unit of audience, by platform weights (after The Financial Brand's "
            "Power 100), summed across platforms for 'all'.",
        ),
    )
}

POWER_MEASURES = ("followers", "likes_total", "views_total")


def power_weights() -> dict[str, tuple[str, float]]:
    """The default weights, overridden by the JSON file FINSOCIAL_POWER_WEIGHTS names.

    The file maps a platform to {"measure": "followers", "units_per_point": 500}.
    """
    weights = dict(DEFAULT_POWER_WEIGHTS)
    path = os.environ.get("FINSOCIAL_POWER_WEIGHTS")
    if not path:
        return weights
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"FINSOCIAL_POWER_WEIGHTS {path}: {exc}") from exc
    for platform, spec in data.items():
        measure, units = spec.get("measure", "followers"), spec.get("units_per_point")
        if measure not in POWER_MEASURES or not isinstance(units, (int, float)) or units <= 0:
            raise ValueError(
                f"FINSOCIAL_POWER_WEIGHTS {path}: {platform}: expected a measure in "
                f"{POWER_MEASURES} and a positive units_per_point"
            )
        weights[platform] = (measure, float(units))
    return weights


def check_metric(name: str) -> str:
    """The metric's name if it is known (it becomes a column name in SQL), else ValueError."""
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}")
    return name
