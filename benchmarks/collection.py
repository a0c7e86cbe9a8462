"""Collection cost and pace: each API collector against a local server that enforces its platform's limit.

For every platform with a collector, a local server on 127.0.0.1 answers the calls the collector makes
for any number of synthetic accounts, in the platform's documented format (the shapes of the recorded
answers in tests/collectors/fixtures), after a fixed latency, and enforces the platform's published
limit as token buckets: over it, the call gets the platform's own refusal (429 with its reset header,
or Graph's and YouTube's throttle errors). `python -m benchmarks.collection` runs every collector with
the pacing it had at 8db1cb3 ("before") and with today's ("after") and writes
benchmarks/results/collection.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from collectors import COLLECTOR_BY_PLATFORM
from collectors.http import HostLimit
from collectors.run import collect
from localservers import TOKENS, LocalServer
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import Institution, save_registry

POSTS_PER_ACCOUNT = 6  # recent posts, all inside the 28-day window: one page each
LATENCY = 0.05  # seconds before every answer
RESULTS = Path(__file__).parent / "results" / "collection.json"


@dataclass(frozen=True)
class Window:
    """`count` calls per `seconds`, for the calls whose path matches `path` ("" for every call)."""

    count: float
    seconds: float
    path: str = ""
    name: str = "every call"

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


@dataclass(frozen=True)
class Published:
    """A platform's published limit. A "rate" is a pace to keep: the server's bucket holds one
    second of allowance (the strictest server that still allows the published average). A
    "budget" is a count over an hour or a day: the bucket holds the whole count, and what matters
    is how many calls (units) an account costs, not the pace."""

    text: str
    source: str
    kind: str  # "rate" or "budget"
    windows: tuple[Window, ...]
    unit: str = "request"


LIMITS: dict[str, Published] = {
    "bluesky": Published(
        "3,000 requests per 5 minutes per IP (Bluesky's published figure for API requests; "
        "for the public AppView it says only 'generous')",
        "https://docs.bsky.app/docs/advanced-guides/rate-limits",
        "rate",
        (Window(3000, 300),),
    ),
    "mastodon": Published(
        "300 requests per 5 minutes per IP (anonymous) and per account, on each instance",
        "https://docs.joinmastodon.org/api/rate-limits/",
        "rate",
        (Window(300, 300),),
    ),
    "youtube": Published(
        "10,000 quota units a day per project; channels, playlistItems, videos and "
        "commentThreads list calls cost 1 unit each",
        "https://developers.google.com/youtube/v3/determine_quota_cost",
        "budget",
        (Window(10_000, 86_400),),
        unit="quota unit",
    ),
    "x": Published(
        "per endpoint and app (bearer token), per 15 minutes: users/by 300, users/:id/tweets "
        "10,000, tweets/search/recent 450",
        "https://docs.x.com/x-api/fundamentals/rate-limits",
        "rate",
        (
            Window(300, 900, r"/2/users/by$", "users/by"),
            Window(10_000, 900, r"/2/users/[^/]+/tweets$", "users/:id/tweets"),
            Window(450, 900, r"/2/tweets/search/recent$", "tweets/search/recent"),
        ),
    ),
    "facebook": Published(
        "Pages API: with a page or system-user token, 4,800 calls × engaged users per 24 hours per "
        "page (BUC); with a user or app token, 200 × users per hour per app; the smallest of "
        "either is 200 calls an hour",
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting/",
        "budget",
        (Window(200, 3600),),
        unit="call",
    ),
    "instagram": Published(
        "Instagram Platform (BUC): 4,800 calls × impressions per 24 hours for the calling account; "
        "the smallest, one impression, is 200 calls an hour",
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting/",
        "budget",
        (Window(200, 3600),),
        unit="call",
    ),
}

# Accounts per run: enough for a steady pace, few enough that the slow paces finish in a minute or two.
ACCOUNTS = {"bluesky": 60, "mastodon": 20, "youtube": 60, "x": 100, "facebook": 60, "instagram": 20}
# X's earlier pace (0.3/s) would take six minutes for 100 accounts; 30 show it as well.
BEFORE_ACCOUNTS = {**ACCOUNTS, "x": 30}

# The pacing at 8db1cb3, before this measurement (collectors/*.py): (host_limit, endpoint_limits).
BEFORE: dict[str, tuple[HostLimit, tuple]] = {
    "bluesky": (HostLimit(per_second=8, burst=5, concurrency=4), ()),
    "mastodon": (HostLimit(per_second=0.9, burst=5, concurrency=2), ()),
    "youtube": (HostLimit(per_second=5, burst=10, concurrency=2), ()),
    "x": (HostLimit(per_second=0.3, burst=5, concurrency=1), ()),
    "facebook": (HostLimit(per_second=0.5, burst=5, concurrency=2), ()),
    "instagram": (HostLimit(per_second=0.5, burst=5, concurrency=2), ()),
}


class _ServerBucket:
    """One window's allowance on the server: refills at the published average, holds `capacity`."""

    def __init__(self, window: Window, capacity: float) -> None:
        self.window = window
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self, now: float) -> float | None:
        """None when the call is admitted, else the seconds until it would be."""
        rate = self.window.per_second
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / rate


