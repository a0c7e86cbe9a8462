"""Bluesky collector against recorded AppView responses."""

from __future__ import annotations

import datetime as dt

from collectors.bluesky import BlueskyCollector
from tests.support.collector_fakes import Reply, fixture, make_collector, target

PROFILES = "/xrpc/app.bsky.actor.getProfiles"
FEED = "/xrpc/app.bsky.feed.getAuthorFeed"


def _serve_northwind(server):
    server.route(PROFILES, fixture("bluesky", "getProfiles.json"))
    server.route(
        FEED,
        fixture("bluesky", "feed-northwind-2.json"),
        when=lambda q: q.get("cursor") == "2026-02-20T15:30:00.000Z",
    )
    server.route(
        FEED,
        fixture("bluesky", "feed-northwind-1.json"),
        when=lambda q: q["actor"].startswith("did:plc:northwind"),
    )
    server.route(
        FEED,
        fixture("bluesky", "feed-southbank.json"),
        when=lambda q: q["actor"].startswith("did:plc:southbank"),
    )
    server.route(
        FEED,
        Reply(fixture("bluesky", "feed-private.json"), 401),
        when=lambda q: q["actor"].startswith("did:plc:closed"),
    )


def test_profiles_and_posts_in_window(server, client, env):
    _serve_northwind(server)
    raw: list = []
    collector = make_collector(BlueskyCollector, client, env, raw)
    outcomes = collector.collect(
        [
            target("bluesky", "northwind.bsky.social"),
            target("bluesky", "southbank.example", "south"),
        ]
    )
    north, south = outcomes
    assert north.error is None
    assert (north.snapshot.followers, north.snapshot.following, north.snapshot.posts_total) == (
        12840,
        210,
        1543,
    )
    assert north.snapshot.platform_id == "did:plc:northwindbank2345abcdefg"
    assert north.snapshot.posts_observed is True and north.snapshot.method == "api"
    assert north.account.display_name == "Northwind Bank" and north.account.status == "active"
    # A, B (pinned and in the timeline: once), C; the repost of another account and D (before the
    # window) are left out.
    by_id = {p.post_id.rsplit("/", 1)[-1]: p for p in north.posts}
    assert sorted(by_id) == ["3lafirstaaaa", "3lbsecondbbb", "3lcthirdcccc"]
    a = by_id["3lafirstaaaa"]
    assert (a.likes, a.comments, a.shares, a.quotes) == (10, 2, 3, 1)
    assert a.posted_at == dt.datetime(2026, 2, 28, 9, 0, tzinfo=dt.UTC)
    assert a.url == "https://bsky.app/profile/northwind.bsky.social/post/3lafirstaaaa"
    # The pin outside the window is not counted; a count the API left out stays None.
    assert [p.post_id.rsplit("/", 1)[-1] for p in south.posts] == ["3lesouthpost"]
    assert south.posts[0].comments is None and south.posts[0].likes == 7
    # One getProfiles for both, two feed pages for northwind (stopped at the window), one for south.
    assert len(server.requests_to(PROFILES)) == 1
    assert len(server.requests_to(FEED)) == 3
    feed_query = server.requests_to(FEED)[0].query
    assert feed_query["filter"] == "posts_no_replies" and feed_query["limit"] == "100"
    assert len(raw) == 4


def test_not_found_private_and_missing_followers(server, client, env):
    _serve_northwind(server)
    collector = make_collector(BlueskyCollector, client, env)
    ghost, closed, broken = collector.collect(
        [
            target("bluesky", "ghost.bsky.social"),
            target("bluesky", "closed.bsky.social"),
            target("bluesky", "nofollowers.bsky.social"),
        ]
    )
    assert ghost.snapshot is None and ghost.error.kind == "not_found" and ghost.account.status == "not_found"
    assert closed.error.kind == "private" and closed.account.status == "private"
    assert closed.snapshot.followers == 77 and closed.snapshot.posts_observed is False
    assert broken.snapshot is None and broken.error.kind == "parse_error"
    assert "followersCount" in broken.error.message and "nofollowers.bsky.social" in broken.error.message


