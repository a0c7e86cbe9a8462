"""Facebook and Instagram collectors against recorded Graph API responses."""

from __future__ import annotations

from collectors.facebook import FacebookCollector
from collectors.instagram import InstagramCollector
from localservers import TOKENS
from tests.support.collector_fakes import Reply, fixture, make_collector, target

ROOT, POSTS = "/v21.0/", "/v21.0/100064000000001/posts"
IG = "/v21.0/" + TOKENS["FINSOCIAL_INSTAGRAM_USER_ID"]


def test_facebook_pages_in_one_call_with_nested_posts(server, client, env):
    server.route(ROOT, fixture("facebook", "pages.json"))
    server.route(POSTS, fixture("facebook", "posts-2.json"))
    raw: list = []
    north, south = make_collector(FacebookCollector, client, env, raw).collect(
        [target("facebook", "northwindbank"), target("facebook", "southbank")]
    )
    snap = north.snapshot
    assert (snap.followers, snap.likes_total, snap.platform_id) == (
        262100,
        250300,
        "100064000000001",
    )
    assert snap.following is None and snap.posts_total is None
    posts = {p.post_id: p for p in north.posts}
    assert sorted(posts) == ["100064000000001_901", "100064000000001_902", "100064000000001_903"]
    assert (
        posts["100064000000001_901"].likes,
        posts["100064000000001_901"].comments,
        posts["100064000000001_901"].shares,
    ) == (410, 35, 12)
    assert posts["100064000000001_902"].shares is None  # Graph left `shares` out
    # southbank has no followers_count: a parse_error naming the account, never a 0.
    assert south.snapshot is None and south.error.kind == "parse_error" and "southbank" in south.error.message
    (lookup,) = server.requests_to(ROOT)
    assert lookup.query["ids"] == "northwindbank,southbank" and "posts.since(" in lookup.query["fields"]
    # Every comment, replies included, is counted (filter(stream), not the toplevel default).
    assert "comments.filter(stream).summary(total_count).limit(0)" in lookup.query["fields"]
    # The paging link echoed the token; the client dropped that copy and sent its own once, as
    # the documented access_token query parameter (Graph documents no Authorization header).
    (page2,) = server.requests_to(POSTS)
    assert page2.query["after"] == "QVFIUjF"
    token = TOKENS["FINSOCIAL_FACEBOOK_TOKEN"]
    assert all(s.query["access_token"] == token for s in server.seen)
    assert not any("Authorization" in s.headers for s in server.seen)
    assert not any(token in text for _, _, text in raw)
    assert any("talking_about_count" in text for _, _, text in raw)


def test_facebook_unknown_alias_falls_back_to_one_by_one(server, client, env):
    server.route(ROOT, Reply(fixture("facebook", "alias-missing.json"), 404))
    server.route("/v21.0/northwindbank", fixture("facebook", "page-northwind.json"))
    server.route("/v21.0/ghostbankpage", Reply(fixture("facebook", "alias-missing.json"), 404))
    server.route("/v21.0/agegated", Reply(fixture("facebook", "restricted.json"), 403))
    north, ghost, gated = make_collector(FacebookCollector, client, env).collect(
        [
            target("facebook", "northwindbank"),
            target("facebook", "ghostbankpage"),
            target("facebook", "agegated"),
        ]
    )
    assert north.snapshot.followers == 262100 and len(north.posts) == 1
    assert ghost.error.kind == "not_found" and "aliases" in ghost.error.message
    assert gated.error.kind == "private" and gated.account.status == "private"
    assert len(server.seen) == 4


def test_facebook_throttling_code_is_retried_and_bad_token(server, client, env, sleeps):
    server.route(ROOT, Reply(fixture("facebook", "throttled.json"), 400), fixture("facebook", "pages.json"))
    server.route(POSTS, {"data": []})
    north, _ = make_collector(FacebookCollector, client, env).collect(
        [target("facebook", "northwindbank"), target("facebook", "southbank")]
    )
    assert north.snapshot.followers == 262100 and sleeps == [0.5]

    server.routes.clear()
    server.route(ROOT, Reply(fixture("facebook", "bad-token.json"), 400))
    outcomes = make_collector(FacebookCollector, client, env).collect(
        [target("facebook", "a1b2c3"), target("facebook", "d4e5f6")]
    )
    assert {o.error.kind for o in outcomes} == {"auth_missing"}


def test_instagram_business_discovery_and_media_pages(server, client, env):
    server.route(
        IG,
        fixture("instagram", "discovery-2.json"),
        when=lambda q: "media.after(QVFIUmVkZ)" in q["fields"],
    )
    server.route(IG, fixture("instagram", "discovery-1.json"), when=lambda q: "northwindbank" in q["fields"])
    server.route(IG, fixture("instagram", "no-followers.json"), when=lambda q: "oddbank" in q["fields"])
    server.route(IG, Reply(fixture("instagram", "not-found.json"), 400))
    north, odd, ghost = make_collector(InstagramCollector, client, env).collect(
        [
            target("instagram", "northwindbank"),
            target("instagram", "oddbank"),
            target("instagram", "ghostbank"),
        ]
    )
    snap = north.snapshot
    assert (snap.followers, snap.following, snap.posts_total, snap.platform_id) == (
        88400,
        120,
        1320,
        "17841400000000777",
    )
    posts = {p.post_id: p for p in north.posts}
    assert sorted(posts) == ["17900000000000001", "17900000000000002", "17900000000000003"]
    assert (posts["17900000000000003"].likes, posts["17900000000000003"].comments) == (1520, 44)
    assert posts["17900000000000002"].likes is None  # likes hidden by the owner
    assert odd.error.kind == "parse_error" and "followers_count" in odd.error.message
    assert ghost.error.kind == "not_found" and "cannot be found" in ghost.error.message
    calls = server.requests_to(IG)
    assert "business_discovery.username(northwindbank){" in calls[0].query["fields"]
    assert len(calls) == 4  # northwind twice (two media pages), oddbank, ghostbank
    token = TOKENS["FINSOCIAL_INSTAGRAM_TOKEN"]
    assert all(c.query["access_token"] == token for c in calls)
    assert token not in ghost.error.message


def test_instagram_5xx_then_success_and_truncated(server, client, env, sleeps):
    server.route(IG, Reply("", 500), fixture("instagram", "discovery-2.json"))
    (north,) = make_collector(InstagramCollector, client, env).collect([target("instagram", "northwindbank")])
    # discovery-2 has no counts: the retry got an answer, which then fails on the missing field.
    assert north.error.kind == "parse_error" and sleeps == [0.5]

    server.routes.clear()
    server.route(IG, Reply(fixture("instagram", "discovery-1.json"), truncate=True))
    (north,) = make_collector(InstagramCollector, client, env).collect([target("instagram", "northwindbank")])
    assert north.error.kind == "http_error"
