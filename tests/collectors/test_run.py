"""`collect`: every platform into one landing run, with failures recorded and secrets kept out."""

from __future__ import annotations

import gzip
import json
import time

import pyarrow.parquet as pq
import pytest

from collectors.run import collect
from localservers import TOKENS
from tests.support.collector_fakes import NOW, Reply, fixture, write_registry
from warehouse.landing.runs import complete_runs

NORTHWIND = {
    "institution_id": "northwind",
    "name": "Northwind Bank",
    "kind": "bank",
    "country": "GB",
    "website": "https://www.northwind.example/",
    "bluesky": "northwind.bsky.social",
    "mastodon": "@news@bank.example",
    "youtube": "UCnorthwindBank000000000",
    "x": "@NorthwindBank",
    "facebook": "https://www.facebook.com/northwindbank",
    "instagram": "https://www.instagram.com/northwindbank/",
}
GHOST = {
    "institution_id": "ghost",
    "name": "Ghost CU",
    "kind": "credit_union",
    "country": "US",
    "website": "https://ghost.example/",
    "x": "ghostbank",
}


def serve_all(server):
    server.route("/xrpc/app.bsky.actor.getProfiles", fixture("bluesky", "getProfiles.json"))
    server.route(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        fixture("bluesky", "feed-northwind-2.json"),
        when=lambda q: "cursor" in q,
    )
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", fixture("bluesky", "feed-northwind-1.json"))
    server.route("/api/v1/accounts/lookup", fixture("mastodon", "lookup-news.json"))
    server.route("/api/v1/accounts/109123/statuses", fixture("mastodon", "statuses-2.json"))
    server.route("/youtube/v3/channels", fixture("youtube", "channels-ids.json"))
    server.route("/youtube/v3/playlistItems", fixture("youtube", "playlist-2.json"))
    server.route("/youtube/v3/videos", fixture("youtube", "videos.json"))
    server.route("/2/users/by", fixture("x", "users-by.json"))
    server.route("/2/users/1500000000000000001/tweets", fixture("x", "tweets-2.json"))
    server.route("/v21.0/northwindbank", fixture("facebook", "page-northwind.json"))
    server.route(
        "/v21.0/" + TOKENS["FINSOCIAL_INSTAGRAM_USER_ID"],
        fixture("instagram", "discovery-2.json"),
        when=lambda q: "media.after" in q["fields"],
    )
    server.route("/v21.0/" + TOKENS["FINSOCIAL_INSTAGRAM_USER_ID"], fixture("instagram", "discovery-1.json"))
    serve_threads(server)


def serve_threads(server):
    """Webcare threads in each platform's format (X reads none without its opt-in)."""
    thread = "/xrpc/app.bsky.feed.getPostThread"
    server.route(
        thread, fixture("bluesky", "thread-3lafirstaaaa.json"), when=lambda q: q["uri"].endswith("aaaa")
    )
    server.route(
        thread, fixture("bluesky", "thread-3lq2bob.json"), when=lambda q: q["uri"].endswith("3lq2bob")
    )
    server.route(thread, fixture("bluesky", "thread-3lbsecondbbb.json"))
    server.route(
        "/api/v1/statuses/113000000000000003/context", fixture("mastodon", "context-113000000000000003.json")
    )
    server.route(
        "/youtube/v3/commentThreads",
        fixture("youtube", "commentThreads-vid00000001.json"),
        when=lambda q: q["videoId"] == "vid00000001",
    )
    server.route("/youtube/v3/commentThreads", fixture("youtube", "commentThreads-empty.json"))
    server.route("/youtube/v3/comments", fixture("youtube", "comments-UgyT2.json"))
    server.route("/v21.0/100064000000001_901/comments", fixture("facebook", "comments-901.json"))
    server.route("/v21.0/901_1004/comments", fixture("facebook", "replies-901_1004.json"))


def read(run, kind):
    path = run.file(kind)
    return pq.read_table(path).to_pylist() if path else []