def test_thirty_handles_take_two_getprofiles_calls(server, client, env):
    def profiles(seen):
        actors = seen.query["actors"]
        actors = actors if isinstance(actors, list) else [actors]
        assert len(actors) <= 25
        return {
            "profiles": [
                {"did": f"did:plc:{i:024d}", "handle": a, "followersCount": i} for i, a in enumerate(actors)
            ]
        }

    server.route(PROFILES, profiles)
    server.route(FEED, {"feed": []})
    handles = [f"bank{i}.bsky.social" for i in range(30)]
    outcomes = make_collector(BlueskyCollector, client, env).collect([target("bluesky", h) for h in handles])
    assert all(o.collected for o in outcomes)
    calls = server.requests_to(PROFILES)
    assert [len(c.query["actors"]) for c in calls] == [25, 5]
    assert outcomes[29].snapshot.followers == 4  # the fifth actor of the second call


def test_429_with_retry_after_then_success(server, client, env, sleeps):
    server.route(
        PROFILES,
        Reply({"error": "RateLimitExceeded"}, 429, {"Retry-After": "7"}),
        fixture("bluesky", "getProfiles.json"),
    )
    server.route(FEED, {"feed": []})
    (north,) = make_collector(BlueskyCollector, client, env).collect(
        [target("bluesky", "northwind.bsky.social")]
    )
    assert north.snapshot.followers == 12840
    assert sleeps == [7.0]
    assert len(server.requests_to(PROFILES)) == 2


def test_429_with_ratelimit_reset_header(server, client, env, sleeps):
    reset = str(int(client.clock()) + 30)
    server.route(
        PROFILES,
        Reply({"error": "RateLimitExceeded"}, 429, {"ratelimit-reset": reset}),
        fixture("bluesky", "getProfiles.json"),
    )
    server.route(FEED, {"feed": []})
    (north,) = make_collector(BlueskyCollector, client, env).collect(
        [target("bluesky", "northwind.bsky.social")]
    )
    assert north.collected
    assert 28 <= sleeps[0] <= 31


def test_5xx_then_success(server, client, env, sleeps):
    server.route(
        PROFILES,
        Reply("upstream failure", 502),
        Reply("upstream failure", 503),
        fixture("bluesky", "getProfiles.json"),
    )
    server.route(FEED, {"feed": []})
    (north,) = make_collector(BlueskyCollector, client, env).collect(
        [target("bluesky", "northwind.bsky.social")]
    )
    assert north.snapshot.followers == 12840
    assert sleeps == [0.5, 1.0]  # exponential backoff


def test_timeout_then_success_and_timeout_for_good(server, client, env):
    server.route(
        PROFILES,
        Reply(fixture("bluesky", "getProfiles.json"), delay=1.0),
        fixture("bluesky", "getProfiles.json"),
    )
    server.route(FEED, {"feed": []})
    (north,) = make_collector(BlueskyCollector, client, env).collect(
        [target("bluesky", "northwind.bsky.social")]
    )
    assert north.snapshot.followers == 12840


def test_persistent_timeout_is_recorded(server, client, env):
    server.route(PROFILES, Reply({"profiles": []}, delay=1.0))
    (north,) = make_collector(BlueskyCollector, client, env).collect(
        [target("bluesky", "northwind.bsky.social")]
    )
    assert north.snapshot is None and north.error.kind == "timeout"


def test_malformed_and_truncated_bodies(server, client, env):
    server.route(PROFILES, Reply("<html>Bad gateway</html>", 200, {"Content-Type": "text/html"}))
    (north,) = make_collector(BlueskyCollector, client, env).collect(
        [target("bluesky", "northwind.bsky.social")]
    )
    assert north.error.kind == "parse_error" and north.snapshot is None

    server.routes.clear()
    server.route(
        PROFILES,
        Reply('{"profiles": [{"did": "did:plc:x", "handle": "northwind.bsky.social", "followersCo'),
    )
    (north,) = make_collector(BlueskyCollector, client, env).collect(
        [target("bluesky", "northwind.bsky.social")]
    )
    assert north.error.kind == "parse_error"

    server.routes.clear()
    server.route(PROFILES, Reply(fixture("bluesky", "getProfiles.json"), truncate=True))
    (north,) = make_collector(BlueskyCollector, client, env).collect(
        [target("bluesky", "northwind.bsky.social")]
    )
    assert north.error.kind == "http_error" and "cut short" in north.error.message


def test_parse_posts_is_pure():
    collector = BlueskyCollector.__new__(BlueskyCollector)
    from tests.support.collector_fakes import NOW

    collector.now, collector.cutoff = NOW, NOW - dt.timedelta(days=28)
    pages = [
        fixture("bluesky", "feed-northwind-1.json"),
        fixture("bluesky", "feed-northwind-2.json"),
    ]
    posts = collector.parse_posts(pages, target("bluesky", "northwind.bsky.social"))
    assert sum(p.likes for p in posts) == 10 + 40 + 5