class PlatformServer(LocalServer):
    """One platform's API for accounts numbered 0..n, with latency and the published limit."""

    def __init__(self, platform: str, latency: float = LATENCY, limit: Published | None = None) -> None:
        self.platform = platform
        self.latency = latency
        self.limit = limit
        self.buckets: list[_ServerBucket] = []
        if limit is not None:
            for window in limit.windows:
                one_second = max(1.0, window.per_second)
                self.buckets.append(
                    _ServerBucket(window, one_second if limit.kind == "rate" else window.count)
                )
        self.lock = threading.Lock()
        self.served: list[tuple[float, str, bool, bool]] = []  # (arrival, call, answered, refused)
        super().__init__()

    def _admit(self, path: str, now: float) -> tuple[Window, float] | None:
        with self.lock:
            for bucket in self.buckets:
                if re.search(bucket.window.path, path):
                    wait = bucket.take(now)
                    return None if wait is None else (bucket.window, wait)
        return None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        """Wait the latency, then answer, or refuse the way the platform does when over its limit."""
        arrived = time.monotonic()
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        if self.latency:
            time.sleep(self.latency)
        refused = self._admit(parts.path, arrived)
        headers: dict[str, str] = {}
        if refused is not None:
            status, body, headers = REFUSALS[self.platform](*refused)
        else:
            try:
                status, body = 200, ANSWERS[self.platform](parts.path, query)
            except (KeyError, ValueError, AttributeError):
                status, body = 404, {"error": "not found"}
        with self.lock:
            self.served.append((arrived, call_name(parts.path), status == 200, refused is not None))
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def call_name(path: str) -> str:
    """A call's endpoint without ids: getAuthorFeed, /api/v1/accounts/:id/statuses, /2/users/by."""
    if path.startswith("/xrpc/"):
        return path.rsplit(".", 1)[-1]
    return re.sub(r"/(?:\d{5,}|UC[\w-]{22})(?=/|$)", "/:id", path)


# -- refusals, each in its platform's documented form ----------------------------------------------


def _reset_at(wait: float) -> float:
    return math.ceil(time.time() + wait)


def _refuse_bluesky(window: Window, wait: float) -> tuple[int, Any, dict]:
    # IETF draft RateLimit-* headers, as Bluesky's services send them, and Retry-After
    return (
        429,
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        {
            "ratelimit-limit": str(int(window.count)),
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(_reset_at(wait))),
            "ratelimit-policy": f"{int(window.count)};w={int(window.seconds)}",
            "retry-after": str(max(1, math.ceil(wait))),
        },
    )


def _refuse_mastodon(window: Window, wait: float) -> tuple[int, Any, dict]:
    # Mastodon sends X-RateLimit-Reset as an ISO 8601 time
    reset = dt.datetime.fromtimestamp(_reset_at(wait), dt.UTC).isoformat().replace("+00:00", ".000Z")
    return (
        429,
        {"error": "Too many requests"},
        {
            "X-RateLimit-Limit": str(int(window.count)),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset,
        },
    )


def _refuse_x(window: Window, wait: float) -> tuple[int, Any, dict]:
    # X sends no Retry-After: x-rate-limit-reset is the epoch second the window reopens
    return (
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        {
            "x-rate-limit-limit": str(int(window.count)),
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(_reset_at(wait))),
        },
    )


