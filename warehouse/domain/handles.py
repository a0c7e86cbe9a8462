"""Account handles: one normal form per platform, from a handle or a profile URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit


class HandleError(ValueError):
    """A value that is not a handle or profile URL of the platform."""


_X_RESERVED = {
    "intent",
    "share",
    "home",
    "i",
    "search",
    "hashtag",
    "explore",
    "settings",
    "login",
    "signup",
    "messages",
    "notifications",
    "privacy",
    "tos",
    "compose",
    "account",
    "oauth",
}
_FB_RESERVED = {
    "sharer",
    "sharer.php",
    "share",
    "share.php",
    "dialog",
    "plugins",
    "tr",
    "login",
    "login.php",
    "groups",
    "events",
    "watch",
    "photo",
    "photo.php",
    "photos",
    "story.php",
    "permalink.php",
    "hashtag",
    "help",
    "policies",
    "privacy",
    "pages",
    "gaming",
    "marketplace",
}
_IG_RESERVED = {"p", "reel", "reels", "explore", "stories", "accounts", "tv", "about", "legal"}
_TT_RESERVED = {"share", "embed", "tag", "music", "discover", "video"}

_HOSTS = {
    "bsky.app": "bluesky",
    "youtube.com": "youtube",
    "youtu.be": None,  # a video, never an account
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "linkedin.com": "linkedin",
    "tiktok.com": "tiktok",
    "threads.net": "threads",
    "threads.com": "threads",
}

_BSKY = re.compile(
    r"^(did:plc:[a-z2-7]{24}|did:web:[a-z0-9.-]+|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,})$"
)
_MASTODON = re.compile(r"^[a-z0-9_]{1,30}@([a-z0-9-]+\.)+[a-z0-9-]{2,}$")
_YT_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_YT_HANDLE = re.compile(r"^@[a-z0-9._-]{3,30}$")
# A legacy username (youtube.com/user/NAME): not a handle; channels.list finds it by forUsername.
_YT_USER = re.compile(r"^user/[a-z0-9._-]{1,50}$")
_X = re.compile(r"^[a-z0-9_]{1,15}$")
_FB = re.compile(r"^[a-z0-9.\-]{3,80}$")
_IG = re.compile(r"^[a-z0-9._]{1,30}$")
_LI = re.compile(r"^(company|showcase|school)/[a-z0-9%._\-]{2,100}$")
_TT = re.compile(r"^[a-z0-9._]{2,24}$")


# Subdomains that still show the platform's own profile pages: www, mobile, and language or
# country editions (nl-nl.facebook.com, uk.linkedin.com, es-la.facebook.com, vm.tiktok.com).
_EDITION = re.compile(r"^(?:(?:www|m|mobile|web|[a-z]{2}(?:[-_][a-z]{2})?)\.)+$")


def _host(netloc: str) -> str:
    """The platform host a URL's host stands for (its edition subdomains dropped), else the
    host itself without www. (any Mastodon instance, whose subdomains are its own)."""
    host = netloc.lower().split("@")[-1].split(":")[0].rstrip(".")
    for known in _HOSTS:
        if host == known or (host.endswith("." + known) and _EDITION.match(host[: -len(known)])):
            return known
    return host.removeprefix("www.")


def _path_parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


def parse_profile_url(url: str) -> tuple[str, str] | None:
    """(platform, handle) for an account's profile URL; None for share links, posts and others."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", ""):
        return None
    host = _host(parts.netloc)
    platform = _HOSTS.get(host)
    path = _path_parts(parts.path)
    if platform == "x" and not path and parts.fragment.startswith("!/"):
        path = _path_parts(parts.fragment[2:])  # the old twitter.com/#!/NAME links
    if platform is None:
        # A Mastodon profile lives on any instance: https://bank.example/@news
        if len(path) == 1 and path[0].startswith("@") and "@" not in path[0][1:] and host:
            try:
                return "mastodon", normalize_handle("mastodon", f"{path[0]}@{host}")
            except HandleError:
                return None
        return None
    if not path:
        return None
    try:
        if platform == "bluesky":
            if path[0] != "profile" or len(path) != 2:
                return None
            return platform, normalize_handle(platform, path[1])
        if platform == "youtube":
            if (
                path[0].startswith("@")
                and len(path) <= 2
                and (len(path) == 1 or path[1] in ("videos", "featured", "about", "shorts", "streams"))
            ):
                return platform, normalize_handle(platform, path[0])
            if path[0] == "channel" and len(path) >= 2:
                return platform, normalize_handle(platform, path[1])
            if path[0] == "user" and len(path) >= 2:
                return platform, normalize_handle(platform, "user/" + path[1])
            if path[0] == "c" and len(path) >= 2:
                # A custom URL has no API lookup; YouTube turned custom URLs into the handle of
                # the same name, so the handle is the best reading of it.
                return platform, normalize_handle(platform, "@" + path[1])
            return None
        if platform == "facebook":
            if path[0] in ("profile.php",):
                ids = parse_qs(parts.query).get("id")
                return (platform, ids[0]) if ids and ids[0].isdigit() else None
            if path[0] == "pg" and len(path) >= 2:
                path = path[1:]  # the old facebook.com/pg/NAME/posts page links
            elif path[0] == "pages" and len(path) >= 3:
                # facebook.com/pages/Some-Name/123456: the page's numeric id is the handle.
                return (platform, path[2]) if path[2].isdigit() else None
            if path[0].lower() in _FB_RESERVED or len(path) > 2:
                return None
            if len(path) == 2 and path[1] not in ("about", "posts", "timeline", "community"):
                return None
            return platform, normalize_handle(platform, path[0])
        if platform == "linkedin":
            if path[0] not in ("company", "showcase", "school") or len(path) < 2:
                return None
            if len(path) > 2 and path[2] not in ("about", "posts", "life", "jobs", "mycompany"):
                return None
            return platform, normalize_handle(platform, f"{path[0]}/{path[1]}")
        if platform == "x" and path[0].lower() == "intent" and path[1:2] in (["follow"], ["user"]):
            # A "follow us" button names the account itself; other intents (tweet) are shares.
            names = parse_qs(parts.query).get("screen_name")
            return (platform, normalize_handle(platform, names[0])) if names else None
        if len(path) > 2 or (len(path) == 2 and path[1] not in ("about", "featured", "") and path[0] != "_u"):
            return None  # a post, a status, a reel: not the account itself
        first = path[0]
        if platform == "instagram" and first == "_u" and len(path) == 2:
            first = path[1]  # the app deep link instagram.com/_u/NAME
        if platform == "x" and first.lower() in _X_RESERVED:
            return None
        if platform == "instagram" and first.lower() in _IG_RESERVED:
            return None
        if platform in ("tiktok", "threads") and not first.startswith("@"):
            return None
        if platform == "tiktok" and first.lower().lstrip("@") in _TT_RESERVED:
            return None
        return platform, normalize_handle(platform, first)
    except HandleError:
        return None


