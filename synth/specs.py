"""The named specs: the demo (with its extras) and the benchmark sizes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from synth.audience import follower_samples
from synth.mentions import mentions
from synth.practices import practice_posts
from synth.spec import INDUSTRY, WORLD_COUNTRIES, Spec
from synth.webcare import comments

if TYPE_CHECKING:
    from synth.spec import Extra

# Posts that drew an unusual reaction are no extra: the world's heated threads (synth/world.py).
DEMO_EXTRAS: tuple[Extra, ...] = (follower_samples, comments, mentions, practice_posts)
SCALE_EXTRAS: tuple[Extra, ...] = ()

DEMO = Spec(
    name="demo",
    seed=20261122,
    days=450,
    institutions=64,
    champions=(4.5e6, 2.8e6, 1.9e6),  # a few national champions
    outages=(("x", 4 / 9, 4), ("instagram", 2 / 3, 2)),
    extras=DEMO_EXTRAS,
)
# The benchmark sizes post as the benchmarks always have (about half the industry's rate on Facebook
# and Instagram: each profile's scale_posts_week), so that their figures in BENCHMARKS.md stay comparable.
_SCALE = Spec(
    name="scale",
    platforms={
        name: replace(profile, posts_week=profile.scale_posts_week or profile.posts_week)
        for name, profile in INDUSTRY.items()
    },
    seed=20260331,
    days=1095,
    end=dt.date(2026, 3, 31),
    accounts=1_000,
    countries=WORLD_COUNTRIES,
    readable_names=False,
    audience_log10=(2.0, 6.0),  # a long tail of small credit unions up to national champions
    giants_share=0.005,
    purge_share=0.005,
    manual_every=1,
    run_days=31,  # one landing run a month: bulk runs, not one per day
    run_time=dt.time(23),
    post_lag=0,
    reseen_days=7,
    reruns=True,
    demo=False,
    land_accounts=True,
    extras=SCALE_EXTRAS,
)
SIZES: dict[str, Spec] = {
    "S": _SCALE.replace(accounts=1_000),
    "M": _SCALE.replace(accounts=10_000),
    "L": _SCALE.replace(accounts=20_000),
    # L with half the history (18 months): how a nightly build's cost changes as the history doubles
    "L18": _SCALE.replace(accounts=20_000, days=548),
    "tiny": _SCALE.replace(accounts=60, days=120),
    # the world: every bank, insurer and credit union's accounts, over the last four months
    # (benchmarks/xl.py lands it on S3); XL25 is its dry run at a tenth of the accounts
    "XL": _SCALE.replace(accounts=250_000, days=120),
    "XL25": _SCALE.replace(accounts=25_000, days=120),
}
