"""Collection shards: K/N parsed strictly, a stable share by account key, and a night's shards."""

from __future__ import annotations

import pytest

from warehouse.landing.shards import night_shards, parse_shard, shard_of


def test_parse_shard():
    assert parse_shard("2/4") == (2, 4) and parse_shard(" 1 / 1 ") == (1, 1)
    for bad, why in (
        ("0/4", "K runs from 1 to N"),
        ("5/4", "K runs from 1 to N"),
        ("1/0", "K runs from 1 to N"),
    ):
        with pytest.raises(ValueError, match=why):
            parse_shard(bad)
    for bad in ("2", "2/4/8", "a/b", "", "-1/4"):
        with pytest.raises(ValueError, match="is not K/N"):
            parse_shard(bad)


def test_an_account_keeps_its_shard():
    # pinned: blake2b of 'platform:handle', the same on every machine, Python and registry order
    assert [shard_of("bluesky", "northwind.bsky.social", n) for n in (1, 2, 3)] == [1, 1, 1]
    assert [shard_of("mastodon", "news@bank.example", n) for n in (1, 2, 3)] == [1, 2, 1]
    assert [shard_of("youtube", "UCnorthwindBank000000000", n) for n in (1, 2, 3)] == [1, 2, 2]
    # the key is the account, not its spelling: the same handle in another case is the same shard
    assert shard_of("x", "NorthwindBank", 7) == shard_of("x", "northwindbank", 7)
    # and the platform is part of it: one handle on two platforms may be collected by two shards
    assert {shard_of(p, "northwindbank", 64) for p in ("x", "facebook", "instagram")} != {1}


def manifest(run_id: str, night: str, k: int | None, n: int | None, kind: str = "collect") -> dict:
    m = {"run_id": run_id, "run_date": night, "kind": kind}
    if k is not None:
        m["shard"] = {"index": k, "count": n}
    return m


def test_which_shards_of_the_night_landed():
    manifests = [
        manifest("r1", "2026-03-01", 1, 4),
        manifest("r2", "2026-03-02", 1, 4),
        manifest("r3", "2026-03-02", 3, 4),
        manifest("r4", "2026-03-02", 3, 4),  # shard 3 run again: one shard, two runs
        manifest("r5", "2026-03-02", None, None),  # an unsharded collect
        manifest("r6", "2026-03-02", 1, 2),  # split another way that night
        manifest("r7", "2026-03-03", None, None, "import"),
    ]
    night = night_shards(manifests)
    assert night.night == "2026-03-02" and night.count == 2  # N of the night's newest sharded run
    manifests.append(manifest("r8", "2026-03-02", 4, 4))
    night = night_shards(manifests)
    assert night.count == 4 and night.landed == {1: ["r2"], 3: ["r3", "r4"], 4: ["r8"]}
    assert night.missing == [2]
    assert (
        night.describe()
        == "night 2026-03-02: shards 1, 3, 4 of 4 landed; 2 missing (runs split into 2 shards too)"
    )
    assert (
        night_shards(manifests, "2026-03-01").describe()
        == "night 2026-03-01: shards 1 of 4 landed; 2, 3, 4 missing"
    )
    assert night_shards([manifest("r9", "2026-03-02", None, None)]) is None
    broken = {"run_id": "rx", "run_date": "2026-03-04", "kind": "collect", "shard": {"index": "1"}}
    assert night_shards([broken]) is None  # a shard that is not K of N is no shard
