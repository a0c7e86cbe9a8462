"""Synthetic follower samples and a few posts that drew an unusual reaction (demo extras)."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from synth.draw import ExtraRecords, ints, timestamps
from warehouse.domain.audience import DEFAULT_SAMPLE_SIZE, aggregate
from warehouse.landing.records import SCHEMAS, conform

if TYPE_CHECKING:
    from synth.world import World

SAMPLE_WEEKS = 12
BACKLASH_POSTS = 4
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


def backlash_posts(world: World, rng: np.random.Generator) -> list[ExtraRecords]:
    """A few posts, over the last two months, with far more comments per like than their account
    usually gets (about 8×, and at least 25 comments), for the Top posts page's unusual reactions."""
    recent = world.post_day >= world.n_days - 90
    busy_counts = np.bincount(world.post_acc[recent], minlength=len(world.acc_plat))
    typical = np.zeros(len(world.acc_plat))
    for acc in np.flatnonzero(busy_counts >= 20):
        typical[acc] = np.median(world.post_interactions[recent & (world.post_acc == acc)])
    # enough posts and interactions that the account's usual comments per like is not 0
    candidates = np.flatnonzero((busy_counts >= 20) & (typical >= 60))
    if not len(candidates):
        return []
    chosen = np.sort(rng.choice(candidates, min(BACKLASH_POSTS, len(candidates)), replace=False))
    posted_day = world.n_days - 1 - (6 + 15 * np.arange(len(chosen)))
    likes = np.maximum(10, (typical[chosen] * 0.75).astype(np.int64))
    # the demo's posts get about 0.1 comments and 0.03 quotes per 0.75 likes: 8 × 0.16 per like
    # is 7 to 10 times that
    comments = np.maximum(25, np.ceil(8 * 0.16 * likes)).astype(np.int64)
    n = len(chosen)
    seconds = (world.day0 + posted_day) * 86400 + 11 * 3600
    lag = world.spec.post_lag
    table = pa.table(
        {
            **world.account_columns(chosen),
            "post_id": pa.array([f"demo-backlash-{k + 1}" for k in range(n)], pa.string()),
            "posted_at": timestamps(seconds),
            "collected_at": timestamps((world.day0 + posted_day + lag) * 86400 + 2 * 3600 + 15 * 60),
            "url": pa.nulls(n, pa.string()),
            "text": pa.array(["Demo post from a fictional institution that drew an unusual reaction."] * n),
            "likes": ints(likes),
            "comments": ints(comments),
            "shares": ints(likes // 10),
            "quotes": pa.nulls(n, pa.int64()),
            "views": pa.nulls(n, pa.int64()),
        }
    )
    return [ExtraRecords("posts", posted_day + lag, conform("posts", table))]


__all__ = ["backlash_posts", "follower_samples"]