def test_collect_all_platforms_into_one_run(server, client, env, paths):
    write_registry(paths, [NORTHWIND, GHOST])
    serve_all(server)
    lines: list[str] = []
    before = time.monotonic()
    result = collect(paths, client=client, now=NOW, env=env, log=lines.append)
    took = time.monotonic() - before
    assert result.status == "complete" and result.exit_code == 0
    (run,) = complete_runs(paths.landing)
    assert run.run_id == result.run_id and run.manifest["kind"] == "collect"
    assert run.manifest["run_date"] == "2026-03-01"
    snaps = {r["platform"]: r for r in read(run, "snapshots")}
    assert {p: s["followers"] for p, s in snaps.items()} == {
        "bluesky": 12840,
        "mastodon": 5230,
        "youtube": 125000,
        "x": 45210,
        "facebook": 262100,
        "instagram": 88400,
    }
    assert snaps["youtube"]["precision"] == "rounded" and snaps["youtube"]["views_total"] == 48213577
    assert snaps["facebook"]["likes_total"] == 250300 and snaps["x"]["likes_total"] is None
    assert all(s["posts_observed"] and s["method"] == "api" for s in snaps.values())
    posts = read(run, "posts")
    per_platform = {p: sum(1 for r in posts if r["platform"] == p) for p in snaps}
    # (the recorded videos.list answer holds three videos)
    assert per_platform == {
        "bluesky": 3,
        "mastodon": 1,
        "youtube": 3,
        "x": 1,
        "facebook": 1,
        "instagram": 3,
    }
    comments = read(run, "comments")
    # thread roots and replies (tests/collectors/test_webcare.py checks each platform's in detail)
    assert {p: sum(1 for r in comments if r["platform"] == p) for p in snaps} == {
        "bluesky": 8,
        "mastodon": 1,
        "youtube": 9,
        "x": 0,
        "facebook": 8,
        "instagram": 0,
    }
    accounts = {(r["institution_id"], r["platform"]): r for r in read(run, "accounts")}
    assert accounts[("northwind", "x")]["found_via"] == "registry"
    assert accounts[("northwind", "x")]["platform_id"] == "1500000000000000001"
    assert accounts[("ghost", "x")]["status"] == "not_found"
    errors = read(run, "errors")
    assert [(e["institution_id"], e["kind"]) for e in errors] == [("ghost", "not_found")]
    stats = run.manifest["stats"]
    assert stats["accounts_tried"] == 7 and stats["accounts_collected"] == 6
    assert stats["failed_by_kind"] == {"not_found": 1}
    assert stats["requests"] == run.manifest["requests"]
    # Requests per platform for this run (one account each), threads included: bluesky 3 + the feed
    # with replies + 3 threads (one truncated question); mastodon 2 + the statuses with replies
    # (its one post has no replies); youtube 3 + 3 commentThreads + 1 comments.list; facebook 1 +
    # the post's comments + one comment's replies; x and instagram read no threads.
    assert run.manifest["requests"] == {
        "bluesky": 7,
        "mastodon": 3,
        "youtube": 7,
        "x": 2,
        "facebook": 3,
        "instagram": 2,
    }
    # the run's own time: some of the call's (24 requests to a local server take over a millisecond)
    assert 0 < stats["duration_s"] <= round(took, 3)
    assert any(line.startswith("bluesky: 1/1 collected") for line in lines)


def test_secrets_never_reach_logs_or_landing(server, client, env, paths):
    write_registry(paths, [NORTHWIND])
    serve_all(server)
    # Platforms echo tokens back in paging links and error messages; none of it may land.
    echo = Reply({"error": {"message": f"bad token {TOKENS['FINSOCIAL_X_BEARER_TOKEN']}"}}, 400)
    server.routes.insert(0, ("/2/users/by", None, [echo]))
    lines: list[str] = []
    collect(paths, client=client, now=NOW, env=env, log=lines.append)
    blobs = [p.read_bytes() for p in paths.landing.rglob("*") if p.is_file()]
    blobs = [gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b for b in blobs]
    assert len(blobs) > 10
    for token in TOKENS.values():
        if token.isdigit():
            continue  # the Instagram user id is an id, not a secret
        assert not any(token.encode() in blob for blob in blobs), token
        assert not any(token in line for line in lines)
    for table in paths.landing.rglob("*.parquet"):
        for row in pq.read_table(table).to_pylist():
            assert not any(t in json.dumps(row, default=str) for t in TOKENS.values() if not t.isdigit())


