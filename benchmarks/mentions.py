"""Mention searches: requests per institution a night and their pace against each platform's published limit.

A local server on 127.0.0.1 answers Bluesky's createSession and searchPosts and Mastodon's tag
timeline in their documented formats, after a fixed latency, with a day's mentions per institution
drawn like the demo's (most a handful, a few loud ones over a page), and refuses past the
published limit as the platform does (429 with ratelimit-reset or X-RateLimit-Reset). The real
search sources run with their own pacing. `python -m benchmarks.mentions` writes
benchmarks/results/mentions.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

from collectors.bluesky_search import BlueskySearch
from collectors.http import HttpClient
from collectors.mastodon_search import MastodonSearch
from collectors.mentions import SearchTarget, search_mentions
from localservers import LocalServer
from warehouse.domain.text import parse_terms

RESULTS = Path(__file__).parent / "results" / "mentions.json"
LATENCY = 0.05
NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
# Published limits: Bluesky's PDS 3,000 requests per 5 minutes per IP (docs.bsky.app, rate limits);
# Mastodon 300 requests per 5 minutes per IP on each instance (docs.joinmastodon.org, rate limits).
LIMITS = {"bluesky": (3000, 300.0), "mastodon": (300, 300.0)}


class SearchServer(LocalServer):
    """Answers searches with `counts[i]` posts for institution i over the last two days, 100 (Bluesky)
    or 40 (Mastodon) a page; a token bucket of one second's allowance at the published rate."""

    def __init__(self, counts: list[int], platform: str) -> None:
        self.counts = counts
        count, seconds = LIMITS[platform]
        self.rate = count / seconds
        self.tokens = max(1.0, self.rate)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()
        self.refused = 0
        self.times: list[float] = []
        super().__init__()

    def _allowed(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(max(1.0, self.rate), self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                self.times.append(now)
                return True
            self.refused += 1
            return False

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        time.sleep(LATENCY)
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        headers: dict[str, str] = {}
        if not self._allowed():
            status, body = 429, {"error": "RateLimitExceeded"}
            headers = {
                "ratelimit-reset": str(int(time.time()) + 1),
                "X-RateLimit-Reset": str(int(time.time()) + 1),
            }
        else:
            status, body, headers = self.answer(parts.path, query)
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    def answer(self, path: str, query: dict) -> tuple[int, Any, dict]:
        if path.endswith("createSession"):
            return (
                200,
                {"accessJwt": "a" * 40, "refreshJwt": "r" * 40, "handle": "w.example", "did": "did:plc:w"},
                {},
            )
        if path.endswith("searchPosts"):
            i = int(query["q"].strip('"@').split()[-1].split(".")[0].removeprefix("i"))
            page = int(query.get("cursor") or 0)
            n = self.counts[i]
            posts = [self._post(i, k) for k in range(page * 100, min(n, page * 100 + 100))]
            more = (page + 1) * 100 < n
            return 200, {"posts": posts, **({"cursor": str(page + 1)} if more else {})}, {}
        if "/timelines/tag/" in path:
            i = int(path.rsplit("/", 1)[1].removeprefix("bank"))
            start = int(query.get("max_id") or 0)
            n = self.counts[i]
            page = [self._status(i, k) for k in range(start, min(n, start + 40))]
            link = f'<{self.url}{path}?limit=40&max_id={start + 40}>; rel="next"' if start + 40 < n else ""
            return 200, page, ({"Link": link} if link else {})
        return 404, {"error": "NotFound"}, {}

    def _stamp(self, k: int) -> str:
        return (NOW - dt.timedelta(minutes=5 + k)).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def _post(self, i: int, k: int) -> dict:
        return {
            "uri": f"at://did:plc:p{k}/app.bsky.feed.post/{i}x{k}",
            "author": {"did": f"did:plc:p{k}", "handle": f"p{k}.example"},
            "record": {"text": f"Bank {i} outage again, cannot pay", "createdAt": self._stamp(k)},
        }

    def _status(self, i: int, k: int) -> dict:
        return {
            "id": str(10**6 - k),
            "uri": f"https://social.example/users/p{k}/statuses/{i}x{k}",
            "created_at": self._stamp(k),
            "content": f"<p>#bank{i} storing</p>",
            "account": {"acct": f"p{k}@social.example", "url": f"https://social.example/@p{k}"},
        }


def mentions_per_institution(n: int, seed: int = 7) -> list[int]:
    """Two days' mentions per institution: lognormal around 8, a few loud ones over 100."""
    rng = np.random.default_rng(seed)
    return [int(v) for v in np.minimum(np.round(rng.lognormal(2.0, 1.3, n)), 600)]


def measure(platform: str, institutions: int) -> dict:
    counts = mentions_per_institution(institutions)
    server = SearchServer(counts, platform)
    env = {
        "FINSOCIAL_BLUESKY_PDS": server.url,
        "FINSOCIAL_BLUESKY_IDENTIFIER": "watcher.example",
        "FINSOCIAL_BLUESKY_APP_PASSWORD": "bench-pass-word",
        "FINSOCIAL_MASTODON_INSTANCES": server.url,
    }
    requests = {"n": 0}
    client = HttpClient(on_request=lambda _p: requests.__setitem__("n", requests["n"] + 1))
    if platform == "bluesky":
        source = BlueskySearch(client, env=env, now=NOW)
        targets = [
            SearchTarget(f"i{i}", parse_terms(f"Bank {i}", f"Bank {i}", [])) for i in range(institutions)
        ]
    else:
        source = MastodonSearch(client, env=env, now=NOW)
        targets = [
            SearchTarget(f"i{i}", parse_terms(f"#bank{i}", f"Bank {i}", [])) for i in range(institutions)
        ]
    started = time.monotonic()
    try:
        outcome = search_mentions(source, targets, b"b" * 32, requests=lambda: requests["n"])
    finally:
        server.close()
    wall = time.monotonic() - started
    times = server.times
    pace = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else None
    count, seconds = LIMITS[platform]
    return {
        "platform": platform,
        "institutions": institutions,
        "mentions": len(outcome.mentions),
        "requests": requests["n"],
        "requests_per_institution": round(requests["n"] / institutions, 2),
        "refused_429": server.refused,
        "errors": len(outcome.errors),
        "wall_s": round(wall, 2),
        "pace_per_s": round(pace, 2) if pace else None,
        "published_per_s": round(count / seconds, 2),
        "pace_of_limit_pct": round(100 * pace / (count / seconds), 1) if pace else None,
        "latency_s": LATENCY,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bluesky", type=int, default=60, help="institutions searched on Bluesky")
    parser.add_argument("--mastodon", type=int, default=12, help="institutions searched on Mastodon")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = [measure("bluesky", args.bluesky), measure("mastodon", args.mastodon)]
    for r in results:
        print(json.dumps(r))
    args.out.write_text(
        json.dumps(
            {"measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "runs": results}, indent=2
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
