"""Collection time against the number of shards: N shards, each with its own address (its own
rate-limited local server) and its own client, collect one night into one landing zone on a local
S3 server (SeaweedFS), side by side. The goal: time ∝ 1/N.

    python -m benchmarks.shards [--platform mastodon] [--accounts 16] [--shards 1 2 4]

Mastodon is the binding limit (300 requests per 5 minutes per address and instance); its local
server (benchmarks/collection.py) enforces it, and the collector paces itself under it. Results in
benchmarks/results/shards.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.collection import API_SUFFIX, LIMITS, PlatformServer, _registry
from collectors.run import collect
from localservers import TOKENS
from localservers.seaweed import SeaweedServer
from warehouse.infra.paths import DataPaths
from warehouse.landing.runs import complete_runs
from warehouse.landing.shards import shard_of
from warehouse.landing.store import landing_store

RESULTS = Path(__file__).parent / "results" / "shards.json"


def night(platform: str, accounts: int, shards: int, url: str, root: Path) -> dict:
    """One night of `accounts` accounts collected by `shards` shards at once; the wall time."""
    template = _registry(root / "registry", platform, accounts)
    servers = [PlatformServer(platform, limit=LIMITS[platform]) for _ in range(shards)]
    outcomes: dict[int, dict] = {}

    def shard(k: int) -> None:
        paths = DataPaths(root / f"shard-{k}" / "finsocial.duckdb", url)
        paths.root.mkdir(parents=True)
        paths.registry.write_bytes(template.registry.read_bytes())
        env = {
            **TOKENS,
            f"FINSOCIAL_{platform.upper()}_API": servers[k - 1].url + API_SUFFIX.get(platform, ""),
            "FINSOCIAL_WEBCARE": "0",
        }
        started = time.monotonic()
        result = collect(paths, [platform], env=env, shard=(k, shards), log=lambda _m: None)
        outcomes[k] = {
            "accounts": result.stats.get("accounts_tried", 0),
            "collected": result.stats.get("accounts_collected", 0),
            "status": result.status,
            "seconds": round(time.monotonic() - started, 2),
            "requests": len(servers[k - 1].served),
            "refused": sum(1 for s in servers[k - 1].served if s[3]),
        }

    started = time.monotonic()
    threads = [threading.Thread(target=shard, args=(k,)) for k in range(1, shards + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    for server in servers:
        server.close()
    landed = complete_runs(landing_store(DataPaths(root / "shard-1" / "finsocial.duckdb", url)))
    return {
        "shards": shards,
        "seconds": round(wall, 2),
        "runs_landed": len(landed),
        "collected": sum(o["collected"] for o in outcomes.values()),
        "largest_shard": max(o["accounts"] for o in outcomes.values()),
        "per_shard": [outcomes[k] for k in sorted(outcomes)],
    }


def balance_at(accounts: int, counts: tuple[int, ...] = (2, 4, 8, 16, 32)) -> dict[str, float]:
    """The largest shard's size over the mean, for `accounts` keys spread over six platforms."""
    platforms = sorted(LIMITS)
    keys = [(platforms[i % len(platforms)], f"acct{i}.example") for i in range(accounts)]
    out = {}
    for n in counts:
        sizes = [0] * n
        for platform, handle in keys:
            sizes[shard_of(platform, handle, n) - 1] += 1
        out[str(n)] = round(max(sizes) / (accounts / n), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", default="mastodon", choices=sorted(LIMITS))
    parser.add_argument("--accounts", type=int, default=16)
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_before = os.getloadavg()
    results = []
    with SeaweedServer() as s3, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(s3.env)
        for n in args.shards:
            url = f"s3://{s3.bucket}/bench-{secrets.token_hex(3)}/landing"
            entry = night(args.platform, args.accounts, n, url, Path(tmp) / f"n{n}")
            print(
                f"{n} shard(s): {entry['seconds']:.1f} s, {entry['collected']}/{args.accounts} collected, "
                f"largest shard {entry['largest_shard']} accounts, {entry['runs_landed']} runs landed"
            )
            results.append(entry)
    base = results[0]["seconds"] * results[0]["shards"]
    for entry in results:
        entry["ideal_seconds"] = round(base / entry["shards"], 2)  # ∝ 1/N from the first
    balance = {
        n: [shard_of(args.platform, f"a{i}@scale.example", n) for i in range(args.accounts)]
        for n in args.shards
    }
    out = {
        # at world size the hash splits evenly: the largest shard over the mean, 250,000 account keys
        "largest_over_mean_at_250k": balance_at(250_000),
        "command": "python -m benchmarks.shards " + " ".join(os.sys.argv[1:]),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "platform": args.platform,
        "limit": LIMITS[args.platform].text,
        "accounts": args.accounts,
        "landing": "s3:// on SeaweedFS (weed mini) on 127.0.0.1",
        "accounts_per_shard": {str(n): [b.count(k) for k in range(1, n + 1)] for n, b in balance.items()},
        "results": results,
    }
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
