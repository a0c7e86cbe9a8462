"""X collector against recorded API v2 responses."""

from __future__ import annotations

import pytest

from collectors.http import HttpClient
from collectors.x import XCollector
from localservers import TOKENS
from tests.support.collector_fakes import Reply, fixture, make_collector, target

USERS, TWEETS = "/2/users/by", "/2/users/1500000000000000001/tweets"


def _serve(server):
    server.route(USERS, fixture("x", "users-by.json"))
    server.route(
        TWEETS,
        fixture("x", "tweets-2.json"),
        when=lambda q: q.get("pagination_token") == "7140dibdnow9c7btw423x",
    )
    server.route(TWEETS, fixture("x", "tweets-1.json"))


def test_users_by_and_tweets_pages(server, client, env):
    _serve(server)
    north, locked, ghost = make_collector(XCollector, client, env).collect(
        [target("x", "northwindbank"), target("x", "lockedcu"), target("x", "ghostbank")]
    )
    snap = north.snapshot
    assert (snap.followers, snap.following, snap.posts_total, snap.platform_id) == (
        45210,
        310,
        9120,
        "1500000000000000001",
    )
    assert snap.likes_total is None  # like_count counts likes given, not received
    posts = {p.post_id: p for p in north.posts}
    assert len(posts) == 3
    top = posts["1890000000000000003"]
    assert (top.likes, top.comments, top.shares, top.quotes, top.views) == (120, 8, 15, 2, 20500)
    assert posts["1890000000000000001"].views is None
    assert top.url == "https://x.com/northwindbank/status/1890000000000000003"
    # A protected account: counts (post_count accepted for tweet_count), no timeline request.
    assert locked.account.status == "private" and locked.error.kind == "private"
    assert locked.snapshot.followers == 150 and locked.snapshot.posts_total == 75
    assert ghost.error.kind == "not_found" and ghost.account.status == "not_found"
    (users_call,) = server.requests_to(USERS)
    assert users_call.query["usernames"] == "northwindbank,lockedcu,ghostbank"
    assert "public_metrics" in users_call.query["user.fields"]
    first = server.requests_to(TWEETS)[0].query
    assert first["exclude"] == "retweets,replies" and first["start_time"] == "2026-02-01T12:00:00Z"
    assert len(server.requests_to(TWEETS)) == 2
    assert all(
        s.headers["Authorization"] == "Bearer " + TOKENS["FINSOCIAL_X_BEARER_TOKEN"] for s in server.seen
    )


def test_hundred_usernames_per_call(server, client, env):
    def users(seen):
        names = seen.query["usernames"].split(",")
        assert len(names) <= 100
        return {
            "data": [
                {"id": str(i + 1), "username": n, "public_metrics": {"followers_count": i}}
                for i, n in enumerate(names)
            ]
        }

    server.route(USERS, users)
    server.route("/2/users/1/tweets", {"meta": {"result_count": 0}})
    handles = [f"bank{i}" for i in range(150)]
    outcomes = make_collector(XCollector, client, env).collect([target("x", h) for h in handles])
    assert sum(o.collected for o in outcomes) == 150
    assert [len(s.query["usernames"].split(",")) for s in server.requests_to(USERS)] == [100, 50]


def test_rate_limit_reset_header_then_success(server, client, env, sleeps):
    reset = str(int(client.clock()) + 60)
    server.route(
        USERS,
        Reply({"title": "Too Many Requests", "status": 429}, 429, {"x-rate-limit-reset": reset}),
        fixture("x", "users-by.json"),
    )
    server.route(TWEETS, {"meta": {"result_count": 0}})
    (north,) = make_collector(XCollector, client, env).collect([target("x", "northwindbank")])
    assert north.snapshot.followers == 45210 and north.posts == []
    assert 58 <= sleeps[0] <= 61


def test_wait_longer_than_allowed_gives_up(server, env, sleeps):
    from collectors.http import HttpClient

    impatient = HttpClient(
        timeout=(1, 0.4), max_retries=2, max_wait=10, sleep=sleeps.append, limits_enabled=False
    )
    server.route(USERS, Reply({"title": "Too Many Requests"}, 429, {"Retry-After": "900"}))
    (north,) = make_collector(XCollector, impatient, env).collect([target("x", "northwindbank")])
    assert north.error.kind == "rate_limited" and "900" in north.error.message and sleeps == []


def test_token_refused_and_missing_metrics(server, client, env):
    server.route(USERS, Reply(fixture("x", "unauthorized.json"), 401))
    (north,) = make_collector(XCollector, client, env).collect([target("x", "northwindbank")])
    assert (
        north.error.kind == "auth_missing" and TOKENS["FINSOCIAL_X_BEARER_TOKEN"] not in north.error.message
    )

    server.routes.clear()
    server.route(
        USERS,
        {"data": [{"id": "1", "username": "northwindbank", "public_metrics": {"following_count": 3}}]},
    )
    (north,) = make_collector(XCollector, client, env).collect([target("x", "northwindbank")])
    assert north.error.kind == "parse_error" and "followers_count" in north.error.message


def test_tweets_page_fails_keeps_counts(server, client, env):
    server.route(USERS, fixture("x", "users-by.json"))
    server.route(TWEETS, Reply("oops", 500))
    (north,) = make_collector(XCollector, client, env).collect([target("x", "northwindbank")])
    assert north.snapshot.followers == 45210 and north.snapshot.posts_observed is False
    assert north.error.kind == "http_error" and north.retryable


def test_each_endpoint_keeps_a_pace_of_its_own(server, env):
    """X limits users/by (300 per 15 min) far below the timeline (10,000): a users/by call leaves
    the timeline's burst whole, and a second users/by call waits for users/by's own pace."""
    _serve(server)
    clock, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    collector = make_collector(XCollector, HttpClient(sleep=sleep, clock=lambda: clock[0]), env)
    assert XCollector.limit_for(server.url + USERS)[1] != XCollector.limit_for(server.url + TWEETS)[1]
    collector.fetch_profiles(["northwindbank"])
    collector.fetch_posts(target("x", "northwindbank"), {"id": "1500000000000000001"})  # two pages
    assert slept == []
    collector.fetch_profiles(["northwindbank"])
    assert slept == [pytest.approx(1 / 0.3)]
