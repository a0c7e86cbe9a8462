"""What the synthetic-data generator makes: platform profiles, the spec, and the named specs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from synth.draw import ExtraRecords

    # an extra generator: (world, rng) -> rows of a record kind (see synth/__init__.py); the world is
    # synth.world.World, which is built from a Spec, so it is not named here
    Extra = Callable[..., list[ExtraRecords]]


@dataclass(frozen=True)
class PlatformProfile:
    """How a typical financial institution's account on one platform behaves. How the platform is
    collected, which counts it reports and whether it rounds come from warehouse.domain.platforms."""

    share: float  # share of institutions present on the platform
    audience: float  # audience relative to the institution's Facebook audience
    # an account's posting habit is drawn around this (gamma), then weekday rhythm, quiet accounts and
    # missed days: the median posts_per_week across accounts comes out at about 0.65× of it
    posts_week: float
    # engagement rate (%) per post of a typical account of 10,000 followers; None where no posts are
    # landed (platforms whose counts are imported: engagement cannot be computed there)
    engagement_at_10k: float | None
    # interactions per post grow as followers^engagement_exponent: below 1, the engagement rate
    # falls with audience (0.77 fits Rival IQ's spread on Facebook, Instagram and X)
    engagement_exponent: float = 0.77
    growth_pct_month: float = 0.9  # typical follower growth a month (%)
    young_share: float = 0.05  # share of accounts opened during the period
    handle: str = "{short}.{tag}"  # the account's handle: {slug}, {short} (≤10 characters), {tag}
    post_shares: bool = True  # posts have a share (repost) count
    post_quotes: bool = False  # posts have a quote count
    post_views: bool = False  # posts have a view count
    # the benchmark sizes' posts_week where it differs (see _SCALE); out of the spec's repr, which
    # stamps the benchmarks' data
    scale_posts_week: float | None = field(default=None, repr=False)
    # what the demo is calibrated against (synth/calibration.py), out of the repr: a published median
    # engagement rate per post (%) of the financial industry, or the range (%) published for the
    # platform as a whole where no industry figure exists
    reference_engagement: float | None = field(default=None, repr=False)
    reference_range: tuple[float, float] | None = field(default=None, repr=False)


# The industry as the demo and the benchmarks draw it. Facebook's, Instagram's and X's
# engagement_at_10k and posts_week are calibrated so that the built demo's medians fall near Rival
# IQ's 2025 financial-services benchmark (reference_engagement; synth/calibration.py, tests/warehouse/
# test_demo_calibration.py). Bluesky and Mastodon have no industry figure: their medians sit inside
# the range published for each platform as a whole (reference_range: from its average to its "good"
# rate), and their engagement falls faster with audience than on the large platforms (an exponent of
# 0.65, not 0.77: the demo's choice, no published figure), so that no account above 10,000
# followers has a median engagement rate over 2%. The other platforms have no reference and keep
# the first demo's.
INDUSTRY: Mapping[str, PlatformProfile] = {
    "facebook": PlatformProfile(
        0.95, 1.0, 6.9, 0.061, handle="{slug}.{tag}", scale_posts_week=3.0, reference_engagement=0.040
    ),
    "x": PlatformProfile(
        0.9,
        0.45,
        5.2,
        0.0261,
        growth_pct_month=-0.4,
        handle="{short}_{tag}",
        post_quotes=True,
        post_views=True,
        scale_posts_week=5.0,
        reference_engagement=0.025,
    ),
    "instagram": PlatformProfile(
        0.85, 0.6, 6.9, 0.302, post_shares=False, scale_posts_week=3.0, reference_engagement=0.261
    ),
    "youtube": PlatformProfile(
        0.75, 0.12, 0.7, 0.5, handle="@{slug}-{tag}", post_shares=False, post_views=True, scale_posts_week=0.5
    ),
    "linkedin": PlatformProfile(0.95, 0.7, 2.0, None, handle="company/{slug}-{tag}"),
    "tiktok": PlatformProfile(0.4, 0.35, 6.9, None, growth_pct_month=3.0, reference_engagement=1.33),
    "bluesky": PlatformProfile(
        0.35,
        0.012,
        3.0,
        0.75,
        engagement_exponent=0.65,
        growth_pct_month=4.0,
        young_share=0.5,
        handle="{slug}.{tag}.example",
        post_quotes=True,
        scale_posts_week=2.0,
        reference_range=(1.2, 2.0),
    ),
    "mastodon": PlatformProfile(
        0.15,
        0.004,
        2.0,
        0.45,
        engagement_exponent=0.65,
        handle="{short}@social.example",
        scale_posts_week=1.5,
        reference_range=(1.5, 2.5),
    ),
    "threads": PlatformProfile(0.3, 0.1, 2.0, None, growth_pct_month=2.0, young_share=0.5),
}

KINDS: tuple[tuple[str, float], ...] = (
    ("bank", 0.55),
    ("insurer", 0.18),
    ("credit_union", 0.1),
    ("neobank", 0.08),
    ("card_issuer", 0.04),
    ("investment", 0.05),
)
DEMO_COUNTRIES: tuple[tuple[str, float], ...] = tuple(
    (c, 1.0) for c in ("NL", "GB", "US", "DE", "FR", "ES", "CA", "AU", "IN", "NG")
)
WORLD_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("US", 0.3),
    ("GB", 0.08),
    ("DE", 0.08),
    ("FR", 0.06),
    ("CA", 0.05),
    ("AU", 0.04),
    ("NL", 0.04),
    ("ES", 0.04),
    ("IT", 0.04),
    ("IN", 0.05),
    ("BR", 0.04),
    ("JP", 0.03),
    ("NG", 0.03),
    ("ZA", 0.03),
    ("MX", 0.03),
    ("SE", 0.02),
    ("CH", 0.02),
    ("PL", 0.02),
)


@dataclass(frozen=True, repr=False)
class Spec:
    """Everything the generator makes, and what it plants, from one seed."""

    name: str  # in run ids, handles and sources: "demo", "scale"
    seed: int
    days: int
    end: dt.date | None = None  # the last day; today (UTC) when None
    institutions: int = 64
    accounts: int | None = None  # exactly this many accounts (institutions follow), or all of them
    platforms: Mapping[str, PlatformProfile] = field(default_factory=lambda: INDUSTRY)
    countries: tuple[tuple[str, float], ...] = DEMO_COUNTRIES
    # readable names ("Brildora Assurance"), countries in turn; or numbered names, countries by weight
    readable_names: bool = True
    audience_log10: tuple[float, float] = (2.6, 6.3)  # an institution's Facebook audience, log-uniform
    champions: tuple[float, ...] = ()  # the Facebook audience of the first institutions
    giants_share: float = 0.0  # institutions with ten times the audience
    # what is planted
    purge_share: float = 0.015  # accounts whose platform purges fake followers: a lasting 15-25% drop
    missed_nights: float = 0.01  # API accounts missing on a night, each with a run error
    outages: tuple[tuple[str, float, int], ...] = ()  # (platform, where in the span 0-1, days): no data
    manual_every: int = 7  # imported counts every N days (published weekly figures) or every day
    quiet_share: float = 0.05  # accounts that rarely post
    # how it is landed
    run_days: int = 1  # days per landing run: one a night, or bulk runs
    run_time: dt.time = dt.time(2, 15)
    post_lag: int = 2  # a post is first landed by the run this many days after it was posted
    reseen_days: int = 0  # posts of the previous run's last N days are landed again, counts grown
    reruns: bool = False  # the night before a run is collected again late that day (latest wins)
    demo: bool = True  # one run of kind "demo" a window, marked demo; else "collect" and "import" runs
    land_accounts: bool = False  # the first run lands the accounts it saw
    extras: tuple[Extra, ...] = ()  # generators of further record kinds (see synth)

    def replace(self, **changes) -> Spec:
        return replace(self, **changes)

    def __repr__(self) -> str:
        # stable across processes (a function's repr holds its address): benchmarks stamp their data with it
        def shown(name: str):
            value = getattr(self, name)
            if name == "extras":
                return tuple(f"{f.__module__}.{f.__qualname__}" for f in value)
            if name == "platforms":
                return dict(value)
            return value

        inner = ", ".join(f"{f.name}={shown(f.name)!r}" for f in fields(self))
        return f"Spec({inner})"


# Generators of further record kinds in the demo, one a line (see synth/__init__.py).
