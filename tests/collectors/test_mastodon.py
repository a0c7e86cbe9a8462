"""Mastodon collector against recorded instance responses."""

from __future__ import annotations

from collectors.mastodon import MastodonCollector, status_text
from tests.support.collector_fakes import Reply, fixture, make_collector, target

LOOKUP = "/api/v1/accounts/lookup"
STATUSES = "/api/v1/accounts/109123/statuses"
NEXT = '<{BASE}/api/v1/accounts/109123/statuses?limit=40&exclude_reblogs=true&max_id=113000000000000002>; rel="next", <{BASE}/api/v1/accounts/109123/statuses?min_id=113000000000000003>; rel="prev"'


def _serve(server):
    server.route(
        LOOKUP,
        fixture("mastodon", "lookup-news.json"),
        when=lambda q: q["acct"] == "news@bank.example",
    )
    server.route(
        LOOKUP,
        fixture("mastodon", "lookup-hidden.json"),
        when=lambda q: q["acct"] == "quiet@bank.example",
    )
    server.route(
        LOOKUP,
        Reply(fixture("mastodon", "login-required.json"), 401),
        when=lambda q: q["acct"] == "closed@locked.example",
    )
    server.route(LOOKUP, Reply(fixture("mastodon", "not-found.json"), 404))
    server.route(
        STATUSES,
        fixture("mastodon", "statuses-2.json"),
        when=lambda q: q.get("max_id") == "113000000000000002",
    )
    server.route(STATUSES, Reply(fixture("mastodon", "statuses-1.json"), headers={"Link": NEXT}))
    server.route("/api/v1/accounts/109456/statuses", [])


def test_lookup_and_statuses_across_link_pages(server, client, env):
    _serve(server)
    (news,) = make_collector(MastodonCollector, client, env).collect(
        [target("mastodon", "news@bank.example")]
    )
    assert news.error is None
    snap = news.snapshot
    assert (snap.followers, snap.following, snap.posts_total, snap.platform_id) == (
        5230,
        12,
        880,
        "109123",
    )
    assert news.account.display_name == "Northwind News"
    # Two pages through the Link header; the boost and the post before the window are dropped.
    assert sorted(p.post_id for p in news.posts) == [
        "113000000000000001",
        "113000000000000002",
        "113000000000000003",
    ]
    first = next(p for p in news.posts if p.post_id == "113000000000000003")
    assert (first.likes, first.comments, first.shares, first.quotes) == (7, 1, 2, 1)
    assert first.text == "status 113000000000000003"  # the HTML content as plain text
    assert next(p for p in news.posts if p.post_id == "113000000000000002").quotes is None
    assert server.requests_to(LOOKUP)[0].query["acct"] == "news@bank.example"
    first_page = server.requests_to(STATUSES)[0].query
    assert first_page["exclude_reblogs"] == "true" and first_page["limit"] == "40"
    assert len(server.requests_to(STATUSES)) == 2


def test_hidden_counts_not_found_and_private(server, client, env):
    _serve(server)
    quiet, ghost, closed = make_collector(MastodonCollector, client, env).collect(
        [
            target("mastodon", "quiet@bank.example"),
            target("mastodon", "ghost@bank.example"),
            target("mastodon", "closed@locked.example"),
        ]
    )
    # followers_count -1 means hidden: NULL, and not an error.
    assert quiet.error is None and quiet.snapshot.followers is None and quiet.snapshot.following is None
    assert quiet.snapshot.posts_total == 40 and quiet.posts == [] and quiet.snapshot.posts_observed
    assert (
        ghost.error.kind == "not_found"
        and ghost.account.status == "not_found"
        and ghost.error.http_status == 404
    )
    assert closed.error.kind == "private" and closed.snapshot is None


def test_instance_origin_without_override(client):
    collector = MastodonCollector(client, env={})
    assert collector.origin("news@bank.example") == "https://bank.example"


def test_rate_limit_reset_iso_timestamp_and_5xx(server, client, env, sleeps):
    import datetime as dt

    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)).isoformat()
    server.route(
        LOOKUP,
        Reply({"error": "Too many requests"}, 429, {"X-RateLimit-Reset": reset}),
        Reply("", 500),
        fixture("mastodon", "lookup-hidden.json"),
    )
    server.route("/api/v1/accounts/109456/statuses", [])
    (quiet,) = make_collector(MastodonCollector, client, env).collect(
        [target("mastodon", "quiet@bank.example")]
    )
    assert quiet.collected
    assert 18 <= sleeps[0] <= 21 and sleeps[1] == 1.0


def test_missing_followers_field_and_garbled_count(server, client, env):
    account = fixture("mastodon", "lookup-news.json")
    del account["followers_count"]
    server.route(LOOKUP, account)
    (news,) = make_collector(MastodonCollector, client, env).collect(
        [target("mastodon", "news@bank.example")]
    )
    assert news.error.kind == "parse_error" and "followers_count" in news.error.message

    server.routes.clear()
    server.route(LOOKUP, {**fixture("mastodon", "lookup-news.json"), "followers_count": "lots"})
    (news,) = make_collector(MastodonCollector, client, env).collect(
        [target("mastodon", "news@bank.example")]
    )
    assert news.error.kind == "parse_error" and news.snapshot is None


def test_status_html_becomes_plain_text():
    html = '<p>Rates are up <a href="https://bank.example/x">#savings</a> &amp; more<br>today</p><p>2/2</p>'
    assert status_text(html) == "Rates are up #savings & more\ntoday\n\n2/2"
    assert status_text("") is None and status_text(None) is None
