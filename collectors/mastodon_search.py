"""Mastodon mentions: hashtag timelines on the instances an operator lists, full-text search with a token."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from collectors.base import parse_time
from collectors.http import CollectError, Fetched, HostLimit
from collectors.mentions import Found, SearchSource, SearchTarget

INSTANCES_ENV = "FINSOCIAL_MASTODON_INSTANCES"  # e.g. "mastodon.social,mastodon.nl"
TOKEN_ENV = "FINSOCIAL_MASTODON_SEARCH_TOKEN"  # an access token of an account on the first instance


def origins(value: str | None) -> list[str]:
    """The listed instances as origins: "mastodon.social" is https://mastodon.social."""
    found = []
    for item in (value or "").split(","):
        item = item.strip().rstrip("/")
        if not item:
            continue
        origin = item if "://" in item else f"https://{item}"
        if origin not in found:
            found.append(origin)
    return found


class MastodonSearch(SearchSource):
    """Mastodon posts that name an institution: each of its #hashtag terms on the tag timeline
    (/api/v1/timelines/tag/:hashtag, public) of every listed instance, paged back with the Link
    header's max_id; and, with a token, full-text search (/api/v2/search) on the first instance,
    which finds the posts that instance has indexed (Mastodon 4.2+ indexes opted-in public posts)."""

    platform = "mastodon"
    api_env = INSTANCES_ENV  # not one base URL: the instances listed (origins())
    default_api = ""
    switch_env = INSTANCES_ENV
    # 300 requests per 5 minutes per IP on each instance (1/s): 90% of it, a burst of one.
    host_limit = HostLimit(per_second=0.9, burst=1, concurrency=2)
    page_size = 40  # the timelines' and search's maximum

    def __init__(self, client, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.instances = origins(self.env.get(INSTANCES_ENV))
        self.token = self.env.get(TOKEN_ENV) or None
        client.add_secret(self.token)

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        if fetched.status in (401, 403):
            return CollectError(
                "auth_missing",
                f"{fetched.url}: the instance requires a login (HTTP {fetched.status})",
                fetched.status,
            )
        if fetched.status == 404:
            return CollectError("not_found", f"{fetched.url}: no such hashtag or endpoint", 404)
        return super().error_for(fetched, payload)

    def search(self, target: SearchTarget) -> list[Found]:
        found: list[Found] = []
        for origin in self.instances:
            for tag in target.terms.hashtags():
                url = f"{origin}/api/v1/timelines/tag/{quote(tag, safe='')}"
                found += self._paged(origin, url, {"limit": self.page_size}, f"tag-{target.institution_id}")
        if self.token and self.instances:
            origin = self.instances[0]
            for query in target.terms.query_strings():
                found += self._full_text(origin, query, target)
        return found

    def auth_headers(self) -> dict[str, str]:
        return {}

    def _paged(self, origin: str, url: str | None, params: dict | None, raw_name: str) -> list[Found]:
        found: list[Found] = []
        for page_number in range(self.pages):
            if not url:
                break
            fetched = self.fetch(url, params=params, raw_name=raw_name)
            page = fetched.json()
            statuses, oldest = self.parse_statuses(page, origin)
            found += statuses
            if not page or (oldest is not None and oldest < self.since):
                break
            # rel="next" carries max_id (older posts) and every other parameter already
            url, params = (fetched.links.get("next") or {}).get("url"), None
            if url and not url.startswith(origin + "/"):
                break  # a next link to another host is not followed
            if url and page_number == self.pages - 1:
                self.truncated += 1
        return found

    def _full_text(self, origin: str, query: str, target: SearchTarget) -> list[Found]:
        found: list[Found] = []
        headers = {"Authorization": f"Bearer {self.token}"}
        for page_number in range(self.pages):
            params = {
                "q": query,
                "type": "statuses",
                "limit": self.page_size,
                "offset": page_number * self.page_size,
            }
            limit, bucket = self.limit_for(origin)
            fetched = self.client.get(
                f"{origin}/api/v2/search",
                params=params,
                headers=headers,
                limit=limit,
                bucket=bucket,
                platform=self.request_label,
            )
            self.keep_raw(f"search-{target.institution_id}", fetched.text)
            if fetched.status >= 400:
                raise self.error_for(fetched, None) or CollectError(
                    "http_error", f"{fetched.url}: HTTP {fetched.status}"
                )
            body = fetched.json()
            statuses = body.get("statuses") if isinstance(body, dict) else None
            if not isinstance(statuses, list):
                raise CollectError("parse_error", "search answer has no statuses list")
            posts, _ = self.parse_statuses(statuses, origin)
            found += posts
            if len(statuses) < self.page_size:
                break
        return found

    def parse_statuses(self, page: Any, origin: str) -> tuple[list[Found], Any]:
        """Statuses as Found posts (boosts and malformed statuses skipped), and the oldest time."""
        if not isinstance(page, list):
            raise CollectError("parse_error", "timeline answer is not a list")
        host = urlsplit(origin).netloc
        found, oldest = [], None
        for status in page:
            if not isinstance(status, dict):
                self.skip("not a status")
                continue
            try:
                created = parse_time(status.get("created_at"), "created_at")
            except CollectError:
                self.skip("created_at")
                continue
            oldest = created if oldest is None else min(oldest, created)
            if status.get("reblog"):
                continue  # a boost: someone else's words, found again under their own post
            account = status.get("account") if isinstance(status.get("account"), dict) else {}
            acct, content = account.get("acct"), status.get("content")
            # the status's uri is the same on every instance that shows it: one mention, not two
            post_id = status.get("uri") or status.get("url")
            fields = {
                "account.acct": isinstance(acct, str),
                "content": isinstance(content, str),
                "uri": isinstance(post_id, str),
            }
            if self.lacks(fields):
                continue
            full = acct if "@" in acct else f"{acct}@{host}"
            found.append(
                Found(
                    post_id,
                    account.get("url") or full,
                    created,
                    content,
                    (full, str(account.get("url") or "")),
                )
            )
        return found, oldest
