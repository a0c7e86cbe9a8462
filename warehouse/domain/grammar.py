"""Handle grammars: what a platform's handles look like and where its profile URLs point.

A platform's row (warehouse/domain/platforms.py) names its grammar: a `Handles` of its hosts,
pattern and profile URL when its profile URLs are the common kind (host/NAME or host/@NAME), a
subclass here where they are not. warehouse/domain/handles.py reads them through the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs


class HandleError(ValueError):
    """A value that is not a handle or profile URL of the platform."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Handles:
    """The common grammar: a name, '@' optional, that matches `pattern` once lowercased; its
    profile URL is `url` with the name, and profile URLs on `hosts` are host/NAME (or host/@NAME
    where `at_in_url`), optionally followed by /about or /featured."""

    hosts: tuple[str, ...]  # the platform's web hosts; their www., m. and country editions too
    pattern: str  # a handle's normal form (after '@' is dropped and it is lowercased)
    url: str  # the profile URL of a handle: "{handle}" is replaced
    what: str  # how an error names it: "an X username (1-15 letters, digits or _)"
    reserved: frozenset[str] = frozenset()  # paths of the site that are never an account
    url_reserved: frozenset[str] = frozenset()  # paths that are no account in a URL (only there)
    at_in_url: bool = False  # a profile URL is host/@NAME, never host/NAME
    app_links: bool = False  # host/_u/NAME opens the app on the account
    any_host: bool = False  # accounts live on any host (Mastodon's instances), not on `hosts`
    not_accounts: tuple[str, ...] = ()  # hosts of the platform that never show an account

    # -- a plain handle ---------------------------------------------------------------------------

    def is_url(self, raw: str) -> bool:
        """Whether a value given as a handle is a profile URL to be read as one."""
        return "://" in raw or raw.lower().startswith(("www.", "m.")) or "/" in raw

    def as_url(self, raw: str) -> str:
        """A value `is_url` accepted as the URL to read."""
        return raw if "://" in raw else "https://" + raw

    def normalize(self, raw: str) -> str:
        """The normal form of a plain handle; HandleError when it is none."""
        handle = raw.lstrip("@").lower()
        if not re.match(self.pattern, handle) or handle in self.reserved:
            raise HandleError(f"{raw!r} is not {self.what}")
        return handle

    def profile_url(self, handle: str) -> str:
        return self.url.format(handle=handle)

    # -- a profile URL ----------------------------------------------------------------------------

    def from_url(self, path: list[str], parts: SplitResult, normalize: Normalize) -> str | None:
        """The handle of a profile URL on the platform's hosts (path: its non-empty parts, at least
        one), or None for a post, a share link or a page of the site; HandleError if it names a
        handle that is none. `normalize` reads a handle as normalize_handle does."""
        if len(path) > 2 or (len(path) == 2 and path[1] not in ("about", "featured", "") and path[0] != "_u"):
            return None  # a post, a status, a reel: not the account itself
        first = path[0]
        if self.app_links and first == "_u" and len(path) == 2:
            first = path[1]  # the app deep link host/_u/NAME
        if first.lower() in self.reserved:
            return None
        if self.at_in_url and not first.startswith("@"):
            return None
        if first.lower().lstrip("@") in self.url_reserved:
            return None
        return normalize(first)

    def fragment_path(self, parts: SplitResult) -> list[str]:
        """The path of a profile URL without one: none but where the platform's old links kept it."""
        return []

    def from_any_host(self, host: str, path: list[str], normalize: Normalize) -> str | None:
        """For a platform on any host: the handle of a profile URL on `host`, else None."""
        return None


Normalize = Callable[[str], str]


@dataclass(frozen=True)
class XHandles(Handles):
    """X: also the old twitter.com/#!/NAME links and "follow us" intents (intent/follow?screen_name=NAME)."""

    def from_url(self, path: list[str], parts: SplitResult, normalize: Normalize) -> str | None:
        if path[0].lower() == "intent" and path[1:2] in (["follow"], ["user"]):
            # A "follow us" button names the account itself; other intents (tweet) are shares.
            names = parse_qs(parts.query).get("screen_name")
            return normalize(names[0]) if names else None
        return super().from_url(path, parts, normalize)

    def fragment_path(self, parts: SplitResult) -> list[str]:
        """The path an old link keeps in its fragment: twitter.com/#!/NAME."""
        return [p for p in parts.fragment[2:].split("/") if p] if parts.fragment.startswith("!/") else []


@dataclass(frozen=True)
class BlueskyHandles(Handles):
    """Bluesky: a domain or a DID; profiles at bsky.app/profile/HANDLE."""

    def from_url(self, path: list[str], parts: SplitResult, normalize: Normalize) -> str | None:
        if path[0] != "profile" or len(path) != 2:
            return None
        return normalize(path[1])


