"""Bluesky accounts through the public AppView API (no auth)."""

from __future__ import annotations

from typing import Any

from collectors.base import Collector, Follower, as_count, chunks, parse_time
from collectors.http import CollectError, Fetched, HostLimit
from warehouse.inputs.targets import Target
from warehouse.landing.records import Account, Comment, Post, Snapshot

REPOST = "app.bsky.feed.defs#reasonRepost"
PIN = "app.bsky.feed.defs#reasonPin"
# Feed errors that mean "this viewer may not see the posts", not "no such account".
PRIVATE_ERRORS = {"AuthMissing", "BlockedActor", "BlockedByActor"}
GONE_ERRORS = {"AccountTakedown", "AccountDeactivated", "NotFound"}


def replies_restricted(post: dict) -> bool:
    """Whether a post's replies are gated: its postView carries a threadgate whose record sets
    `allow` (app.bsky.feed.threadgate: an empty list lets nobody reply, rules let some). A
    threadgate that only hides replies (hiddenReplies) leaves replying open."""
    gate = post.get("threadgate")
    record = gate.get("record") if isinstance(gate, dict) else None
    return isinstance(record, dict) and isinstance(record.get("allow"), list)


class BlueskyCollector(Collector):
    """Bluesky accounts through the public AppView API (no auth)."""

    platform = "bluesky"
    batch_size = 25  # getProfiles takes at most 25 actors
    api_env = "FINSOCIAL_BLUESKY_API"
    default_api = "https://public.api.bsky.app"
    # The public AppView allows 3,000 requests per 5 minutes per IP (10/s): pace at 80% of it,
    # with a burst no larger than one second's allowance so that a run never starts with 429s.
    host_limit = HostLimit(per_second=8, burst=5, concurrency=4)
    page_size = 100  # getAuthorFeed's maximum
    # Webcare: the 10 most recent posts' threads an account a night (only those with replies cost a
    # request), within 5,000 requests a night: 200 accounts take at most 2,200.
    webcare_posts = 10
    webcare_requests = 5000

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        # XRPC error bodies are {error, message} with `error` a name; anything else is no name
        name = payload.get("error") if isinstance(payload, dict) else None
        name = name if isinstance(name, str) else None
        if name in PRIVATE_ERRORS:
            return CollectError("private", f"{fetched.url}: {name}", fetched.status)
        if name in GONE_ERRORS or (fetched.status == 400 and "not found" in str(payload).lower()):
            return CollectError("not_found", f"{fetched.url}: {name or 'not found'}", fetched.status)
        return super().error_for(fetched, payload)

    def fetch_profiles(self, handles: list[str]) -> dict[str, dict | None]:
        payload = self.get_json(
            f"{self.base_url}/xrpc/app.bsky.actor.getProfiles",
            params=[("actors", h) for h in handles],
            raw_name="getProfiles",
        )
        profiles = payload.get("profiles") if isinstance(payload, dict) else None
        if not isinstance(profiles, list):
            raise CollectError("parse_error", "getProfiles answer has no profiles list")
        by_key = {}
        for profile in profiles:
            if isinstance(profile, dict):
                by_key[str(profile.get("handle", "")).lower()] = profile
                by_key[str(profile.get("did", ""))] = profile
        # Unknown, taken-down and deactivated actors are left out of the answer: not found.
        return {h: by_key.get(h) for h in handles}

    def parse_profile(self, profile: dict, target: Target) -> tuple[Snapshot, Account]:
        snapshot = self.snapshot(
            target,
            followers=self.required_count(profile, "followersCount", target),
            following=as_count(profile.get("followsCount"), "followsCount"),
            posts_total=as_count(profile.get("postsCount"), "postsCount"),
            platform_id=profile.get("did"),
        )
        account = self.account(
            target, platform_id=profile.get("did"), display_name=profile.get("displayName") or None
        )
        return snapshot, account

    def followers_total(self, profile: dict) -> int | None:
        return as_count(profile.get("followersCount"), "followersCount")

    def fetch_followers(self, target: Target, profile: dict, size: int) -> list[Follower]:
        # getFollowers lists the newest followers first as profileViews, which carry no counts;
        # getProfiles (25 a call) gives each one's followersCount. profileViewDetailed shows no
        # last-post time (indexedAt is when the profile record was indexed), so no inactive share.
        listed: list[str] = []
        cursor = None
        while len(listed) < size:
            params = {"actor": profile.get("did") or target.handle, "limit": min(100, size - len(listed))}
            if cursor:
                params["cursor"] = cursor
            page = self.get_json(
                f"{self.base_url}/xrpc/app.bsky.graph.getFollowers", params=params, raw_name=None
            )
            followers = page.get("followers") if isinstance(page, dict) else None
            if not isinstance(followers, list):
                raise CollectError("parse_error", "getFollowers answer has no followers list")
            listed += [str(f["did"]) for f in followers if isinstance(f, dict) and f.get("did")]
            cursor = page.get("cursor")
            if not cursor or not followers:
                break
        listed = list(dict.fromkeys(listed))[:size]
        sampled: list[Follower] = []
        for batch in chunks(listed, self.batch_size):
            payload = self.get_json(
                f"{self.base_url}/xrpc/app.bsky.actor.getProfiles",
                params=[("actors", did) for did in batch],
                raw_name=None,
            )
            profiles = payload.get("profiles") if isinstance(payload, dict) else None
            if not isinstance(profiles, list):
                raise CollectError("parse_error", "getProfiles answer has no profiles list")
            counts = {
                p.get("did"): as_count(p.get("followersCount"), "followersCount")
                for p in profiles
                if isinstance(p, dict)
            }
            # a follower whose account went away since the list was read is left out of the
            # answer: drawn, but without a count
            sampled += [Follower(counts.get(did)) for did in batch]
        return sampled

    def fetch_posts(self, target: Target, profile: dict) -> list[Any]:
        pages: list[Any] = []
        cursor = None
        while True:
            params = {
                "actor": profile.get("did") or target.handle,
                "limit": self.page_size,
                "filter": "posts_no_replies",
                "includePins": "true",
            }
            if cursor:
                params["cursor"] = cursor
            page = self.get_json(
                f"{self.base_url}/xrpc/app.bsky.feed.getAuthorFeed",
                params=params,
                raw_name=f"getAuthorFeed-{target.handle}",
            )
            pages.append(page)
            cursor = page.get("cursor") if isinstance(page, dict) else None
            if not cursor or self._reached_window_start(page):
                return pages

    def _reached_window_start(self, page: dict) -> bool:
        """Whether the page goes back past the window (a pin is out of order, so it is skipped)."""
        for item in page.get("feed") or []:
            reason = item.get("reason") or {}
            if reason.get("$type") == PIN:
                continue
            stamp = reason.get("indexedAt") or (item.get("post") or {}).get("indexedAt")
            if stamp and parse_time(stamp, "indexedAt") <= self.cutoff:
                return True
        return False

    def parse_posts(self, pages: list[Any], target: Target) -> list[Post]:
        posts: dict[str, Post] = {}
        for page in pages:
            feed = page.get("feed") if isinstance(page, dict) else None
            if not isinstance(feed, list):
                raise CollectError("parse_error", "getAuthorFeed answer has no feed list")
            for item in feed:
                post = item["post"]
                author = post.get("author") or {}
                reason = item.get("reason") or {}
                # reason.by is the account itself; a repost of someone else's post is not its own.
                if reason.get("$type") == REPOST and (reason.get("by") or {}).get("did") != author.get("did"):
                    continue
                uri = post["uri"]
                if uri in posts:
                    continue  # a pinned post, or a repost of its own post, appears twice
                record = post.get("record") or {}
                posted_at = parse_time(record.get("createdAt") or post.get("indexedAt"), "createdAt")
                if not self.in_window(posted_at):
                    continue
                handle = author.get("handle") or target.handle
                posts[uri] = self.post(
                    target,
                    post_id=uri,
                    posted_at=posted_at,
                    url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
                    text=record.get("text"),
                    likes=as_count(post.get("likeCount"), "likeCount"),
                    comments=as_count(post.get("replyCount"), "replyCount"),
                    shares=as_count(post.get("repostCount"), "repostCount"),
                    quotes=as_count(post.get("quoteCount"), "quoteCount"),
                    comments_closed=replies_restricted(post),
                )
        return list(posts.values())

    # -- webcare -------------------------------------------------------------------------------

    def fetch_thread(self, target: Target, profile: dict, post: Post) -> list[Comment]:
        # depth 2: the post's replies (questions) and the replies to those (answers); deeper replies
        # by the account come from its feed with replies (fetch_own_replies)
        payload = self.get_json(
            f"{self.base_url}/xrpc/app.bsky.feed.getPostThread",
            params={"uri": post.post_id, "depth": 2, "parentHeight": 0},
            raw_name=f"getPostThread-{target.handle}",
        )
        # getPostThread has no paging: every reply the AppView shows comes in the one answer
        comments = [self.thread_root(target, post, complete=True)]
        for node in self.parse_thread(payload, target, post.post_id, comments):
            # a question whose replies the AppView left out although it counts some: open it alone
            more = self.get_json(
                f"{self.base_url}/xrpc/app.bsky.feed.getPostThread",
                params={"uri": node, "depth": 1, "parentHeight": 0},
                raw_name=f"getPostThread-{target.handle}",
            )
            self.parse_thread(more, target, post.post_id, comments, nested=True)
        return comments

    def parse_thread(
        self, payload: Any, target: Target, root: str, into: list[Comment], nested: bool = False
    ) -> list[str]:
        """Add a getPostThread answer's replies to `into`; return the uris of direct replies whose
        own replies were left out of the answer (a truncated thread)."""
        thread = payload.get("thread") if isinstance(payload, dict) else None
        if not isinstance(thread, dict) or "post" not in thread:
            raise CollectError("parse_error", "getPostThread answer has no thread post")
        truncated: list[str] = []

        def walk(node: dict, level: int) -> None:
            for reply in node.get("replies") or []:
                post = reply.get("post") if isinstance(reply, dict) else None
                if not isinstance(post, dict):
                    continue  # a deleted (notFoundPost) or blocked reply: its time is unknown
                record = post.get("record") or {}
                author = post.get("author") or {}
                parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
                into.append(
                    self.comment(
                        target,
                        root,
                        post["uri"],
                        parent or node["post"]["uri"],
                        parse_time(record.get("createdAt") or post.get("indexedAt"), "createdAt"),
                        self.is_institution(target, author.get("did"), author.get("handle")),
                        record.get("text"),
                    )
                )
                if level == 1 and not nested and "replies" not in reply and as_count(post.get("replyCount")):
                    truncated.append(post["uri"])
                walk(reply, level + 1)

        walk(thread, 1)
        return truncated

    def fetch_own_replies(self, target: Target, profile: dict) -> list[Comment]:
        page = self.get_json(
            f"{self.base_url}/xrpc/app.bsky.feed.getAuthorFeed",
            params={
                "actor": profile.get("did") or target.handle,
                "limit": self.page_size,
                "filter": "posts_with_replies",
            },
            raw_name=f"getAuthorFeed-replies-{target.handle}",
        )
        return self.parse_own_replies(page, target, str(profile.get("did") or ""))

    def parse_own_replies(self, page: Any, target: Target, did: str) -> list[Comment]:
        """The account's replies to others in its feed with replies (not its own thread's parts)."""
        feed = page.get("feed") if isinstance(page, dict) else None
        if not isinstance(feed, list):
            raise CollectError("parse_error", "getAuthorFeed answer has no feed list")
        replies = []
        for item in feed:
            post = item.get("post") or {}
            record = post.get("record") or {}
            reply = record.get("reply") or {}
            if item.get("reason") or not reply or (post.get("author") or {}).get("did") != did:
                continue  # a repost, an own post that replies to nothing, or someone else's post
            parent = (reply.get("parent") or {}).get("uri") or ""
            if parent.startswith(f"at://{did}/"):
                continue  # the account continues its own post: not an answer to anyone
            created = parse_time(record.get("createdAt") or post.get("indexedAt"), "createdAt")
            if self.in_window(created):
                root = (reply.get("root") or {}).get("uri") or parent
                replies.append(self.comment(target, root, post["uri"], parent, created, True))
        return replies