def _refuse_youtube(window: Window, wait: float) -> tuple[int, Any, dict]:
    # the day's quota is spent: 403 quotaExceeded until midnight Pacific time
    error = {"message": "quota", "domain": "youtube.quota", "reason": "quotaExceeded"}
    return 403, {"error": {"code": 403, "message": "quota exceeded", "errors": [error]}}, {}


def _refuse_graph(code: int, message: str) -> Callable[[Window, float], tuple[int, Any, dict]]:
    def refuse(window: Window, wait: float) -> tuple[int, Any, dict]:
        # Graph throttles with an error code in the body (HTTP 403), not a 429
        body = {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "bench"}}
        return 403, body, {}

    return refuse


REFUSALS = {
    "bluesky": _refuse_bluesky,
    "mastodon": _refuse_mastodon,
    "x": _refuse_x,
    "youtube": _refuse_youtube,
    "facebook": _refuse_graph(32, "(#32) Page request limit reached"),
    "instagram": _refuse_graph(4, "(#4) Application request limit reached"),
}


# -- answers, in each platform's documented format --------------------------------------------------


def _n(handle: str) -> int:
    return int(re.search(r"\d+", handle).group())


def _stamps(fmt: str) -> list[str]:
    """The recent posts' times, newest first, in a platform's own spelling."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return [(now - dt.timedelta(days=2 + 4 * k)).strftime(fmt) for k in range(POSTS_PER_ACCOUNT)]


def _did(handle: str) -> str:
    return "did:plc:" + handle.split(".")[0].rjust(24, "x")


def _bluesky(path: str, query: dict) -> Any:
    if path == "/xrpc/app.bsky.actor.getProfiles":
        return {"profiles": [_profile(h) for h in query["actors"]]}
    if path == "/xrpc/app.bsky.feed.getAuthorFeed":
        return {"feed": _feed(query["actor"][0])}
    if path == "/xrpc/app.bsky.feed.getPostThread":
        return _thread(query["uri"][0])
    raise KeyError(path)


def _profile(handle: str) -> dict:
    n = _n(handle)
    return {
        "did": _did(handle),
        "handle": handle,
        "displayName": f"Scale {n}",
        "followersCount": 1000 + 37 * n,
        "followsCount": 100,
        "postsCount": 500 + n,
    }


def _feed(actor: str) -> list[dict]:
    items = []
    for k, stamp in enumerate(_stamps("%Y-%m-%dT%H:%M:%S.000Z")):
        uri = f"at://{actor}/app.bsky.feed.post/{k:013d}"
        items.append(
            {
                "post": {
                    "uri": uri,
                    "cid": f"c{k}",
                    "indexedAt": stamp,
                    "author": {"did": actor, "handle": actor},
                    "record": {"createdAt": stamp, "text": f"post {k}"},
                    "likeCount": 10 + k,
                    "replyCount": 1,
                    "repostCount": 2,
                    "quoteCount": 0,
                }
            }
        )
    return items


def _thread(uri: str) -> dict:
    """A post's thread: one question by someone else, answered by the account an hour later."""
    actor = uri.split("/")[2]
    asked = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)

    def view(author: str, rkey: str, when: dt.datetime, parent: str | None, replies: list) -> dict:
        stamp = when.isoformat().replace("+00:00", "Z")
        record = {"createdAt": stamp, "text": "…"}
        if parent:
            record["reply"] = {"root": {"uri": uri, "cid": "c"}, "parent": {"uri": parent, "cid": "c"}}
        post = {
            "uri": f"at://{author}/app.bsky.feed.post/{rkey}",
            "cid": "c",
            "indexedAt": stamp,
            "author": {"did": author, "handle": author},
            "record": record,
            "replyCount": len(replies),
        }
        return {"$type": "app.bsky.feed.defs#threadViewPost", "post": post, "replies": replies}

    question = f"at://did:plc:someone/app.bsky.feed.post/q{uri[-6:]}"
    answer = view(actor, f"a{uri[-6:]}", asked + dt.timedelta(hours=1), question, [])
    thread = view(actor, uri.rsplit("/", 1)[-1], asked - dt.timedelta(hours=1), None, [])
    thread["replies"] = [view("did:plc:someone", f"q{uri[-6:]}", asked, uri, [answer])]
    return {"thread": thread}