def test_missing_credential_skips_platform_with_one_line(server, client, env, paths):
    write_registry(paths, [NORTHWIND])
    serve_all(server)
    del env["FINSOCIAL_X_BEARER_TOKEN"]
    lines: list[str] = []
    result = collect(paths, platforms=["x", "bluesky"], client=client, now=NOW, env=env, log=lines.append)
    assert [line for line in lines if line.startswith("x:")] == [
        "x: skipped, FINSOCIAL_X_BEARER_TOKEN not set (1 account)"
    ]
    assert result.status == "partial" and result.exit_code == 3
    assert result.stats["failed_by_kind"] == {"auth_missing": 1}
    assert not server.requests_to("/2/users/by")
    (run,) = complete_runs(paths.landing)
    assert {r["platform"] for r in read(run, "snapshots")} == {"bluesky"}


def test_failing_platform_does_not_stop_others_and_is_retried_once(server, client, env, paths):
    write_registry(paths, [NORTHWIND])
    serve_all(server)
    server.routes.insert(0, ("/xrpc/app.bsky.actor.getProfiles", None, [Reply("down", 503)]))
    result = collect(
        paths,
        platforms=["bluesky", "mastodon"],
        client=client,
        now=NOW,
        env=env,
        log=lambda _: None,
    )
    assert result.status == "partial" and result.exit_code == 3
    assert result.stats["accounts_collected"] == 1
    # Three attempts within the HTTP layer, then one more pass of three within the run.
    assert len(server.requests_to("/xrpc/app.bsky.actor.getProfiles")) == 6
    (run,) = complete_runs(paths.landing)
    (error,) = read(run, "errors")
    assert error["kind"] == "http_error" and error["http_status"] == 503


def test_all_failed_and_nothing_to_do(server, client, env, paths):
    write_registry(
        paths,
        [{**NORTHWIND, "mastodon": "", "youtube": "", "x": "", "facebook": "", "instagram": ""}],
    )
    server.route("/xrpc/app.bsky.actor.getProfiles", Reply("down", 500))
    result = collect(paths, client=client, now=NOW, env=env, log=lambda _: None)
    assert result.status == "failed" and result.exit_code == 1

    result = collect(paths, platforms=["linkedin"], client=client, now=NOW, env=env, log=lambda _: None)
    assert result.status == "nothing" and result.exit_code == 78 and result.run_id is None


def test_institution_filter(server, client, env, paths):
    write_registry(paths, [NORTHWIND, GHOST])
    serve_all(server)
    result = collect(paths, institution_ids=["ghost"], client=client, now=NOW, env=env, log=lambda _: None)
    assert result.stats["accounts_tried"] == 1 and result.status == "complete"


def test_a_crashing_collector_is_contained(server, client, env, paths, monkeypatch):
    from collectors.bluesky import BlueskyCollector

    def boom(self, targets):
        raise RuntimeError("unexpected shape " + env["FINSOCIAL_X_BEARER_TOKEN"])

    monkeypatch.setattr(BlueskyCollector, "collect", boom)
    write_registry(paths, [NORTHWIND])
    serve_all(server)
    lines: list[str] = []
    result = collect(paths, platforms=["bluesky", "x"], client=client, now=NOW, env=env, log=lines.append)
    assert result.status == "partial" and result.stats["accounts_collected"] == 1
    assert any("bluesky: collector failed: RuntimeError" in line for line in lines)
    assert not any(TOKENS["FINSOCIAL_X_BEARER_TOKEN"] in line for line in lines)
    (run,) = complete_runs(paths.landing)
    (error,) = read(run, "errors")
    assert error["platform"] == "bluesky" and TOKENS["FINSOCIAL_X_BEARER_TOKEN"] not in error["message"]


