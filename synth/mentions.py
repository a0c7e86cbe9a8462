"""Demo mentions: what fictional people say about the fictional institutions, with outage storms."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from synth.draw import ExtraRecords, ints, timestamps
from warehouse.domain.platforms import PLATFORM_TABLE
from warehouse.landing.records import SCHEMAS

if TYPE_CHECKING:
    from synth.world import World

# The platforms whose public search the collectors read (collectors/mentions.py).
SEARCHED = tuple(p.name for p in PLATFORM_TABLE if p.searched)
HISTORY_DAYS = 90  # mentions are searched for in the last 90 days of the demo
RUN_SECONDS = 2 * 3600 + 15 * 60  # the night's run at 02:15 UTC searches the day before and today
LOOKBACK_SECONDS = 2 * 86400
# Theme keys (warehouse.domain.text) with the share of everyday mentions that touch each.
THEMES = {
    "outage": 0.06,
    "fees": 0.10,
    "fraud": 0.05,
    "service": 0.18,
    "loans": 0.07,
    "payments": 0.12,
    "sustainability": 0.04,
    "closures": 0.03,
}
TONES = ("negative", "neutral", "positive")
STORMS = 3  # institutions with an outage day in the last 28 days


def mentions(world: World, rng: np.random.Generator) -> list[ExtraRecords]:
    """Per institution and searched platform a daily rate that grows with its audience (more on
    weekdays), a tone mix (a quarter negative, a fifth positive, varying by institution), Dutch in
    the Netherlands and Belgium, English elsewhere, now and then German or French (no lexicon: tone
    NULL); authors drawn from a pool, so some write more than once; and a few outage days on which
    mentions jump eightfold, mostly negative and about the outage: the demo's storms."""
    n_inst = len(world.institutions)
    days = min(HISTORY_DAYS, world.n_days - 1)
    first = world.n_days - days  # day index of the first searched day
    searched = [p for p in SEARCHED if p in world.platforms]
    if not searched or days < 1:
        return []
    plat_idx = np.array([world.platforms.index(p) for p in searched])
    # an institution's audience on a platform: its followers there on the last day (0: no account)
    size = np.zeros((n_inst, len(searched)))
    for j, p in enumerate(plat_idx):
        accs = np.flatnonzero(world.acc_plat == p)
        np.add.at(size[:, j], world.acc_inst[accs], world.followers[accs, -1])
    # people also talk about an institution on a platform where it has no account
    base = np.clip(0.02 * np.sqrt(size + 2_000 * rng.random((n_inst, 1))), 0.2, 30.0)
    negative = np.clip(rng.beta(5, 14, n_inst), 0.08, 0.6)
    positive = np.clip(rng.beta(4, 16, n_inst), 0.05, 0.45)
    country = np.array([inst.country for inst in world.institutions])
    dutch = np.isin(country, ("NL", "BE"))
    authors = np.maximum(20, (base.sum(axis=1) * 40).astype(int))

    day = np.arange(first, world.n_days)
    weekday = (world.day0 + day + 3) % 7  # 0 = Monday
    rate = base[:, :, None] * np.where(weekday >= 5, 0.6, 1.1)[None, None, :]
    storm = np.zeros((n_inst, days), dtype=bool)
    stormy = rng.choice(n_inst, size=min(STORMS, n_inst), replace=False)
    storm[stormy, rng.integers(days - 27, days - 1, len(stormy))] = True
    rate = rate * np.where(storm, 8.0, 1.0)[:, None, :]
    rate[stormy] = np.maximum(rate[stormy], np.where(storm[stormy], 25.0, 0.0)[:, None, :])
    n = rng.poisson(rate)  # [institution, platform, day]
    inst, plat, d = np.nonzero(n)
    reps = n[inst, plat, d]
    inst, plat, d = (np.repeat(a, reps) for a in (inst, plat, d))
    total = len(inst)
    in_storm = storm[inst, d]

    # tone: an institution's mix, mostly negative on a storm day
    neg = np.where(in_storm, 0.75, negative[inst])
    pos = np.where(in_storm, 0.04, positive[inst])
    draw = rng.random(total)
    tone = np.where(draw < neg, 0, np.where(draw < neg + pos, 2, 1))
    score = np.where(tone == 0, -1, np.where(tone == 2, 1, 0)) * rng.uniform(0.2, 0.9, total)
    lang_draw = rng.random(total)
    language = np.where(
        lang_draw < 0.05, "de", np.where(lang_draw < 0.08, "fr", np.where(dutch[inst], "nl", "en"))
    )
    toned = np.isin(language, ("nl", "en"))
    keys = list(THEMES)
    chance = np.array(list(THEMES.values()))
    has = rng.random((total, len(keys))) < chance[None, :]
    has[in_storm, keys.index("outage")] = rng.random(int(in_storm.sum())) < 0.85
    themes = [",".join(k for k, on in zip(keys, row, strict=True) if on) for row in has]

    posted = (world.day0 + day[d]) * 86400 + rng.integers(0, 86400, total)
    landed_day = (posted - RUN_SECONDS) // 86400 - world.day0 + 1  # the next night's run finds it
    keep = landed_day < world.n_days
    author = rng.integers(0, authors[inst])
    table = pa.table(
        {
            "institution_id": pa.array(
                [world.institutions[i].institution_id for i in inst[keep]], pa.string()
            ),
            "platform": pa.array(np.array(searched)[plat[keep]], pa.string()),
            "post_id": pa.array([f"demo-mention-{k}" for k in np.flatnonzero(keep)], pa.string()),
            "posted_at": timestamps(posted[keep]),
            "collected_at": timestamps((world.day0 + landed_day[keep]) * 86400 + RUN_SECONDS),
            "author_key": pa.array(
                [f"demo{i:05d}{a:07x}" for i, a in zip(inst[keep], author[keep], strict=True)]
            ),
            "language": pa.array(language[keep], pa.string()),
            "tone": pa.array(np.array(TONES)[tone[keep]], pa.string(), mask=~toned[keep]),
            "tone_score": pa.array(score[keep], pa.float64(), mask=~toned[keep]),
            "themes": pa.array([t for t, k in zip(themes, keep, strict=True) if k], pa.string()),
        }
    )
    order = np.argsort(landed_day[keep], kind="stable")
    found = [ExtraRecords("mentions", landed_day[keep][order], table.take(pa.array(order)))]

    # each night after the first searched day, a search per institution and searched platform
    nights = np.arange(first + 1, world.n_days)
    i_grid, j_grid, n_grid = (
        a.ravel() for a in np.meshgrid(np.arange(n_inst), np.arange(len(searched)), nights, indexing="ij")
    )
    p_grid = plat_idx[j_grid]
    at = (world.day0 + n_grid) * 86400 + RUN_SECONDS
    # what each night's search kept: the mentions it landed
    cell = (inst[keep] * len(searched) + plat[keep]) * world.n_days + landed_day[keep]
    kept = np.bincount(cell, minlength=n_inst * len(searched) * world.n_days)
    searches = pa.table(
        {
            "institution_id": pa.array([world.institutions[i].institution_id for i in i_grid], pa.string()),
            "platform": pa.array(np.array(world.platforms)[p_grid], pa.string()),
            "since": timestamps(at - LOOKBACK_SECONDS),
            "searched_at": timestamps(at),
            "found": ints(kept[(i_grid * len(searched) + j_grid) * world.n_days + n_grid]),
            "requests": ints(np.ones(len(at))),
        }
    )
    order = np.argsort(n_grid, kind="stable")
    found.append(
        ExtraRecords(
            "mention_searches",
            n_grid[order],
            searches.take(pa.array(order)).select(SCHEMAS["mention_searches"].names),
        )
    )
    return found