def _mastodon(path: str, query: dict) -> Any:
    if path == "/api/v1/accounts/lookup":
        n = _n(query["acct"][0])
        return {
            "id": str(109_000 + n),
            "username": f"a{n}",
            "acct": f"a{n}",
            "display_name": f"Scale {n}",
            "followers_count": 1000 + 37 * n,
            "following_count": 12,
            "statuses_count": 500 + n,
            "last_status_at": dt.date.today().isoformat(),
        }
    account = re.fullmatch(r"/api/v1/accounts/(\d+)/statuses", path).group(1)
    return [
        {
            "id": f"{account}{k:06d}",
            "created_at": stamp,
            "in_reply_to_id": None,
            "visibility": "public",
            "url": f"https://scale.example/@a/{account}{k:06d}",
            "replies_count": 1,
            "reblogs_count": 2,
            "favourites_count": 7 + k,
            "quotes_count": 0,
            "content": f"<p>status {k}</p>",
            "reblog": None,
            "account": {"id": account},
        }
        for k, stamp in enumerate(_stamps("%Y-%m-%dT%H:%M:%S.000Z"))
    ]


def _youtube(path: str, query: dict) -> Any:
    if path.endswith("/channels"):
        items = []
        for channel in query["id"][0].split(","):
            n = _n(channel)
            items.append(
                {
                    "kind": "youtube#channel",
                    "id": channel,
                    "snippet": {"title": f"Scale {n}"},
                    "contentDetails": {"relatedPlaylists": {"uploads": "UU" + channel[2:]}},
                    "statistics": {
                        "viewCount": str(100_000 + n),
                        "hiddenSubscriberCount": False,
                        "videoCount": str(40 + n),
                        "subscriberCount": str(1000 + 10 * n),
                    },
                }
            )
        return {"kind": "youtube#channelListResponse", "items": items}
    if path.endswith("/playlistItems"):
        n = _n(query["playlistId"][0])
        return {
            "kind": "youtube#playlistItemListResponse",
            "items": [
                {"contentDetails": {"videoId": f"v{n}k{k}", "videoPublishedAt": stamp}}
                for k, stamp in enumerate(_stamps("%Y-%m-%dT%H:%M:%SZ"))
            ],
        }
    if path.endswith("/videos"):
        stamps = _stamps("%Y-%m-%dT%H:%M:%SZ")
        return {
            "kind": "youtube#videoListResponse",
            "items": [
                {
                    "id": video,
                    "snippet": {"publishedAt": stamps[int(video.rsplit("k", 1)[1])], "title": video},
                    "statistics": {"viewCount": "1520", "likeCount": "31", "commentCount": "2"},
                }
                for video in query["id"][0].split(",")
            ],
        }
    raise KeyError(path)


def _x(path: str, query: dict) -> Any:
    if path == "/2/users/by":
        users = []
        for name in query["usernames"][0].split(","):
            n = _n(name)
            metrics = {"followers_count": 1000 + 37 * n, "following_count": 310, "tweet_count": 900 + n}
            users.append(
                {"id": str(1_500_000 + n), "name": f"Scale {n}", "username": name, "protected": False}
                | {"public_metrics": metrics}
            )
        return {"data": users}
    user = re.fullmatch(r"/2/users/(\d+)/tweets", path).group(1)
    tweets = [
        {
            "id": f"{user}{k:06d}",
            "text": f"tweet {k}",
            "created_at": stamp,
            "public_metrics": {
                "retweet_count": 2,
                "reply_count": 1,
                "like_count": 12 + k,
                "quote_count": 0,
                "impression_count": 2000,
            },
        }
        for k, stamp in enumerate(_stamps("%Y-%m-%dT%H:%M:%S.000Z"))
    ]
    return {"data": tweets, "meta": {"result_count": len(tweets)}}


