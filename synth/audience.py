"""Synthetic follower samples (a demo extra)."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from synth.draw import ExtraRecords, timestamps
from warehouse.domain.audience import DEFAULT_SAMPLE_SIZE, aggregate
from warehouse.landing.records import SCHEMAS

if TYPE_CHECKING:
    from synth.world import World

SAMPLE_WEEKS = 12
SAMPLE_SECONDS = 4 * 3600 + 30 * 60  # a weekly sample runs at 04:30 UTC


def follower_samples(world: World, rng: np.random.Generator) -> list[ExtraRecords]:
    """A weekly sample of each Bluesky and Mastodon account's followers over the last 12 weeks.

    Each is drawn as follower counts (log-normal) and, on Mastodon, last-post days, then reduced
    by the same aggregate() the collectors use: only the aggregates are landed.
    """
    wanted = [i for i, p in enumerate(world.platforms) if p in ("bluesky", "mastodon")]
    accounts = np.flatnonzero(np.isin(world.acc_plat, wanted))
    # per account, a character that stays from week to week: how large its followers' own
    # audiences are (the log-normal's centre and spread) and, on Mastodon, how many stopped posting
    centre = rng.uniform(3.0, 5.4, len(accounts))
    spread = rng.uniform(1.4, 2.2, len(accounts))
    inactive = rng.uniform(0.1, 0.45, len(accounts))
    rows, days = [], []
    for week in range(SAMPLE_WEEKS):
        day = world.n_days - 1 - 7 * (SAMPLE_WEEKS - 1 - week)
        if day < 0:
            continue
        sample_date = world.first_day + dt.timedelta(days=day)
        for k, acc in enumerate(accounts):
            total = int(world.followers[acc, day])
            if not world.alive[acc, day] or total <= 0:
                continue
            n = min(DEFAULT_SAMPLE_SIZE, total)
            counts = np.floor(rng.lognormal(centre[k], spread[k], n)).astype(int).tolist()
            mastodon = world.platforms[world.acc_plat[acc]] == "mastodon"
            last_posts = None
            if mastodon:
                ages = np.where(rng.random(n) < inactive[k], rng.integers(91, 700, n), rng.integers(0, 90, n))
                last_posts = [(True, sample_date - dt.timedelta(days=int(a))) for a in ages]
            requests = math.ceil(n / 80) if mastodon else math.ceil(n / 100) + math.ceil(n / 25)
            rows.append(
                {
                    **{c: v[0].as_py() for c, v in world.account_columns(np.array([acc])).items()},
                    "sample_date": sample_date,
                    "collected_at": None,
                    "followers_total": total,
                    "requests": requests,
                    **aggregate(counts, last_posts, sample_date),
                }
            )
            days.append(day)
    if not rows:
        return []
    table = pa.Table.from_pylist(rows, schema=SCHEMAS["audience"])
    seconds = (world.day0 + np.array(days)) * 86400 + SAMPLE_SECONDS
    table = table.set_column(
        table.schema.get_field_index("collected_at"), "collected_at", timestamps(seconds)
    )
    return [ExtraRecords("audience", np.array(days), table)]


__all__ = ["follower_samples"]