def normalize_handle(platform: str, value: str) -> str:
    """The normal form of a handle or profile URL for `platform`; HandleError if it is not one."""
    raw = (value or "").strip()
    if not raw:
        raise HandleError("empty handle")
    if platform == "youtube" and raw.lower().startswith("user/"):
        return _normalize_plain(platform, raw)
    if "://" in raw or raw.lower().startswith(("www.", "m.")) or "/" in raw and platform != "linkedin":
        url = raw if "://" in raw else "https://" + raw
        found = parse_profile_url(url)
        if found is None:
            raise HandleError(f"{raw!r} is not a {platform} profile URL")
        if found[0] != platform:
            raise HandleError(f"{raw!r} is a {found[0]} URL, not {platform}")
        return found[1]
    if platform == "linkedin" and raw.startswith(("http", "linkedin.com")):
        return normalize_handle(platform, "https://" + raw.split("://")[-1])
    return _normalize_plain(platform, raw)


def _normalize_plain(platform: str, raw: str) -> str:
    if platform == "bluesky":
        handle = raw.lstrip("@").lower()
        if not _BSKY.match(handle):
            raise HandleError(f"{raw!r} is not a Bluesky handle (name.bsky.social or a domain)")
        return handle
    if platform == "mastodon":
        handle = raw.lstrip("@").lower()
        if not _MASTODON.match(handle):
            raise HandleError(f"{raw!r} is not a Mastodon address (@user@instance.example)")
        return handle
    if platform == "youtube":
        if _YT_CHANNEL.match(raw):
            return raw  # channel ids are case-sensitive
        if raw.lower().startswith("user/"):
            handle = raw.lower().rstrip("/")
            if not _YT_USER.match(handle):
                raise HandleError(f"{raw!r} is not a YouTube legacy username (user/NAME)")
            return handle
        handle = raw.lower() if raw.startswith("@") else "@" + raw.lower()
        if not _YT_HANDLE.match(handle):
            raise HandleError(f"{raw!r} is not a YouTube channel id (UC…), @handle or user/NAME")
        return handle
    if platform == "x":
        handle = raw.lstrip("@").lower()
        if not _X.match(handle) or handle in _X_RESERVED:
            raise HandleError(f"{raw!r} is not an X username (1-15 letters, digits or _)")
        return handle
    if platform == "facebook":
        handle = raw.lstrip("@").lower()
        if not _FB.match(handle) or handle in _FB_RESERVED:
            raise HandleError(f"{raw!r} is not a Facebook page name or id")
        return handle
    if platform in ("instagram", "threads"):
        handle = raw.lstrip("@").lower()
        if not _IG.match(handle) or handle in _IG_RESERVED:
            raise HandleError(f"{raw!r} is not an {platform.title()} username")
        return handle
    if platform == "linkedin":
        handle = raw.strip("/").lower()
        if "/" not in handle:
            handle = "company/" + handle
        if not _LI.match(handle):
            raise HandleError(f"{raw!r} is not a LinkedIn company page (company/name)")
        return handle
    if platform == "tiktok":
        handle = raw.lstrip("@").lower()
        if not _TT.match(handle):
            raise HandleError(f"{raw!r} is not a TikTok username")
        return handle
    raise HandleError(f"unknown platform {platform!r}")


def profile_url(platform: str, handle: str) -> str:
    """The public profile URL of a normalized handle."""
    if platform == "bluesky":
        return f"https://bsky.app/profile/{handle}"
    if platform == "mastodon":
        user, instance = handle.split("@", 1)
        return f"https://{instance}/@{user}"
    if platform == "youtube":
        if handle.startswith(("@", "user/")):
            return f"https://www.youtube.com/{handle}"
        return f"https://www.youtube.com/channel/{handle}"
    if platform == "x":
        return f"https://x.com/{handle}"
    if platform == "facebook":
        if handle.isdigit():
            return f"https://www.facebook.com/profile.php?id={handle}"
        return f"https://www.facebook.com/{handle}"
    if platform == "instagram":
        return f"https://www.instagram.com/{handle}/"
    if platform == "linkedin":
        return f"https://www.linkedin.com/{handle}/"
    if platform == "tiktok":
        return f"https://www.tiktok.com/@{handle}"
    if platform == "threads":
        return f"https://www.threads.net/@{handle}"
    raise HandleError(f"unknown platform {platform!r}")