def _facebook_page(handle: str) -> dict:
    n = _n(handle)
    page_id = str(100_064_000_000_000 + n)
    posts = [
        {
            "id": f"{page_id}_{k}",
            "created_time": stamp,
            "permalink_url": f"https://www.facebook.com/{handle}/posts/{k}",
            "message": f"post {k}",
            "reactions": {"data": [], "summary": {"total_count": 41 + k}},
            "comments": {"data": [], "summary": {"total_count": 3}},
            "shares": {"count": 2},
        }
        for k, stamp in enumerate(_stamps("%Y-%m-%dT%H:%M:%S+0000"))
    ]
    return {
        "id": page_id,
        "name": f"Scale {n}",
        "username": handle,
        "fan_count": 2000 + n,
        "followers_count": 2100 + n,
        "talking_about_count": 18,
        "posts": {"data": posts, "paging": {}},
    }


def _facebook(path: str, query: dict) -> Any:
    if "ids" in query:
        return {handle: _facebook_page(handle) for handle in query["ids"][0].split(",")}
    return _facebook_page(path.rsplit("/", 1)[-1])


def _instagram(path: str, query: dict) -> Any:
    handle = re.search(r"business_discovery\.username\(([^)]+)\)", query["fields"][0]).group(1)
    n = _n(handle)
    media = [
        {
            "id": f"179{n:08d}{k:04d}",
            "timestamp": stamp,
            "permalink": f"https://www.instagram.com/p/{n}{k}/",
            "caption": f"media {k}",
            "media_product_type": "FEED",
            "like_count": 152 + k,
            "comments_count": 4,
        }
        for k, stamp in enumerate(_stamps("%Y-%m-%dT%H:%M:%S+0000"))
    ]
    discovery = {
        "id": str(17_841_400_000_000_000 + n),
        "username": handle,
        "name": f"Scale {n}",
        "followers_count": 8800 + n,
        "follows_count": 120,
        "media_count": 1320,
        "media": {"data": media},  # no `after` cursor: the 28 days fit in one page
    }
    return {"business_discovery": discovery, "id": path.rsplit("/", 1)[-1]}


ANSWERS: dict[str, Callable[[str, dict], Any]] = {
    "bluesky": _bluesky,
    "mastodon": _mastodon,
    "youtube": _youtube,
    "x": _x,
    "facebook": _facebook,
    "instagram": _instagram,
}


# -- one run ---------------------------------------------------------------------------------------

HANDLES: dict[str, Callable[[int], str]] = {
    "bluesky": lambda i: f"a{i}.scale.example",
    "mastodon": lambda i: f"a{i}@scale.example",
    "youtube": lambda i: f"UC{i:022d}",
    "x": lambda i: f"scale{i}",
    "facebook": lambda i: f"scalebank{i}",
    "instagram": lambda i: f"scalebank{i}",
}
API_SUFFIX = {"youtube": "/youtube/v3", "facebook": "/v21.0", "instagram": "/v21.0"}


def _registry(root: Path, platform: str, accounts: int) -> DataPaths:
    paths = DataPaths(root / "finsocial.duckdb")
    institutions = [
        Institution(
            institution_id=f"scale-{i:04d}",
            name=f"Scale {i}",
            kind="bank",
            country="US",
            website=f"https://www.scale-{i:04d}.example/",
            handles={platform: (HANDLES[platform](i),)},
        )
        for i in range(accounts)
    ]
    save_registry(institutions, paths.registry)
    paths.ensure()
    return paths


@contextlib.contextmanager
def pacing(platform: str, host_limit: HostLimit, endpoint_limits: tuple) -> Iterator[None]:
    """The collector's class paced as given for the duration (to measure an earlier pacing)."""
    cls = COLLECTOR_BY_PLATFORM[platform]
    saved = {name: cls.__dict__.get(name) for name in ("host_limit", "endpoint_limits")}
    cls.host_limit, cls.endpoint_limits = host_limit, endpoint_limits
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                delattr(cls, name)
            else:
                setattr(cls, name, value)


def _pace(times: list[float]) -> float | None:
    """Calls a second from the first call to the last."""
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 2 and times[-1] > times[0] else None


