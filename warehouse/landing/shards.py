"""Collection shards: a stable share of the accounts by a hash of the account key, and which
shards of a night landed."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from warehouse.landing.runs import _RUN_DATE, MANIFEST
from warehouse.landing.store import Store

SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' → (K, N), 1 ≤ K ≤ N: shard K of N; ValueError naming what is wrong."""
    match = SHARD.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not K/N (shard K of N, e.g. 2/4)")
    k, n = int(match[1]), int(match[2])
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"shard {k}/{n}: K runs from 1 to N (N at least 1)")
    return k, n


def shard_of(platform: str, handle: str, count: int) -> int:
    """The shard (1..count) that collects an account: blake2b of 'platform:handle' (handle in
    lower case), so an account stays in its shard as the registry grows or is reordered, on
    every machine and Python (never the per-process salted hash())."""
    key = f"{platform}:{handle.strip().lower()}".encode()
    digest = hashlib.blake2b(key, digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


@dataclass(frozen=True)
class NightShards:
    """The collect runs of one night that collected a share of the accounts (collect --shard)."""

    night: str  # the run date
    count: int  # N
    landed: dict[int, list[str]] = field(default_factory=dict)  # shard → its run ids
    other_counts: tuple[int, ...] = ()  # runs of the same night split another way (N changed)

    @property
    def missing(self) -> list[int]:
        return [k for k in range(1, self.count + 1) if k not in self.landed]

    def describe(self) -> str:
        """One line: 'night 2026-03-01: shards 1, 3 of 4 landed; 2, 4 missing'."""
        landed = ", ".join(str(k) for k in sorted(self.landed)) or "none"
        line = f"night {self.night}: shards {landed} of {self.count} landed"
        if self.missing:
            line += f"; {', '.join(map(str, self.missing))} missing"
        if self.other_counts:
            line += f" (runs split into {', '.join(map(str, self.other_counts))} shards too)"
        return line


def night_shards(manifests: list[dict], night: str | None = None) -> NightShards | None:
    """Which shards of `night` (default: the newest night with sharded runs) landed, or None when
    no run was sharded. The night's N is that of its newest sharded run."""
    sharded = [
        m
        for m in manifests
        if m.get("kind") == "collect"
        and isinstance(m.get("shard"), dict)
        and all(isinstance(m["shard"].get(k), int) for k in ("index", "count"))
        and (night is None or m.get("run_date") == night)
    ]
    if not sharded:
        return None
    night = night or max(m["run_date"] for m in sharded)
    of_night = sorted((m for m in sharded if m["run_date"] == night), key=lambda m: m["run_id"])
    count = int(of_night[-1]["shard"]["count"])
    landed: dict[int, list[str]] = {}
    for m in of_night:
        if int(m["shard"]["count"]) == count:
            landed.setdefault(int(m["shard"]["index"]), []).append(m["run_id"])
    others = tuple(sorted({int(m["shard"]["count"]) for m in of_night} - {count}))
    return NightShards(night, count, landed, others)


def latest_night_shards(landing: Store, nights: int = 7) -> NightShards | None:
    """The shards of the newest night with sharded runs among the last `nights` days of the
    landing zone, reading only those days' manifests (cheap enough for `status`)."""
    days = [d for d in landing.scan("").folders if _RUN_DATE.match(d)]
    for day in sorted(days, reverse=True)[:nights]:
        manifests = []
        for run_id in landing.scan(day).folders:
            try:
                manifest = json.loads(landing.read(f"{day}/{run_id}/{MANIFEST}"))
            except (OSError, ValueError):
                continue  # being written, or damaged (the build reports it)
            if isinstance(manifest, dict) and isinstance(manifest.get("run_id"), str):
                manifests.append(manifest)
        if found := night_shards(manifests, day):
            return found
    return None
