"""Account handles: one normal form per platform, from a handle or a profile URL.

Each platform's grammar is on its row (warehouse/domain/platforms.py, `handles`); this reads
any value through the table.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from warehouse.domain.grammar import HandleError
from warehouse.domain.platforms import PLATFORM_BY_NAME, PLATFORM_TABLE

__all__ = ["HandleError", "normalize_handle", "parse_profile_url", "profile_url"]

# Each platform's hosts, and the hosts of a platform that never show an account (None).
_HOSTS: dict[str, str | None] = {
    **{host: p.name for p in PLATFORM_TABLE for host in p.handles.hosts},
    **{host: None for p in PLATFORM_TABLE for host in p.handles.not_accounts},
}
# Platforms whose accounts live on any host (Mastodon's instances).
_ANY_HOST = [p for p in PLATFORM_TABLE if p.handles.any_host]

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
    name = _HOSTS.get(host)
    path = _path_parts(parts.path)
    if name is None:
        for row in _ANY_HOST:
            found = row.handles.from_any_host(host, path, lambda v, n=row.name: normalize_handle(n, v))
            if found is not None:
                return row.name, found
        return None
    grammar = PLATFORM_BY_NAME[name].handles
    if not path:
        path = grammar.fragment_path(parts)
    if not path:
        return None
    try:
        found = grammar.from_url(path, parts, lambda v: normalize_handle(name, v))
    except HandleError:
        return None
    return (name, found) if found is not None else None


def normalize_handle(platform: str, value: str) -> str:
    """The normal form of a handle or profile URL for `platform`; HandleError if it is not one."""
    raw = (value or "").strip()
    if not raw:
        raise HandleError("empty handle")
    row = PLATFORM_BY_NAME.get(platform)
    if row is None:
        raise HandleError(f"unknown platform {platform!r}")
    if row.handles.is_url(raw):
        found = parse_profile_url(row.handles.as_url(raw))
        if found is None:
            raise HandleError(f"{raw!r} is not a {platform} profile URL")
        if found[0] != platform:
            raise HandleError(f"{raw!r} is a {found[0]} URL, not {platform}")
        return found[1]
    return row.handles.normalize(raw)


def profile_url(platform: str, handle: str) -> str:
    """The public profile URL of a normalized handle."""
    row = PLATFORM_BY_NAME.get(platform)
    if row is None:
        raise HandleError(f"unknown platform {platform!r}")
    return row.handles.profile_url(handle)
