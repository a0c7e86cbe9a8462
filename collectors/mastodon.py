"""Mastodon accounts through each account's home instance (no auth)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bs4 import BeautifulSoup

from collectors.base import Collector, Follower, as_count, parse_time
from collectors.http import CollectError, Fetched, HostLimit
from warehouse.inputs.targets import Target
from warehouse.landing.records import Account, Comment, Post, Snapshot


class MastodonCollector(Collector):
    """Mastodon accounts through each account's home instance (no auth)."""

    platform = "mastodon"
    batch_size = 1  # accounts/lookup takes one account
    api_env = "FINSOCIAL_MASTODON_API"  # when set, replaces every instance's origin
    default_api = ""
    # Mastodon's default limit is 300 requests per 5 minutes per IP (1/s) on each instance: 90% of
    # it, and a burst of one second's allowance. A larger burst, after a 429's wait, spends the
    # tokens saved while waiting at once and draws a 429 on every other request (half the pace).
    host_limit = HostLimit(per_second=0.9, burst=1, concurrency=2)
    page_size = 40  # the statuses endpoint's maximum
    followers_page_size = 80  # the followers endpoint's maximum
    profiles_show_activity = True  # an Account carries last_status_at
    # Webcare: the 10 most recent posts' contexts an account a night (only posts with replies cost
    # a request), within 3,000 requests a night: 200 accounts take at most 2,200.
    webcare_posts = 10
    webcare_requests = 3000

    def origin(self, handle: str) -> str:
        return self.base_url or f"https://{handle.split('@', 1)[1]}"

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        if fetched.status in (404, 410):
            return CollectError("not_found", f"{fetched.url}: account not found", fetched.status)
        if fetched.status in (401, 403):
            # Instances that close their API to anonymous readers answer 401 or 403.
            return CollectError("private", f"{fetched.url}: the instance requires a login", fetched.status)
        return super().error_for(fetched, payload)

    def fetch_profiles(self, handles: list[str]) -> dict[str, dict | CollectError | None]:
        found: dict[str, dict | CollectError | None] = {}
        for handle in handles:
            try:
                # acct with the domain: an instance resolves its own domain as a local account.
                payload = self.get_json(
                    f"{self.origin(handle)}/api/v1/accounts/lookup",
                    params={"acct": handle},
                    raw_name=f"lookup-{handle}",
                )
            except CollectError as exc:
                found[handle] = exc
                continue
            if not isinstance(payload, dict):
                found[handle] = CollectError("parse_error", "accounts/lookup answer is not an account")
            elif payload.get("suspended"):
                found[handle] = None
            else:
                found[handle] = payload
        return found

    def parse_profile(self, profile: dict, target: Target) -> tuple[Snapshot, Account]:
        if "followers_count" not in profile:
            raise CollectError(
                "parse_error", f"mastodon {target.handle}: followers_count missing from the profile"
            )
        snapshot = self.snapshot(
            target,
            # -1 means the owner hides the count: NULL, not a number.
            followers=as_count(profile.get("followers_count"), "followers_count"),
            following=as_count(profile.get("following_count"), "following_count"),
            posts_total=as_count(profile.get("statuses_count"), "statuses_count"),
            platform_id=str(profile["id"]),
        )
        account = self.account(
            target, platform_id=str(profile["id"]), display_name=profile.get("display_name") or None
        )
        return snapshot, account

    def followers_total(self, profile: dict) -> int | None:
        return as_count(profile.get("followers_count"), "followers_count")

    def fetch_followers(self, target: Target, profile: dict, size: int) -> list[Follower]:
        # Newest follows first, Link-header paging; an account that hides its network gets [].
        origin = self.origin(target.handle)
        url: str | None = f"{origin}/api/v1/accounts/{profile['id']}/followers"
        params: dict | None = {"limit": min(self.followers_page_size, size)}
        sampled: list[Follower] = []
        while url and len(sampled) < size:
            fetched = self.fetch(url, params=params, raw_name=None)
            page = fetched.json()
            if not isinstance(page, list):
                raise CollectError("parse_error", "followers answer is not a list")
            sampled += [follower_of(account) for account in page if isinstance(account, dict)]
            if not page:
                break
            url, params = (fetched.links.get("next") or {}).get("url"), None
            if url and not url.startswith(origin + "/"):
                break  # a next link to another host is not followed
        return sampled[:size]

    def fetch_posts(self, target: Target, profile: dict) -> list[Any]:
        origin = self.origin(target.handle)
        url: str | None = f"{origin}/api/v1/accounts/{profile['id']}/statuses"
        params: dict | None = {
            "limit": self.page_size,
            "exclude_reblogs": "true",
            "exclude_replies": "true",
        }
        pages: list[Any] = []
        while url:
            fetched = self.fetch(url, params=params, raw_name=f"statuses-{target.handle}")
            page = fetched.json()
            if not isinstance(page, list):
                raise CollectError("parse_error", "statuses answer is not a list")
            pages.append(page)
            older = [parse_time(s.get("created_at"), "created_at") for s in page if isinstance(s, dict)]
            if not page or min(older, default=self.now) <= self.cutoff:
                break
            # The Link header's rel="next" carries max_id; it already holds every parameter.
            url, params = (fetched.links.get("next") or {}).get("url"), None
            if url and not url.startswith(origin + "/"):
                break  # a next link to another host is not followed
        return pages

    def parse_posts(self, pages: list[Any], target: Target) -> list[Post]:
        posts: dict[str, Post] = {}
        for page in pages:
            for status in page:
                if status.get("reblog"):
                    continue  # a boost of someone else's post
                posted_at = parse_time(status.get("created_at"), "created_at")
                if not self.in_window(posted_at) or str(status["id"]) in posts:
                    continue
                posts[str(status["id"])] = self.post(
                    target,
                    post_id=str(status["id"]),
                    posted_at=posted_at,
                    url=status.get("url") or status.get("uri"),
                    text=status_text(status.get("content")),
                    likes=as_count(status.get("favourites_count"), "favourites_count"),
                    comments=as_count(status.get("replies_count"), "replies_count"),
                    shares=as_count(status.get("reblogs_count"), "reblogs_count"),
                    quotes=as_count(status.get("quotes_count"), "quotes_count"),
                )
        return list(posts.values())

    # -- webcare -------------------------------------------------------------------------------

    def fetch_thread(self, target: Target, profile: dict, post: Post) -> list[Comment]:
        context = self._context(target, post.post_id)
        descendants = context.get("descendants") if isinstance(context, dict) else None
        # without a token an instance shows at most CONTEXT_LIMIT descendants: fewer is all of them
        complete = isinstance(descendants, list) and len(descendants) < CONTEXT_LIMIT
        comments = [self.thread_root(target, post, complete=complete)]
        for question in self.parse_context(context, target, post.post_id, comments):
            # Without a token an instance cuts a context short (60 descendants, 20 levels): a
            # question with more replies than the context showed is opened on its own.
            self.parse_context(self._context(target, question), target, post.post_id, comments)
        return comments

    def _context(self, target: Target, status_id: str) -> Any:
        return self.get_json(
            f"{self.origin(target.handle)}/api/v1/statuses/{status_id}/context",
            raw_name=f"context-{target.handle}",
        )

    def parse_context(self, context: Any, target: Target, root: str, into: list[Comment]) -> list[str]:
        """Add a context's descendants to `into`; return the direct replies to `root` whose own
        replies the context shows fewer of than their replies_count (a truncated context)."""
        descendants = context.get("descendants") if isinstance(context, dict) else None
        if not isinstance(descendants, list):
            raise CollectError("parse_error", "context answer has no descendants list")
        known = {c.comment_id for c in into}
        children: dict[str, int] = {}
        for status in descendants:
            parent = status.get("in_reply_to_id")
            if parent is not None:
                children[str(parent)] = children.get(str(parent), 0) + 1
        truncated = []
        for status in descendants:
            status_id = str(status["id"])
            parent = status.get("in_reply_to_id")
            if status_id in known or parent is None:
                continue
            author = status.get("account") or {}
            into.append(
                self.comment(
                    target,
                    root,
                    status_id,
                    str(parent),
                    parse_time(status.get("created_at"), "created_at"),
                    self.is_institution(target, self.full_acct(target, author), str(author.get("id", ""))),
                    status_text(status.get("content")),
                )
            )
            if str(parent) == root and (as_count(status.get("replies_count")) or 0) > children.get(
                status_id, 0
            ):
                truncated.append(status_id)
        return truncated

    def full_acct(self, target: Target, author: dict) -> str:
        """An author's acct with its domain: a local account's acct leaves the domain out."""
        acct = str(author.get("acct") or "")
        return acct if "@" in acct else f"{acct}@{target.handle.split('@', 1)[-1]}"

    def fetch_own_replies(self, target: Target, profile: dict) -> list[Comment]:
        page = self.get_json(
            f"{self.origin(target.handle)}/api/v1/accounts/{profile['id']}/statuses",
            params={"limit": self.page_size, "exclude_reblogs": "true"},
            raw_name=f"statuses-replies-{target.handle}",
        )
        if not isinstance(page, list):
            raise CollectError("parse_error", "statuses answer is not a list")
        return self.parse_own_replies(page, target, str(profile["id"]))

    def parse_own_replies(self, page: list, target: Target, account_id: str) -> list[Comment]:
        """The account's replies to others (in_reply_to_id set, to another account's status)."""
        replies = []
        for status in page:
            parent = status.get("in_reply_to_id")
            if parent is None or str(status.get("in_reply_to_account_id")) == account_id:
                continue  # a post of its own, or a continuation of its own thread
            created = parse_time(status.get("created_at"), "created_at")
            if self.in_window(created):
                replies.append(
                    self.comment(target, str(parent), str(status["id"]), str(parent), created, True)
                )
        return replies