@dataclass(frozen=True)
class MastodonHandles(Handles):
    """Mastodon: user@instance; a profile lives on its instance, https://INSTANCE/@user."""

    def from_any_host(self, host: str, path: list[str], normalize: Normalize) -> str | None:
        if len(path) == 1 and path[0].startswith("@") and "@" not in path[0][1:] and host:
            try:
                return normalize(f"{path[0]}@{host}")
            except HandleError:
                return None
        return None

    def profile_url(self, handle: str) -> str:
        user, instance = handle.split("@", 1)
        return self.url.format(user=user, instance=instance)


_YT_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
# A legacy username (youtube.com/user/NAME): not a handle; channels.list finds it by forUsername.
_YT_USER = re.compile(r"^user/[a-z0-9._-]{1,50}$")


@dataclass(frozen=True)
class YouTubeHandles(Handles):
    """YouTube: a channel id (UC…, case-sensitive), an @handle or a legacy user/NAME."""

    def is_url(self, raw: str) -> bool:
        return not raw.lower().startswith("user/") and super().is_url(raw)

    def normalize(self, raw: str) -> str:
        if _YT_CHANNEL.match(raw):
            return raw  # channel ids are case-sensitive
        if raw.lower().startswith("user/"):
            handle = raw.lower().rstrip("/")
            if not _YT_USER.match(handle):
                raise HandleError(f"{raw!r} is not a YouTube legacy username (user/NAME)")
            return handle
        handle = raw.lower() if raw.startswith("@") else "@" + raw.lower()
        if not re.match(self.pattern, handle):
            raise HandleError(f"{raw!r} is not {self.what}")
        return handle

    def profile_url(self, handle: str) -> str:
        if handle.startswith(("@", "user/")):
            return f"https://www.youtube.com/{handle}"
        return f"https://www.youtube.com/channel/{handle}"

    def from_url(self, path: list[str], parts: SplitResult, normalize: Normalize) -> str | None:
        if (
            path[0].startswith("@")
            and len(path) <= 2
            and (len(path) == 1 or path[1] in ("videos", "featured", "about", "shorts", "streams"))
        ):
            return normalize(path[0])
        if path[0] == "channel" and len(path) >= 2:
            return normalize(path[1])
        if path[0] == "user" and len(path) >= 2:
            return normalize("user/" + path[1])
        if path[0] == "c" and len(path) >= 2:
            # A custom URL has no API lookup; YouTube turned custom URLs into the handle of
            # the same name, so the handle is the best reading of it.
            return normalize("@" + path[1])
        return None


@dataclass(frozen=True)
class FacebookHandles(Handles):
    """Facebook: a page name or a numeric id (profile.php?id=N, pages/Some-Name/N)."""

    def profile_url(self, handle: str) -> str:
        if handle.isdigit():
            return f"https://www.facebook.com/profile.php?id={handle}"
        return super().profile_url(handle)

    def from_url(self, path: list[str], parts: SplitResult, normalize: Normalize) -> str | None:
        if path[0] in ("profile.php",):
            ids = parse_qs(parts.query).get("id")
            return ids[0] if ids and ids[0].isdigit() else None
        if path[0] == "pg" and len(path) >= 2:
            path = path[1:]  # the old facebook.com/pg/NAME/posts page links
        elif path[0] == "pages" and len(path) >= 3:
            # facebook.com/pages/Some-Name/123456: the page's numeric id is the handle.
            return path[2] if path[2].isdigit() else None
        if path[0].lower() in self.reserved or len(path) > 2:
            return None
        if len(path) == 2 and path[1] not in ("about", "posts", "timeline", "community"):
            return None
        return normalize(path[0])


@dataclass(frozen=True)
class LinkedInHandles(Handles):
    """LinkedIn: company/NAME (or showcase/, school/); a bare NAME is a company."""

    def is_url(self, raw: str) -> bool:
        # a handle has a slash of its own (company/name)
        return (
            "://" in raw or raw.lower().startswith(("www.", "m.")) or raw.startswith(("http", "linkedin.com"))
        )

    def normalize(self, raw: str) -> str:
        handle = raw.strip("/").lower()
        if "/" not in handle:
            handle = "company/" + handle
        if not re.match(self.pattern, handle):
            raise HandleError(f"{raw!r} is not {self.what}")
        return handle

    def from_url(self, path: list[str], parts: SplitResult, normalize: Normalize) -> str | None:
        if path[0] not in ("company", "showcase", "school") or len(path) < 2:
            return None
        if len(path) > 2 and path[2] not in ("about", "posts", "life", "jobs", "mycompany"):
            return None
        return normalize(f"{path[0]}/{path[1]}")


# Paths of the sites that are never an account.
X_RESERVED = _words(
    "intent share home i search hashtag explore settings login signup messages notifications privacy "
    "tos compose account oauth"
)
FACEBOOK_RESERVED = _words(
    "sharer sharer.php share share.php dialog plugins tr login login.php groups events watch photo "
    "photo.php photos story.php permalink.php hashtag help policies privacy pages gaming marketplace"
)
INSTAGRAM_RESERVED = _words("p reel reels explore stories accounts tv about legal")
TIKTOK_RESERVED = _words("share embed tag music discover video")