def measure(
    platform: str,
    accounts: int,
    latency: float = LATENCY,
    limit: Published | None = None,
    webcare: bool = False,
    log: Callable[[str], None] = print,
) -> dict:
    """One collect run of `accounts` accounts on one platform against its local server."""
    server = PlatformServer(platform, latency, limit)
    cls = COLLECTOR_BY_PLATFORM[platform]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            paths = _registry(Path(tmp), platform, accounts)
            env = {
                **TOKENS,
                f"FINSOCIAL_{platform.upper()}_API": server.url + API_SUFFIX.get(platform, ""),
                "FINSOCIAL_WEBCARE": "1" if webcare else "0",
            }
            started = time.monotonic()
            result = collect(paths, [platform], log=lambda m: None, env=env)
            seconds = time.monotonic() - started
    finally:
        server.close()
    served = sorted(server.served)
    answered = [s for s in served if s[2]]
    refused = [s for s in served if s[3]]
    first = served[0][0] if served else 0.0
    by_call: dict[str, int] = {}
    for _, call, _, _ in answered:
        by_call[call] = by_call.get(call, 0) + 1
    out: dict[str, Any] = {
        "accounts": accounts,
        "webcare": webcare,
        "latency_ms": latency * 1000,
        "collector": {
            "host_limit": asdict(cls.host_limit),
            "endpoint_limits": {p: asdict(lim) for p, lim in cls.endpoint_limits},
        },
        "status": result.status,
        "collected": result.stats.get("accounts_collected"),
        "requests": len(served),
        "requests_answered": len(answered),
        "requests_per_account": len(answered) / accounts,
        "requests_by_call": by_call,
        "refused": len(refused),
        # the collector's burst falls in the first second; a refusal then is the burst's
        "refused_in_first_second": sum(1 for s in refused if s[0] - first < 1.0),
        "first_refused_request": next((i + 1 for i, s in enumerate(served) if s[3]), None),
        "seconds": seconds,
    }
    if limit is not None:
        out["limit"] = limit.text
        out["windows"] = []
        for window in limit.windows:
            times = [t for t, call, _, _ in answered if re.search(window.path, _path_of(call))]
            entry = {
                "window": window.name,
                "allowed": window.count,
                "allowed_seconds": window.seconds,
                "allowed_per_s": window.per_second,
                "answered": len(times),
                "per_account": len(times) / accounts,
                "achieved_per_s": _pace(times),
                # the burst falls in the first calls: the second half's pace is the one kept up
                "steady_per_s": _pace(times[len(times) // 2 :]),
            }
            if limit.kind == "rate":
                for key in ("achieved", "steady"):
                    pace = entry[f"{key}_per_s"]
                    entry[f"{key}_share"] = pace / window.per_second if pace else None
            else:
                # a budget: how many accounts one window's count pays for at this cost
                entry["accounts_per_window"] = window.count / entry["per_account"] if times else None
            out["windows"].append(entry)
    log(
        f"{platform} x{accounts}: {len(answered)} answered, {len(refused)} refused "
        f"({out['refused_in_first_second']} in the first second), {seconds:.1f} s, {result.status}"
    )
    return out


def _path_of(call: str) -> str:
    """A call name back to a path that the windows' patterns match."""
    return call.replace(":id", "0")


def one_run(accounts: int, latency: float, allowed: float, log, webcare: bool = False) -> dict:
    """Bluesky alone, against a server allowing `allowed` calls a second (0: no limit)."""
    limit = Published(f"{allowed}/s", "", "rate", (Window(allowed, 1.0),)) if allowed else None
    return measure("bluesky", accounts, latency, limit, webcare, log)


def run(log: Callable[[str], None] = print, platforms: list[str] | None = None, before: bool = True) -> dict:
    """Every collector against its platform's published limit, with the earlier pacing and today's."""
    out: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": os.getloadavg(),
        "latency_ms": LATENCY * 1000,
        "platforms": {},
    }
    for platform in platforms or list(LIMITS):
        limit = LIMITS[platform]
        entry: dict[str, Any] = {"limit": limit.text, "source": limit.source, "kind": limit.kind}
        if before:
            with pacing(platform, *BEFORE[platform]):
                entry["before"] = measure(platform, BEFORE_ACCOUNTS[platform], limit=limit, log=log)
        entry["after"] = measure(platform, ACCOUNTS[platform], limit=limit, log=log)
        out["platforms"][platform] = entry
    out["load_average_at_end"] = os.getloadavg()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", action="append", choices=list(LIMITS), help="only these (repeatable)")
    parser.add_argument("--no-before", action="store_true", help="skip the runs with the earlier pacing")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = run(platforms=args.platform, before=not args.no_before)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