def test_progress_bar_on_a_terminal(server, client, env, paths, monkeypatch):
    import sys

    write_registry(paths, [NORTHWIND])
    serve_all(server)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    lines: list[str] = []
    result = collect(
        paths,
        platforms=["bluesky"],
        client=client,
        now=NOW,
        env=env,
        log=lines.append,
        progress=True,
    )
    assert result.status == "complete"
    assert not any(line.startswith("bluesky: collecting") for line in lines)  # the bar took over


def test_a_platform_without_its_credential_is_off_not_a_failure(server, client, env, paths):
    # an operator who runs only the free platforms: no X token, YouTube switched off
    write_registry(paths, [NORTHWIND])
    serve_all(server)
    del env["FINSOCIAL_X_BEARER_TOKEN"]
    env["FINSOCIAL_PLATFORMS_OFF"] = "YouTube, facebook"
    lines: list[str] = []
    result = collect(paths, client=client, now=NOW, env=env, log=lines.append)
    assert [line for line in lines if line.startswith(("x:", "youtube:", "facebook:"))] == [
        "youtube: off, switched off in FINSOCIAL_PLATFORMS_OFF (1 account not collected)",
        "x: off, FINSOCIAL_X_BEARER_TOKEN not set (1 account not collected)",
        "facebook: off, switched off in FINSOCIAL_PLATFORMS_OFF (1 account not collected)",
    ]
    assert result.status == "complete" and result.exit_code == 0
    assert result.stats["platforms_off"] == {
        "youtube": "switched off in FINSOCIAL_PLATFORMS_OFF",
        "x": "FINSOCIAL_X_BEARER_TOKEN not set",
        "facebook": "switched off in FINSOCIAL_PLATFORMS_OFF",
    }
    assert not server.requests_to("/2/users/by") and not server.requests_to("/youtube/v3/channels")
    (run,) = complete_runs(paths.landing)
    assert {r["platform"] for r in read(run, "snapshots")} == {"bluesky", "mastodon", "instagram"}
    assert not read(run, "errors")


def test_a_switched_on_platform_that_fails_still_fails(server, client, env, paths):
    write_registry(paths, [NORTHWIND])
    serve_all(server)
    env["FINSOCIAL_PLATFORMS_OFF"] = "youtube,x,facebook,instagram,mastodon"
    server.routes.insert(0, ("/xrpc/app.bsky.actor.getProfiles", None, [Reply("down", 503)]))
    result = collect(paths, client=client, now=NOW, env=env, log=lambda _: None)
    assert result.status == "failed" and result.exit_code != 0
    assert result.stats["failed_by_kind"] == {"http_error": 1}


def test_every_platform_off_is_nothing_to_collect(client, env, paths):
    write_registry(
        paths,
        [
            {
                k: v
                for k, v in NORTHWIND.items()
                if k in ("institution_id", "name", "kind", "country", "website", "x")
            }
        ],
    )
    del env["FINSOCIAL_X_BEARER_TOKEN"]
    lines: list[str] = []
    result = collect(paths, client=client, now=NOW, env=env, log=lines.append)
    assert result.run_id is None and result.status == "nothing"
    assert lines[-1] == "nothing to collect: every platform with accounts is off (x)"


def test_an_unknown_platform_in_the_off_setting_is_an_error(env, paths):
    write_registry(paths, [NORTHWIND])
    env["FINSOCIAL_PLATFORMS_OFF"] = "youtub"
    with pytest.raises(ValueError, match="FINSOCIAL_PLATFORMS_OFF: unknown platform 'youtub'"):
        collect(paths, env=env, log=lambda _: None)
