"""X (Twitter) accounts through API v2 (app bearer token)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from collectors.base import Collector, as_count, parse_time
from collectors.http import CollectError, Fetched, HostLimit
from warehouse.inputs.targets import Target
from warehouse.landing.records import Account, Comment, Post, Snapshot

TOKEN_ENV = "FINSOCIAL_X_BEARER_TOKEN"
WEBCARE_ENV = "FINSOCIAL_X_WEBCARE"  # "1": read reply threads, which X bills per post read
PRICE_ENV = "FINSOCIAL_X_USD_PER_POST_READ"  # the price your X API plan charges for one post read
SEARCH_PAGE = 100  # recent search returns at most 100 posts a request
RECENT_SEARCH_DAYS = 7  # recent search sees the last 7 days


def _replies_restricted(setting: Any) -> bool | None:
    """X's reply_settings: "everyone" is open; any other value (mentionedUsers, following,
    subscribers, verified) restricts who may reply; absent says nothing."""
    if not isinstance(setting, str) or not setting:
        return None
    return setting != "everyone"


class XCollector(Collector):
    """X (Twitter) accounts through API v2 (app bearer token)."""

    platform = "x"
    batch_size = 100  # /2/users/by takes at most 100 usernames
    api_env = "FINSOCIAL_X_API"
    default_api = "https://api.x.com"
    credential_envs = (TOKEN_ENV,)
    # X limits each endpoint on its own, per app (bearer token) and 15 minutes: users/:id/tweets
    # 10,000 (11.1/s), users/by 300 (0.33/s), tweets/search/recent 450 (0.5/s). Each is paced at 90%
    # of its average, with a burst no larger than one second's allowance; x-rate-limit-reset tells
    # the client when to come back if a window is spent anyway (by another client of the same app).
    host_limit = HostLimit(per_second=10, burst=10, concurrency=1)  # the timeline and any other call
    endpoint_limits = (
        (r"/2/users/by$", HostLimit(per_second=0.3, burst=1, concurrency=1)),
        (r"/2/tweets/search/recent$", HostLimit(per_second=0.45, burst=1, concurrency=1)),
    )
    page_size = 100
    # Webcare: recent search by conversation_id, only with FINSOCIAL_X_WEBCARE=1 (X bills every post
    # read); 5 threads an account and 200 requests a night at most unless set otherwise.
    webcare_posts = 5
    webcare_requests = 200
    webcare_opt_in = WEBCARE_ENV

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential(TOKEN_ENV)}"}

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        if fetched.status == 401:
            return CollectError("auth_missing", f"{fetched.url}: bearer token refused", 401)
        return super().error_for(fetched, payload)

    def fetch_profiles(self, handles: list[str]) -> dict[str, dict | CollectError | None]:
        payload = self.get_json(
            f"{self.base_url}/2/users/by",
            params={
                "usernames": ",".join(handles),
                "user.fields": "public_metrics,protected,name,username,verified",
            },
            raw_name="users-by",
        )
        if not isinstance(payload, dict):
            raise CollectError("parse_error", "users/by answer is not an object")
        users = {
            str(u.get("username", "")).lower(): u for u in payload.get("data") or [] if isinstance(u, dict)
        }
        found: dict[str, dict | CollectError | None] = {}
        errors = {
            str(e.get("value", "")).lower(): e for e in payload.get("errors") or [] if isinstance(e, dict)
        }
        for handle in handles:
            if handle in users:
                found[handle] = users[handle]
            elif handle in errors and "suspended" in str(errors[handle].get("detail", "")).lower():
                found[handle] = CollectError("not_found", f"x {handle}: {errors[handle].get('detail')}")
            else:
                found[handle] = None  # "Could not find user with usernames: [...]"
        return found

    def parse_profile(self, profile: dict, target: Target) -> tuple[Snapshot, Account]:
        metrics = profile.get("public_metrics")
        if not isinstance(metrics, dict):
            raise CollectError("parse_error", f"x {target.handle}: public_metrics missing from the user")
        posts_total = metrics.get("tweet_count", metrics.get("post_count"))
        # like_count is how many posts the account liked, not likes it received: not likes_total.
        snapshot = self.snapshot(
            target,
            followers=self.required_count(metrics, "followers_count", target),
            following=as_count(metrics.get("following_count"), "following_count"),
            posts_total=as_count(posts_total, "tweet_count"),
            platform_id=str(profile["id"]),
        )
        account = self.account(
            target,
            platform_id=str(profile["id"]),
            display_name=profile.get("name") or None,
            status="private" if profile.get("protected") else "active",
        )
        return snapshot, account

    def fetch_posts(self, target: Target, profile: dict) -> list[Any]:
        pages: list[Any] = []
        token = None
        while True:
            params = {
                "max_results": self.page_size,
                "exclude": "retweets,replies",
                # reply_settings: who may reply (everyone, mentionedUsers, following, ...)
                "tweet.fields": "created_at,public_metrics,reply_settings",
                # start_time makes the API stop at the window's start: no page is wasted.
                "start_time": self.cutoff.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            if token:
                params["pagination_token"] = token
            page = self.get_json(
                f"{self.base_url}/2/users/{profile['id']}/tweets",
                params=params,
                raw_name=f"tweets-{target.handle}",
            )
            if not isinstance(page, dict):
                raise CollectError("parse_error", "tweets answer is not an object")
            pages.append(page)
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return pages

    def parse_posts(self, pages: list[Any], target: Target) -> list[Post]:
        posts = []
        for page in pages:
            for tweet in page.get("data") or []:
                metrics = tweet.get("public_metrics") or {}
                posted_at = parse_time(tweet.get("created_at"), "created_at")
                if not self.in_window(posted_at):
                    continue
                posts.append(
                    self.post(
                        target,
                        post_id=str(tweet["id"]),
                        posted_at=posted_at,
                        url=f"https://x.com/{target.handle}/status/{tweet['id']}",
                        text=tweet.get("text"),
                        likes=as_count(metrics.get("like_count"), "like_count"),
                        comments=as_count(metrics.get("reply_count"), "reply_count"),
                        shares=as_count(metrics.get("retweet_count"), "retweet_count"),
                        quotes=as_count(metrics.get("quote_count"), "quote_count"),
                        views=as_count(metrics.get("impression_count"), "impression_count"),
                        comments_closed=_replies_restricted(tweet.get("reply_settings")),
                    )
                )
        return posts

    # -- webcare -------------------------------------------------------------------------------

    def cost_note(self) -> str:
        """What reading threads may cost tonight, said before the first thread is read."""
        reads = self.thread_budget * SEARCH_PAGE
        note = f"x threads: at most {self.thread_budget} search requests reading up to {reads:,} posts"
        price = self.env.get(PRICE_ENV)
        try:
            return note + (
                f", at most ${reads * float(price):,.2f} at ${float(price)} a post read" if price else ""
            )
        except ValueError:
            raise ValueError(f"{PRICE_ENV} must be a number of US dollars, not {price!r}") from None

    def fetch_thread(self, target: Target, profile: dict, post: Post) -> list[Comment]:
        # Recent search sees the last 7 days only: older replies of a thread are not found.
        page = self.get_json(
            f"{self.base_url}/2/tweets/search/recent",
            params={
                "query": f"conversation_id:{post.post_id}",
                "max_results": SEARCH_PAGE,
                "tweet.fields": "created_at,author_id,referenced_tweets,text",
            },
            raw_name=f"conversation-{target.handle}",
        )
        # complete when no page is left and the post is younger than recent search's 7 days (older
        # replies fall out of its reach: missing, not removed)
        young = self.now - post.posted_at < dt.timedelta(days=RECENT_SEARCH_DAYS)
        last_page = isinstance(page, dict) and not (page.get("meta") or {}).get("next_token")
        return [
            self.thread_root(target, post, complete=young and last_page),
            *self.parse_conversation(page, target, post, str(profile["id"])),
        ]

    def parse_conversation(self, page: Any, target: Target, post: Post, user_id: str) -> list[Comment]:
        if not isinstance(page, dict):
            raise CollectError("parse_error", "search answer is not an object")
        comments = []
        for tweet in page.get("data") or []:
            parent = next(
                (r.get("id") for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"),
                None,
            )
            if parent is None:
                continue
            author = str(tweet.get("author_id", ""))
            comments.append(
                self.comment(
                    target,
                    post.post_id,
                    str(tweet["id"]),
                    str(parent),
                    parse_time(tweet.get("created_at"), "created_at"),
                    author == user_id or self.is_institution(target, author),
                    tweet.get("text"),
                )
            )
        return comments
