"""Facebook pages through the Graph API (page or system-user token)."""

from __future__ import annotations

from typing import Any

from collectors.base import as_count, parse_time
from collectors.graph import GRAPH_API, GraphCollector
from collectors.http import CollectError
from warehouse.inputs.targets import Target
from warehouse.landing.records import Account, Comment, Post, Snapshot

TOKEN_ENV = "FINSOCIAL_FACEBOOK_TOKEN"
POST_FIELDS = (
    "id,created_time,permalink_url,message,shares,"
    "reactions.summary(total_count).limit(0),"
    # the ANGRY reactions alone, under an alias: an angry share where no tone lexicon fits
    "reactions.type(ANGRY).limit(0).summary(total_count).as(reactions_angry),"
    # filter(stream): every comment, replies included; the default (toplevel) leaves replies out.
    "comments.filter(stream).summary(total_count).limit(0)"
)


class FacebookCollector(GraphCollector):
    """Facebook pages through the Graph API (page or system-user token)."""

    platform = "facebook"
    batch_size = 50  # the ids= lookup takes at most 50 objects
    api_env = "FINSOCIAL_FACEBOOK_API"
    default_api = GRAPH_API
    token_env = TOKEN_ENV
    credential_envs = (TOKEN_ENV,)
    page_size = 100
    # Webcare: the 10 most recent posts' comments a page a night (only posts with comments cost a
    # request), within 1,000 requests a night: at the Graph pace of one call per two seconds, half
    # an hour, and 200 pages with five commented posts each fit.
    webcare_posts = 10
    webcare_requests = 1000

    def fields(self) -> str:
        # Posts come nested in the page lookup (field expansion): one call gives both.
        since = int(self.cutoff.timestamp())
        return (
            "id,name,username,link,fan_count,followers_count,talking_about_count,"
            f"posts.since({since}).limit({self.page_size}){{{POST_FIELDS}}}"
        )

    def fetch_profiles(self, handles: list[str]) -> dict[str, dict | CollectError | None]:
        if len(handles) == 1:
            return {handles[0]: self._fetch_page(handles[0])}
        try:
            payload = self.get_json(
                f"{self.base_url}/",
                params={"ids": ",".join(handles), "fields": self.fields()},
                raw_name="pages",
            )
        except CollectError as exc:
            if exc.kind in ("not_found", "private"):
                # One unknown or restricted page fails the whole ids= call: ask one by one.
                return {h: self._fetch_page(h) for h in handles}
            raise
        if not isinstance(payload, dict):
            raise CollectError("parse_error", "pages answer is not an object")
        # The answer is keyed by the ids as they were asked for.
        return {h: payload.get(h) for h in handles}

    def _fetch_page(self, handle: str) -> dict | CollectError | None:
        try:
            payload = self.get_json(
                f"{self.base_url}/{handle}",
                params={"fields": self.fields()},
                raw_name=f"page-{handle}",
            )
        except CollectError as exc:
            return exc
        return (
            payload
            if isinstance(payload, dict)
            else CollectError("parse_error", "page answer is not an object")
        )

    def parse_profile(self, profile: dict, target: Target) -> tuple[Snapshot, Account]:
        # talking_about_count stays in the raw payload: it is a 7-day activity, not an audience.
        snapshot = self.snapshot(
            target,
            followers=self.required_count(profile, "followers_count", target),
            likes_total=as_count(profile.get("fan_count"), "fan_count"),
            platform_id=str(profile["id"]),
        )
        account = self.account(
            target, platform_id=str(profile["id"]), display_name=profile.get("name") or None
        )
        return snapshot, account

    def fetch_posts(self, target: Target, profile: dict) -> list[Any]:
        connection = profile.get("posts")
        if connection is None:
            return []  # Graph leaves an empty edge out
        pages = [connection]
        while not self.past_window(connection, "created_time") and (
            url := self.next_page(connection.get("paging"))
        ):
            connection = self.get_json(url, raw_name=f"posts-{target.handle}")
            if not isinstance(connection, dict):
                raise CollectError("parse_error", "posts answer is not an object")
            pages.append(connection)
        return pages

    def parse_posts(self, pages: list[Any], target: Target) -> list[Post]:
        return [
            self.post(
                target,
                post_id=str(item["id"]),
                posted_at=posted_at,
                url=item.get("permalink_url"),
                text=item.get("message"),
                likes=_summary_total(item, "reactions"),
                comments=_summary_total(item, "comments"),
                # Graph leaves `shares` out when nobody shared: unknown stays NULL.
                shares=as_count((item.get("shares") or {}).get("count"), "shares.count"),
                reactions_angry=_summary_total(item, "reactions_angry"),
            )
            for item, posted_at in self.window_items(pages, "created_time")
        ]

    # -- webcare -------------------------------------------------------------------------------

    def fetch_thread(self, target: Target, profile: dict, post: Post) -> list[Comment]:
        # the newest 50 top-level comments with their first 25 replies; a comment with more replies
        # than came nested is opened on its own
        page = self.get_json(
            f"{self.base_url}/{post.post_id}/comments",
            params={
                "fields": f"id,from,created_time,message,comment_count,comments.limit(25){{{REPLY_FIELDS}}}",
                "filter": "toplevel",
                "order": "reverse_chronological",
                "limit": 50,
            },
            raw_name=f"comments-{target.handle}",
        )
        # the newest 50 top-level comments: complete when the edge has no next page
        complete = isinstance(page, dict) and not self.next_page(page.get("paging"))
        comments = [self.thread_root(target, post, complete=complete)]
        page_id = str(profile.get("id", ""))
        for comment_id in self.parse_comments(page, target, post.post_id, post.post_id, page_id, comments):
            replies = self.get_json(
                f"{self.base_url}/{comment_id}/comments",
                params={"fields": REPLY_FIELDS, "limit": 100},
                raw_name=f"replies-{target.handle}",
            )
            self.parse_comments(replies, target, post.post_id, comment_id, page_id, comments)
        return comments

    def parse_comments(
        self, page: Any, target: Target, root: str, parent: str, page_id: str, into: list[Comment]
    ) -> list[str]:
        """Add a comments edge page (and the replies nested in it) to `into`; return the comments
        with more replies (comment_count) than came nested."""
        data = page.get("data") if isinstance(page, dict) else None
        if not isinstance(data, list):
            raise CollectError("parse_error", "comments answer has no data list")
        known = {c.comment_id for c in into}
        truncated = []
        for item in data:
            comment_id = str(item["id"])
            if comment_id not in known:
                # `from` is left out for people who did not allow the app to see them: not the page
                author = str((item.get("from") or {}).get("id", ""))
                created = parse_time(item.get("created_time"), "created_time")
                into.append(
                    self.comment(
                        target,
                        root,
                        comment_id,
                        parent,
                        created,
                        author == page_id or self.is_institution(target, author),
                        item.get("message"),
                    )
                )
            nested = item.get("comments")
            if nested is not None:
                self.parse_comments(nested, target, root, comment_id, page_id, into)
            shown = len((nested or {}).get("data") or [])
            if (as_count(item.get("comment_count"), "comment_count") or 0) > shown:
                truncated.append(comment_id)
        return truncated


REPLY_FIELDS = "id,from,created_time,message"


def _summary_total(item: dict, edge: str) -> int | None:
    summary = (item.get(edge) or {}).get("summary") or {}
    return as_count(summary.get("total_count"), f"{edge}.summary.total_count")
