"""Collection cost: requests per account, and the pace achieved against a rate-limited server.

A local server on 127.0.0.1 answers Bluesky's AppView calls for any number of synthetic accounts
(on the same LocalServer as tests/collectors' fake server, but generating answers instead of replaying
recorded ones), optionally adding latency and enforcing a requests-per-second limit with 429s.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from collectors.bluesky import BlueskyCollector
from collectors.run import collect
from tests.support.localserver import LocalServer
from warehouse.paths import DataPaths
from warehouse.registry import Institution, save_registry

POSTS_PER_ACCOUNT = 6  # recent posts, all inside the 28-day window: one feed page each


class SyntheticAppView(LocalServer):
    """getProfiles and getAuthorFeed for handles a0.scale.example ... with latency and a limit."""

    def __init__(self, latency: float = 0.0, allowed_per_second: float = 0.0) -> None:
        self.latency = latency
        self.allowed = allowed_per_second
        self.tokens = max(1.0, allowed_per_second)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()
        self.served: list[tuple[float, str, int]] = []  # (time, path, status)
        super().__init__()

    def _admit(self) -> bool:
        """A token bucket holding one second of allowance: over it, the request gets a 429."""
        if self.allowed <= 0:
            return True
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.allowed, self.tokens + (now - self.stamp) * self.allowed)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        if self.latency:
            time.sleep(self.latency)
        status, body, headers = 200, {}, {}
        if not self._admit():
            status, body = 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
            headers = {"ratelimit-reset": str(int(time.time()) + 1), "retry-after": "1"}
        elif parts.path == "/xrpc/app.bsky.actor.getProfiles":
            body = {"profiles": [_profile(h) for h in query.get("actors", [])]}
        elif parts.path == "/xrpc/app.bsky.feed.getAuthorFeed":
            body = {"feed": _feed(query["actor"][0])}
        elif parts.path == "/xrpc/app.bsky.feed.getPostThread":
            body = _thread(query["uri"][0])
        else:
            status, body = 404, {"error": "NotFound"}
        with self.lock:
            self.served.append((time.monotonic(), parts.path, status))
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def _did(handle: str) -> str:
    return "did:plc:" + handle.split(".")[0].rjust(24, "x")


def _profile(handle: str) -> dict:
    n = int(handle.split(".")[0][1:])
    return {
        "did": _did(handle),
        "handle": handle,
        "displayName": f"Scale {n}",
        "followersCount": 1000 + 37 * n,
        "followsCount": 100,
        "postsCount": 500 + n,
    }


def _feed(actor: str) -> list[dict]:
    now = dt.datetime.now(dt.UTC)
    handle = actor if not actor.startswith("did:") else actor  # answers by did or handle alike
    items = []
    for k in range(POSTS_PER_ACCOUNT):
        stamp = (now - dt.timedelta(days=2 + 4 * k)).isoformat().replace("+00:00", "Z")
        uri = f"at://{actor}/app.bsky.feed.post/{k:013d}"
        items.append(
            {
                "post": {
                    "uri": uri,
                    "cid": f"c{k}",
                    "indexedAt": stamp,
                    "author": {"did": actor, "handle": handle},
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


def _registry(root: Path, accounts: int) -> DataPaths:
    paths = DataPaths(root / "finsocial.duckdb")
    institutions = [
        Institution(
            institution_id=f"scale-{i:04d}",
            name=f"Scale {i}",
            kind="bank",
            country="US",
            website=f"https://www.scale-{i:04d}.example/",
            handles={"bluesky": (f"a{i}.scale.example",)},
        )
        for i in range(accounts)
    ]
    save_registry(institutions, paths.registry)
    paths.ensure()
    return paths


def one_run(accounts: int, latency: float, allowed: float, log, webcare: bool = False) -> dict:
    server = SyntheticAppView(latency, allowed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            paths = _registry(Path(tmp), accounts)
            env = {"FINSOCIAL_BLUESKY_API": server.url, "FINSOCIAL_WEBCARE": "1" if webcare else "0"}
            started = time.monotonic()
            result = collect(paths, ["bluesky"], log=lambda m: None, env=env)
            elapsed = time.monotonic() - started
    finally:
        server.close()
    served = server.served
    ok = [s for s in served if s[2] == 200]
    limited = len(served) - len(ok)
    span = (served[-1][0] - served[0][0]) if len(served) > 1 else elapsed
    achieved = (len(ok) - 1) / span if span > 0 else 0.0
    # past the collector's initial burst: the pace it keeps up
    burst = BlueskyCollector.host_limit.burst
    times = [t for t, _, status in served if status == 200]
    steady = (len(times) - burst - 1) / (times[-1] - times[burst]) if len(times) > burst + 2 else None
    by_path: dict[str, int] = {}
    for _, path, status in served:
        if status == 200:
            by_path[path.rsplit(".", 1)[-1]] = by_path.get(path.rsplit(".", 1)[-1], 0) + 1
    out = {
        "accounts": accounts,
        "webcare": webcare,
        "latency_ms": latency * 1000,
        "server_allows_per_s": allowed or None,
        "collector_pace_per_s": BlueskyCollector.host_limit.per_second,
        "collector_burst": BlueskyCollector.host_limit.burst,
        "collector_concurrency": BlueskyCollector.host_limit.concurrency,
        "status": result.status,
        "collected": result.stats.get("accounts_collected"),
        "requests_answered": len(ok),
        "requests_refused_429": limited,
        "requests_by_call": by_path,
        "requests_per_account": len(ok) / accounts,
        "fewest_possible_per_account": (-(-accounts // BlueskyCollector.batch_size) + accounts) / accounts,
        "seconds": elapsed,
        "achieved_per_s": achieved,
        "steady_per_s": steady,
    }
    if allowed:
        out["achieved_share_of_allowed"] = achieved / allowed
        out["steady_share_of_allowed"] = steady / allowed if steady else None
    log(
        f"collect bluesky x{accounts} (latency {latency * 1000:.0f} ms, server limit "
        f"{allowed or 'none'}/s): {len(ok)} requests, {limited} refused, {elapsed:.1f} s, "
        f"{achieved:.2f}/s"
    )
    return out


def run(log=print, accounts: int = 60) -> dict:
    """Requests per account at no latency, without and with webcare threads, then pace against
    50 ms latency and two limits: Bluesky's published 3,000 per 5 minutes (10/s) and the
    collector's own pace (5/s)."""
    return {
        "platform": "bluesky",
        "plain": one_run(accounts, 0.0, 0.0, log),
        "webcare": one_run(accounts, 0.0, 0.0, log, webcare=True),
        "limit_10_per_s": one_run(accounts, 0.05, 10.0, log),
        "limit_5_per_s": one_run(accounts, 0.05, 5.0, log),
    }


if __name__ == "__main__":
    target = Path(__file__).parent / "results" / "collection.json"
    target.write_text(json.dumps(run(), indent=2) + "\n")
    print(f"wrote {target}")
