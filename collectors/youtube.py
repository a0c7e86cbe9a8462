"""YouTube channels through the Data API v3 (API key)."""

from __future__ import annotations

from typing import Any

from collectors.base import Collector, as_count, chunks, parse_time
from collectors.http import CollectError, Fetched, HostLimit
from warehouse.inputs.targets import Target
from warehouse.landing.records import Account, Comment, Post, Snapshot

KEY_ENV = "FINSOCIAL_YOUTUBE_API_KEY"
THROTTLE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
COMMENTS_DISABLED = "commentsDisabled"
KEY_REASONS = {"keyInvalid", "keyExpired", "accessNotConfigured", "ipRefererBlocked"}


def _reasons(payload: Any) -> set[str]:
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return set()
    errors = error.get("errors")
    if not isinstance(errors, list):
        return set()
    return {e["reason"] for e in errors if isinstance(e, dict) and isinstance(e.get("reason"), str)}


class YouTubeCollector(Collector):
    """YouTube channels through the Data API v3 (API key)."""

    platform = "youtube"
    batch_size = 50  # channels.list takes at most 50 ids
    api_env = "FINSOCIAL_YOUTUBE_API"
    default_api = "https://www.googleapis.com/youtube/v3"
    credential_envs = (KEY_ENV,)
    # The binding limit is the 10,000-unit daily quota (1 unit a list call), not the rate.
    host_limit = HostLimit(per_second=5, burst=10, concurrency=2)
    # Webcare: commentThreads (1 unit a call) for the 10 most recent videos a channel a night (only
    # videos with comments cost a unit), within 2,000 units of the 10,000 a day: the counts and
    # posts of 200 channels take about 600.
    webcare_posts = 10
    webcare_requests = 2000

    def auth_headers(self) -> dict[str, str]:
        # A Google API key may travel in this header, which keeps it out of every URL.
        return {"X-Goog-Api-Key": self.credential(KEY_ENV)}

    def is_throttled(self, fetched: Fetched) -> bool:
        if fetched.status != 403:
            return False
        try:
            return bool(_reasons(fetched.json()) & THROTTLE_REASONS)
        except CollectError:
            return False

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        reasons = _reasons(payload)
        if reasons & QUOTA_REASONS:
            # The daily quota resets at midnight Pacific time: retrying today is pointless.
            return CollectError("rate_limited", f"{fetched.url}: daily quota exceeded", fetched.status)
        if reasons & THROTTLE_REASONS:
            return CollectError("rate_limited", f"{fetched.url}: rate limited", fetched.status)
        if COMMENTS_DISABLED in reasons:
            # commentThreads.list on a video whose owner turned comments off: a fact about the
            # video (closed to comments), not a failure; fetch_thread records it on the post
            return CollectError(COMMENTS_DISABLED, f"{fetched.url}: comments disabled", fetched.status)
        error = payload.get("error") if isinstance(payload, dict) else None
        message = str(error.get("message", "")) if isinstance(error, dict) else ""
        if reasons & KEY_REASONS or fetched.status == 401 or "api key" in message.lower():
            detail = ", ".join(sorted(r for r in reasons if r)) or f"HTTP {fetched.status}"
            return CollectError("auth_missing", f"{fetched.url}: API key refused ({detail})", fetched.status)
        if fetched.status == 404 or "playlistNotFound" in reasons:
            return CollectError("not_found", f"{fetched.url}: not found", fetched.status)
        return super().error_for(fetched, payload)

    def fetch_profiles(self, handles: list[str]) -> dict[str, dict | CollectError | None]:
        parts = "snippet,statistics,contentDetails"
        found: dict[str, dict | CollectError | None] = {}
        ids = [h for h in handles if not h.startswith(("@", "user/"))]
        if ids:
            payload = self.get_json(
                f"{self.base_url}/channels",
                params={"part": parts, "id": ",".join(ids), "maxResults": 50},
                raw_name="channels",
            )
            items = {item.get("id"): item for item in _items(payload)}
            found.update({h: items.get(h) for h in ids})
        for handle in (h for h in handles if h.startswith(("@", "user/"))):
            # forHandle and forUsername take one name a call (1 quota unit each). A legacy
            # username (youtube.com/user/NAME) is not a handle: only forUsername finds it.
            if handle.startswith("@"):
                lookup = {"forHandle": handle}
            else:
                lookup = {"forUsername": handle.removeprefix("user/")}
            try:
                payload = self.get_json(
                    f"{self.base_url}/channels",
                    params={"part": parts, **lookup},
                    raw_name=f"channels-{handle.replace('/', '-')}",
                )
                items = _items(payload)
                found[handle] = items[0] if items else None
            except CollectError as exc:
                found[handle] = exc
        return found

    def parse_profile(self, profile: dict, target: Target) -> tuple[Snapshot, Account]:
        statistics = profile.get("statistics")
        if not isinstance(statistics, dict):
            raise CollectError("parse_error", f"youtube {target.handle}: statistics missing from the channel")
        if statistics.get("hiddenSubscriberCount"):
            followers = None  # the owner hides it: NULL, never 0
        else:
            followers = self.required_count(statistics, "subscriberCount", target)
        snapshot = self.snapshot(
            target,
            followers=followers,
            posts_total=as_count(statistics.get("videoCount"), "videoCount"),
            views_total=as_count(statistics.get("viewCount"), "viewCount"),
            platform_id=profile.get("id"),
            # The API rounds subscriberCount to three significant figures.
            precision="rounded",
        )
        snippet = profile.get("snippet") or {}
        account = self.account(
            target, platform_id=profile.get("id"), display_name=snippet.get("title") or None
        )
        return snapshot, account

    def fetch_posts(self, target: Target, profile: dict) -> list[Any]:
        uploads = ((profile.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
        if not uploads:
            raise CollectError("parse_error", f"youtube {target.handle}: no uploads playlist in the channel")
        video_ids: list[str] = []
        token = None
        while True:
            params = {"part": "contentDetails", "playlistId": uploads, "maxResults": 50}
            if token:
                params["pageToken"] = token
            try:
                page = self.get_json(
                    f"{self.base_url}/playlistItems",
                    params=params,
                    raw_name=f"playlistItems-{target.handle}",
                )
            except CollectError as exc:
                if exc.kind == "not_found":
                    return []  # a channel that never uploaded has no uploads playlist to list
                if exc.http_status == 403 and exc.kind == "auth_missing":
                    raise CollectError(
                        "private", f"youtube {target.handle}: uploads are not public", 403
                    ) from None
                raise
            items = _items(page)
            older = False
            for item in items:
                details = item.get("contentDetails") or {}
                published = details.get("videoPublishedAt")
                if published and parse_time(published, "videoPublishedAt") <= self.cutoff:
                    older = True
                    continue
                if details.get("videoId"):
                    video_ids.append(details["videoId"])
            token = page.get("nextPageToken")
            if older or not token or not items:
                break
        pages = []
        for batch in chunks(video_ids, 50):
            pages.append(
                self.get_json(
                    f"{self.base_url}/videos",
                    # No maxResults: videos.list does not support it together with id.
                    params={"part": "snippet,statistics", "id": ",".join(batch)},
                    raw_name=f"videos-{target.handle}",
                )
            )
        return pages

    def parse_posts(self, pages: list[Any], target: Target) -> list[Post]:
        posts = []
        for page in pages:
            for video in _items(page):
                snippet = video.get("snippet") or {}
                statistics = video.get("statistics") or {}
                posted_at = parse_time(snippet.get("publishedAt"), "publishedAt")
                if not self.in_window(posted_at):
                    continue
                posts.append(
                    self.post(
                        target,
                        post_id=video["id"],
                        posted_at=posted_at,
                        url=f"https://www.youtube.com/watch?v={video['id']}",
                        text=snippet.get("title"),
                        # likeCount is absent when the owner hides likes: NULL.
                        likes=as_count(statistics.get("likeCount"), "likeCount"),
                        comments=as_count(statistics.get("commentCount"), "commentCount"),
                        views=as_count(statistics.get("viewCount"), "viewCount"),
                    )
                )
        return posts

    # -- webcare -------------------------------------------------------------------------------

    def fetch_thread(self, target: Target, profile: dict, post: Post) -> list[Comment]:
        # the newest 100 top-level comments of the video, each with up to 5 replies nested; a
        # comment with more replies (totalReplyCount) is opened with comments.list
        try:
            page = self.get_json(
                f"{self.base_url}/commentThreads",
                params={
                    "part": "snippet,replies",
                    "videoId": post.post_id,
                    "maxResults": 100,
                    "order": "time",
                },
                raw_name=f"commentThreads-{target.handle}",
            )
        except CollectError as exc:
            if exc.kind != COMMENTS_DISABLED:
                raise
            post.comments_closed = True
            # the thread was opened and holds nothing anyone can see: no questions, and the comments
            # seen before are hidden by the closing, not counted as removed one by one
            return [self.thread_root(target, post)]
        post.comments_closed = False
        # the newest 100 threads: complete when no page is left (no nextPageToken)
        complete = isinstance(page, dict) and not page.get("nextPageToken")
        comments = [self.thread_root(target, post, complete=complete)]
        channel = str(profile.get("id", ""))
        for parent in self.parse_comment_threads(page, target, post.post_id, channel, comments):
            replies = self.get_json(
                f"{self.base_url}/comments",
                params={"part": "snippet", "parentId": parent, "maxResults": 100},
                raw_name=f"comments-{target.handle}",
            )
            for reply in _items(replies):
                self._add_comment(reply, target, post.post_id, parent, channel, comments)
        return comments

    def parse_comment_threads(
        self, page: Any, target: Target, video: str, channel: str, into: list[Comment]
    ) -> list[str]:
        """Add a commentThreads page to `into`; return the top-level comments with more replies
        than came nested."""
        truncated = []
        for thread in _items(page):
            snippet = thread.get("snippet") or {}
            top = snippet.get("topLevelComment")
            if not isinstance(top, dict):
                raise CollectError("parse_error", "commentThreads item has no topLevelComment")
            self._add_comment(top, target, video, video, channel, into)
            nested = (thread.get("replies") or {}).get("comments") or []
            for reply in nested:
                self._add_comment(reply, target, video, top["id"], channel, into)
            if (as_count(snippet.get("totalReplyCount"), "totalReplyCount") or 0) > len(nested):
                truncated.append(top["id"])
        return truncated

    def _add_comment(
        self, item: dict, target: Target, video: str, parent: str, channel: str, into: list[Comment]
    ) -> None:
        if any(c.comment_id == item["id"] for c in into):
            return
        snippet = item.get("snippet") or {}
        author = str((snippet.get("authorChannelId") or {}).get("value", ""))
        into.append(
            self.comment(
                target,
                video,
                str(item["id"]),
                str(snippet.get("parentId") or parent),
                parse_time(snippet.get("publishedAt"), "publishedAt"),
                author == channel or self.is_institution(target, author),
                snippet.get("textOriginal") or snippet.get("textDisplay"),
            )
        )


def _items(payload: Any) -> list[dict]:
    if not isinstance(payload, dict):
        raise CollectError("parse_error", "YouTube answer is not an object")
    items = payload.get("items", [])
    if not isinstance(items, list):
        raise CollectError("parse_error", "YouTube answer's items is not a list")
    return [i for i in items if isinstance(i, dict)]
