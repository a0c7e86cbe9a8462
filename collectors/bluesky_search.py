"""Bluesky mentions through app.bsky.feed.searchPosts, with an app password's session."""

from __future__ import annotations

from typing import Any

from collectors.base import parse_time
from collectors.http import CollectError, Fetched, HostLimit
from collectors.mentions import Found, SearchSource, SearchTarget

IDENTIFIER_ENV = "FINSOCIAL_BLUESKY_IDENTIFIER"
PASSWORD_ENV = "FINSOCIAL_BLUESKY_APP_PASSWORD"
# XRPC errors that mean "the access token is spent": refresh the session and ask again.
EXPIRED = {"ExpiredToken"}


class _Expired(CollectError):
    """The access token expired mid-night (a session lives about two hours)."""


class BlueskySearch(SearchSource):
    """Bluesky posts that name an institution: searchPosts (sort=latest, since, cursor paging),
    authenticated since 2025 by a session from createSession with an app password."""

    platform = "bluesky"
    # searchPosts needs a session, so it goes to the account's PDS (bsky.social proxies it to the
    # AppView); FINSOCIAL_BLUESKY_PDS points elsewhere (a self-hosted PDS, the tests' server).
    api_env = "FINSOCIAL_BLUESKY_PDS"
    default_api = "https://bsky.social"
    credential_envs = (IDENTIFIER_ENV, PASSWORD_ENV)
    # A PDS allows 3,000 requests per 5 minutes per IP (10/s): pace at 80% of it. createSession has
    # a limit of its own (30 per 5 minutes, 300 a day per account): one session a night, refreshed.
    host_limit = HostLimit(per_second=8, burst=5, concurrency=2)
    page_size = 100  # searchPosts' maximum

    def __init__(self, client, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.access: str | None = None
        self.refresh: str | None = None

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"} if self.access else {}

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        name = payload.get("error") if isinstance(payload, dict) else None
        if name in EXPIRED:
            return _Expired("auth_missing", f"{fetched.url}: {name}", fetched.status)
        if fetched.status == 401 or name in ("AuthenticationRequired", "AuthMissing", "InvalidToken"):
            return CollectError(
                "auth_missing", f"{fetched.url}: session refused ({name or fetched.status})", fetched.status
            )
        if name == "BadQueryString":
            return CollectError(
                "http_error", f"{fetched.url}: the query was refused ({name})", fetched.status
            )
        return super().error_for(fetched, payload)

    # -- the session ---------------------------------------------------------------------------

    def _keep_session(self, fetched: Fetched, what: str) -> None:
        body = fetched.json()
        access = body.get("accessJwt") if isinstance(body, dict) else None
        refresh = body.get("refreshJwt") if isinstance(body, dict) else None
        if not isinstance(access, str) or not isinstance(refresh, str) or not access or not refresh:
            raise CollectError("parse_error", f"{what} answer has no accessJwt and refreshJwt")
        self.client.add_secret(access)  # never in a log, an error or a raw payload
        self.client.add_secret(refresh)
        self.access, self.refresh = access, refresh

    def open(self) -> None:
        """createSession with the identifier and app password (never kept, never logged)."""
        fetched = self.post_json(
            f"{self.base_url}/xrpc/com.atproto.server.createSession",
            {"identifier": self.credential(IDENTIFIER_ENV), "password": self.credential(PASSWORD_ENV)},
        )
        self._keep_session(fetched, "createSession")

    def renew(self) -> None:
        """refreshSession with the refresh token; a new session when that one expired too."""
        try:
            fetched = self.post_json(
                f"{self.base_url}/xrpc/com.atproto.server.refreshSession",
                None,
                headers={"Authorization": f"Bearer {self.refresh}"},
            )
        except _Expired:
            self.open()
            return
        self._keep_session(fetched, "refreshSession")

    def get_json(self, url: str, *, params: dict | list | None = None, raw_name: str | None) -> Any:
        try:
            return super().get_json(url, params=params, raw_name=raw_name)
        except _Expired:
            self.renew()
            return super().get_json(url, params=params, raw_name=raw_name)

    # -- the search ----------------------------------------------------------------------------

    def search(self, target: SearchTarget) -> list[Found]:
        found: list[Found] = []
        for query in target.terms.query_strings():
            cursor = None
            for page_number in range(self.pages):
                params = {
                    "q": query,
                    "sort": "latest",
                    "since": self.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "limit": self.page_size,
                }
                if cursor:
                    params["cursor"] = cursor
                page = self.get_json(
                    f"{self.base_url}/xrpc/app.bsky.feed.searchPosts",
                    params=params,
                    raw_name=f"searchPosts-{target.institution_id}",
                )
                posts, oldest = self.parse_search(page)
                found += posts
                cursor = page.get("cursor")
                if not cursor or not page.get("posts") or (oldest is not None and oldest < self.since):
                    break
                if page_number == self.pages - 1:
                    self.truncated += 1  # more pages than a night reads: the rest is not seen
        return found

    def parse_search(self, page: Any) -> tuple[list[Found], Any]:
        """A searchPosts answer's posts (a malformed one is skipped, not fatal), and the oldest time."""
        if not isinstance(page, dict) or not isinstance(page.get("posts"), list):
            raise CollectError("parse_error", "searchPosts answer has no posts list")
        found, oldest = [], None
        for post in page["posts"]:
            if not isinstance(post, dict):
                self.skip("not a post view")
                continue
            record = post.get("record") if isinstance(post.get("record"), dict) else {}
            author = post.get("author") if isinstance(post.get("author"), dict) else {}
            uri, did, text = post.get("uri"), author.get("did"), record.get("text")
            try:
                created = parse_time(record.get("createdAt") or post.get("indexedAt"), "createdAt")
            except CollectError:
                # a post without a readable time cannot be placed on a day
                self.skip("record.createdAt" if record else "record")
                continue
            fields = {
                "uri": isinstance(uri, str),
                "author.did": isinstance(did, str),
                "record.text": isinstance(text, str),
            }
            if self.lacks(fields):
                continue
            oldest = created if oldest is None else min(oldest, created)
            handle = author.get("handle") if isinstance(author.get("handle"), str) else ""
            found.append(Found(uri, did, created, text, (did, handle)))
        return found, oldest
