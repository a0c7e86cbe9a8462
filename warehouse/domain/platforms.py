"""The one table of platforms: every list of platforms, label, colour and default weight derives from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from warehouse.domain.grammar import (
    FACEBOOK_RESERVED,
    INSTAGRAM_RESERVED,
    TIKTOK_RESERVED,
    X_RESERVED,
    BlueskyHandles,
    FacebookHandles,
    Handles,
    LinkedInHandles,
    MastodonHandles,
    XHandles,
    YouTubeHandles,
)

COUNTS = ("followers", "following", "posts_total", "likes_total", "views_total")


@dataclass(frozen=True)
class Platform:
    """One platform: how finsocial names, shows, collects and weighs it."""

    name: str  # the key stored in the warehouse and typed on the command line
    label: str  # how people read it
    colour: str  # one colour on every chart, near the brand but told apart from the others
    order: int  # position in menus, pages and charts (largest audiences first)
    collected: Literal["api", "import"]  # "api": a collector in collectors/; "import": `import-counts` CSV
    counts: tuple[str, ...]  # the account counts the platform reports (for imports: what the CSV may give)
    rounds: bool  # True when the platform rounds a count it reports (YouTube: 3 significant figures)
    power_weight: tuple[str, float]  # default power score: one point per this many of this count
    handles: Handles  # what its handles look like and where its profile URLs point
    # an overnight change of followers beyond both bounds is an anomaly (sql/marts/05_anomalies.sql):
    # more than this percentage of the previous count and more than this many followers
    anomaly: tuple[float, int] = (20.0, 1000)
    webcare_minutes: float | None = None  # the default webcare target (None: webcare.DEFAULT_TARGET_MINUTES)
    rounding: str = ""  # where `rounds`: what it rounds, as a reader is told
    searched: bool = False  # its public search is read for mentions (a source in collectors/)
    # its API says when a post's replies are closed (a threadgate, comments disabled, reply
    # settings); elsewhere a post's closed state is unknown, never taken as open
    says_closed: bool = False


# Rows in registry-column order (registry CSVs keep this column order); `order` sets display order.
# Power weights after The Financial Brand's Power 100. Webcare targets: ABN AMRO's published ones
# (warehouse/domain/webcare.py). Anomaly bounds: the README's "Anomalies" section lists them.
# fmt: off
PLATFORM_TABLE: tuple[Platform, ...] = (
    Platform(
        "bluesky", "Bluesky", "#5FB7F0", 5, "api", ("followers", "following", "posts_total"), False, ("followers", 1000),
        handles=BlueskyHandles(
            ("bsky.app",),
            r"^(did:plc:[a-z2-7]{24}|did:web:[a-z0-9.-]+|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,})$",
            "https://bsky.app/profile/{handle}",
            "a Bluesky handle (name.bsky.social or a domain)",
        ),
        anomaly=(25.0, 500),  # young, fast-growing audiences
        searched=True,
        says_closed=True,
    ),
    Platform(
        "mastodon", "Mastodon", "#6364FF", 6, "api", ("followers", "following", "posts_total"), False, ("followers", 1000),
        handles=MastodonHandles(
            (),
            r"^[a-z0-9_]{1,30}@([a-z0-9-]+\.)+[a-z0-9-]{2,}$",
            "https://{instance}/@{user}",
            "a Mastodon address (@user@instance.example)",
            any_host=True,
        ),
        anomaly=(25.0, 200),  # small audiences on one home instance
        searched=True,
    ),
    Platform(
        "youtube", "YouTube", "#E62117", 4, "api", ("followers", "posts_total", "views_total"), True, ("views_total", 15000),
        handles=YouTubeHandles(
            ("youtube.com",),
            r"^@[a-z0-9._-]{3,30}$",
            "https://www.youtube.com/{handle}",
            "a YouTube channel id (UC…), @handle or user/NAME",
            not_accounts=("youtu.be",),  # a video, never an account
        ),
        rounding="subscribers to 3 significant figures",
        says_closed=True,
    ),
    Platform(
        "x", "X", "#5B6770", 3, "api", ("followers", "following", "posts_total"), False, ("followers", 1000),
        handles=XHandles(
            ("x.com", "twitter.com"),
            r"^[a-z0-9_]{1,15}$",
            "https://x.com/{handle}",
            "an X username (1-15 letters, digits or _)",
            reserved=X_RESERVED,
        ),
        webcare_minutes=15.0,
        searched=True,
        says_closed=True,
    ),
    Platform(
        "facebook", "Facebook", "#1877F2", 1, "api", ("followers", "likes_total"), False, ("followers", 500),
        handles=FacebookHandles(
            ("facebook.com", "fb.com"),
            r"^[a-z0-9.\-]{3,80}$",
            "https://www.facebook.com/{handle}",
            "a Facebook page name or id",
            reserved=FACEBOOK_RESERVED,
        ),
        webcare_minutes=30.0,
    ),
    Platform(
        "instagram", "Instagram", "#C13584", 2, "api", ("followers", "following", "posts_total"), False, ("followers", 750),
        handles=Handles(
            ("instagram.com",),
            r"^[a-z0-9._]{1,30}$",
            "https://www.instagram.com/{handle}/",
            "an Instagram username",
            reserved=INSTAGRAM_RESERVED,
            app_links=True,
        ),
    ),
    Platform(
        "linkedin", "LinkedIn", "#0A3A75", 7, "import", COUNTS, False, ("followers", 500),
        handles=LinkedInHandles(
            ("linkedin.com",),
            r"^(company|showcase|school)/[a-z0-9%._\-]{2,100}$",
            "https://www.linkedin.com/{handle}/",
            "a LinkedIn company page (company/name)",
        ),
    ),
    Platform(
        "tiktok", "TikTok", "#00A8A0", 8, "import", COUNTS, False, ("followers", 1000),
        handles=Handles(
            ("tiktok.com",),
            r"^[a-z0-9._]{2,24}$",
            "https://www.tiktok.com/@{handle}",
            "a TikTok username",
            url_reserved=TIKTOK_RESERVED,
            at_in_url=True,
        ),
    ),
    Platform(
        "threads", "Threads", "#F29D38", 9, "import", COUNTS, False, ("followers", 750),
        handles=Handles(
            ("threads.net", "threads.com"),
            r"^[a-z0-9._]{1,30}$",
            "https://www.threads.net/@{handle}",
            "a Threads username",
            reserved=INSTAGRAM_RESERVED,  # Threads accounts are Instagram accounts
            at_in_url=True,
        ),
    ),
)
# fmt: on

PLATFORM_BY_NAME: dict[str, Platform] = {p.name: p for p in PLATFORM_TABLE}
# Every platform, in registry-column order.
PLATFORMS: tuple[str, ...] = tuple(p.name for p in PLATFORM_TABLE)
# Platforms collected through an official API; the others come in through `import-counts`.
API_PLATFORMS: tuple[str, ...] = tuple(p.name for p in PLATFORM_TABLE if p.collected == "api")
IMPORT_PLATFORMS: tuple[str, ...] = tuple(p.name for p in PLATFORM_TABLE if p.collected == "import")
# Every platform in display order (menus, pages, legends).
DISPLAY_ORDER: tuple[str, ...] = tuple(p.name for p in sorted(PLATFORM_TABLE, key=lambda p: p.order))
ALL_LABEL = "All platforms"  # 'all': an institution's accounts together
LABELS: dict[str, str] = {"all": ALL_LABEL, **{p.name: p.label for p in PLATFORM_TABLE}}
COLOURS: dict[str, str] = {p.name: p.colour for p in PLATFORM_TABLE}
DEFAULT_POWER_WEIGHTS: dict[str, tuple[str, float]] = {
    name: PLATFORM_BY_NAME[name].power_weight for name in DISPLAY_ORDER
}


def display_sorted(platforms: list[str] | tuple[str, ...]) -> list[str]:
    """Platforms in display order; names not in the table go last, alphabetically."""
    rank = {name: i for i, name in enumerate(DISPLAY_ORDER)}
    return sorted(platforms, key=lambda p: (rank.get(p, len(rank)), p))


def platform_choice(value: str) -> str | None:
    """A platform name typed in any case ('Instagram', 'ALL') as its key, or None if unknown."""
    key = value.strip().lower()
    return key if key == "all" or key in PLATFORM_BY_NAME else None


# The operator's one switch: platforms named here are off (not collected, never stale, never a failure).
OFF_ENV = "FINSOCIAL_PLATFORMS_OFF"


def switched_off(env: Mapping[str, str] | None) -> list[str]:
    """The platforms the operator switched off in FINSOCIAL_PLATFORMS_OFF ('youtube,x'), in table order.

    An unknown name is an error that names the setting and the value, so a typo never leaves a
    platform on that the operator meant to switch off."""
    raw = (env or {}).get(OFF_ENV, "") or ""
    names = [n.strip().lower() for n in raw.replace(";", ",").replace(" ", ",").split(",") if n.strip()]
    unknown = [n for n in names if n not in PLATFORM_BY_NAME]
    if unknown:
        raise ValueError(
            f"{OFF_ENV}: unknown platform {', '.join(repr(n) for n in unknown)}; "
            f"expected names from {', '.join(PLATFORMS)}"
        )
    return [p for p in PLATFORMS if p in names]