# An instance answers a context without a token with at most 60 descendants (Mastodon 4.3+).
CONTEXT_LIMIT = 60


def follower_of(account: dict) -> Follower:
    """A follower's counts from their Account: followers_count (-1 hidden) and last_status_at.

    last_status_at is a date (YYYY-MM-DD), null when the account has no statuses; for a remote
    account it is the last status the instance saw, which can be older than the true last one.
    """
    followers = as_count(account.get("followers_count"), "followers_count")
    last = account.get("last_status_at")
    if isinstance(last, str) and last:
        try:
            return Follower(followers, True, dt.date.fromisoformat(last[:10]))
        except ValueError:
            raise CollectError("parse_error", f"last_status_at {last!r} is not a date") from None
    never_posted = as_count(account.get("statuses_count"), "statuses_count") == 0
    return Follower(followers, never_posted, None)


def status_text(content: object) -> str | None:
    """A status's text: Mastodon sends its content as HTML (paragraphs, links, mentions)."""
    if not isinstance(content, str) or not content:
        return None
    soup = BeautifulSoup(content.replace("<br>", "\n").replace("<br />", "\n"), "html.parser")
    paragraphs = [p.get_text() for p in soup.find_all("p")] or [soup.get_text()]
    return "\n\n".join(paragraphs).strip() or None
