"""finsocial's collectors: one per platform on a common base, plus discovery and the landing zone."""

from collectors.bluesky import BlueskyCollector
from collectors.bluesky_search import BlueskySearch
from collectors.facebook import FacebookCollector
from collectors.instagram import InstagramCollector
from collectors.mastodon import MastodonCollector
from collectors.mastodon_search import MastodonSearch
from collectors.x import XCollector
from collectors.x_search import XSearch
from collectors.youtube import YouTubeCollector
from warehouse.domain.platforms import API_PLATFORMS

# One hand-written list registers them all (after yt-dlp's extractors); each needs an "api" row
# in warehouse/domain/platforms.py, and every "api" row needs a collector here.
COLLECTORS = [
    BlueskyCollector,
    MastodonCollector,
    YouTubeCollector,
    XCollector,
    FacebookCollector,
    InstagramCollector,
]
COLLECTOR_BY_PLATFORM = {c.platform: c for c in COLLECTORS}
# The platforms' public searches for mentions of the institutions (collectors/mentions.py); each is
# off without its credentials or switch.
SEARCH_SOURCES = [BlueskySearch, MastodonSearch, XSearch]


def unmatched_platforms() -> tuple[list[str], list[str]]:
    """Api rows of the platform table without a collector, and collectors without an api row."""
    return (
        [p for p in API_PLATFORMS if p not in COLLECTOR_BY_PLATFORM],
        [p for p in COLLECTOR_BY_PLATFORM if p not in API_PLATFORMS],
    )


__all__ = ["COLLECTORS", "COLLECTOR_BY_PLATFORM", "SEARCH_SOURCES", "unmatched_platforms"]
