"""finsocial's collectors: one per platform on a common base, plus discovery and the landing zone."""

from collectors.bluesky import BlueskyCollector
from collectors.facebook import FacebookCollector
from collectors.instagram import InstagramCollector
from collectors.mastodon import MastodonCollector
from collectors.x import XCollector
from collectors.youtube import YouTubeCollector

# One hand-written list registers them all (after yt-dlp's extractors).
COLLECTORS = [
    BlueskyCollector,
    MastodonCollector,
    YouTubeCollector,
    XCollector,
    FacebookCollector,
    InstagramCollector,
]
COLLECTOR_BY_PLATFORM = {c.platform: c for c in COLLECTORS}

__all__ = ["COLLECTORS", "COLLECTOR_BY_PLATFORM"]
