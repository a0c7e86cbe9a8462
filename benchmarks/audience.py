"""Requests per account for a weekly follower sample, measured against a local server.

A server on 127.0.0.1 answers Bluesky's getProfiles/getFollowers and Mastodon's lookup/followers
for synthetic accounts with a given number of followers, in the documented formats and page sizes
(getFollowers at most 100 a page with a cursor, getProfiles 25 actors, followers 80 a page with a
Link header). `python -m benchmarks.audience` writes benchmarks/results/audience.json.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from collectors.http import HttpClient
from collectors.run import collect_audience
from localservers import LocalServer
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import Institution, save_registry
from warehouse.landing.runs import complete_runs

RESULTS = Path(__file__).parent / "results" / "audience.json"


class SyntheticFollowers(LocalServer):
    """Accounts a<k>.<followers>.example with <followers> followers each, on both platforms."""

    def __init__(self) -> None:
        self.requests: dict[str, int] = {}
        super().__init__()

    @staticmethod
    def total(actor: str) -> int:
        return int(re.match(r"a\d+[-_](\d+)", actor)[1])

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(parts.query).items()}
        self.requests[parts.path.rsplit("/", 1)[-1]] = self.requests.get(parts.path.rsplit("/", 1)[-1], 0) + 1
        headers: dict[str, str] = {}
        if parts.path.endswith("getProfiles"):
            actors = query["actors"] if isinstance(query["actors"], list) else [query["actors"]]
            body: object = {
                "profiles": [
                    {"did": a, "handle": a, "followersCount": self.total(a) if a.startswith("a") else i * 37}
                    for i, a in enumerate(actors)
                ]
            }
        elif parts.path.endswith("getFollowers"):
            start, limit = int(query.get("cursor", 0)), int(query["limit"])
            end = min(self.total(query["actor"]), start + limit)
            body = {
                "subject": {"did": query["actor"], "handle": query["actor"]},
                "followers": [{"did": f"f{i}.x", "handle": f"f{i}.x"} for i in range(start, end)],
                **({"cursor": str(end)} if end < self.total(query["actor"]) else {}),
            }
        elif parts.path.endswith("lookup"):
            acct = query["acct"].split("@")[0]
            body = {"id": acct, "acct": acct, "followers_count": self.total(acct)}
        else:  # /api/v1/accounts/<id>/followers
            account = parts.path.split("/")[-2]
            start, limit = int(query.get("max_id", 0)), int(query.get("limit", 80))
            end = min(self.total(account), start + limit)
            body = [
                {"id": str(i), "followers_count": i * 37, "statuses_count": 5, "last_status_at": "2026-11-01"}
                for i in range(start, end)
            ]
            if end < self.total(account):
                headers["Link"] = (
                    f'<{self.url}/api/v1/accounts/{account}/followers?limit=80&max_id={end}>; rel="next"'
                )
        data = json.dumps(body).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)


def measure(followers: int, accounts: int = 4, sample_size: int = 1000) -> dict:
    """One audience run over `accounts` accounts of `followers` followers on each platform."""
    server = SyntheticFollowers()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            paths = DataPaths(Path(tmp) / "finsocial.duckdb")
            paths.ensure()
            institutions = [
                Institution(
                    f"inst-{k}",
                    f"Institution {k}",
                    "bank",
                    "NL",
                    "https://example.org/",
                    handles={
                        "bluesky": (f"a{k}-{followers}.example",),
                        "mastodon": (f"@a{k}_{followers}@m.example",),
                    },
                )
                for k in range(accounts)
            ]
            save_registry(institutions, paths.registry)
            env = {"FINSOCIAL_BLUESKY_API": server.url, "FINSOCIAL_MASTODON_API": server.url}
            started = time.perf_counter()
            result = collect_audience(
                paths,
                sample_size=sample_size,
                client=HttpClient(limits_enabled=False),
                env=env,
                log=lambda _: None,
            )
            seconds = time.perf_counter() - started
            (run,) = complete_runs(paths.landing)
            import pyarrow.parquet as pq

            rows = pq.read_table(run.file("audience")).to_pylist()
    finally:
        server.close()
    per_account = {
        p: sorted({r["requests"] for r in rows if r["platform"] == p}) for p in ("bluesky", "mastodon")
    }
    return {
        "followers": followers,
        "accounts_per_platform": accounts,
        "sample_size": sample_size,
        "status": result.status,
        "requests_by_platform": run.manifest["requests"],
        "requests_per_account_sample": per_account,
        "requests_per_account_with_lookup": {
            p: round(n / accounts, 2) for p, n in run.manifest["requests"].items()
        },
        "sampled": {
            p: sorted({r["sample_size"] for r in rows if r["platform"] == p}) for p in ("bluesky", "mastodon")
        },
        "seconds_unthrottled": round(seconds, 2),
    }


def main() -> int:
    results = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "runs": [measure(f) for f in (30, 250, 1000, 5000)],
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    json.dump(results, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
