"""Follower samples against the local server in the documented follower-list formats."""

from __future__ import annotations

import gzip

import pyarrow.parquet as pq

from collectors.audience import sample_audiences, summarize
from collectors.base import Follower
from collectors.bluesky import BlueskyCollector
from collectors.mastodon import MastodonCollector
from collectors.run import collect_audience
from tests.support.collector_fakes import NOW, Reply, fixture, make_collector, target, write_registry
from warehouse.domain.audience import median_interval
from warehouse.landing.runs import complete_runs

PROFILES = "/xrpc/app.bsky.actor.getProfiles"
FOLLOWERS = "/xrpc/app.bsky.graph.getFollowers"
LOOKUP = "/api/v1/accounts/lookup"
M_FOLLOWERS = "/api/v1/accounts/109123/followers"
M_NEXT = '<{BASE}/api/v1/accounts/109123/followers?limit=80&max_id=7741>; rel="next", <{BASE}/api/v1/accounts/109123/followers?since_id=7790>; rel="prev"'


def _serve_bluesky(server):
    server.route(
        PROFILES, fixture("bluesky", "getProfiles.json"), when=lambda q: isinstance(q["actors"], str)
    )
    server.route(PROFILES, fixture("bluesky", "getProfiles-followers.json"))
    # the second page is throttled once (429 with Retry-After), then served
    server.route(
        FOLLOWERS,
        Reply({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, 429, {"Retry-After": "1"}),
        fixture("bluesky", "getFollowers-2.json"),
        when=lambda q: q.get("cursor") == "3lbfollowcursor1",
    )
    server.route(FOLLOWERS, fixture("bluesky", "getFollowers-1.json"))


def _counter(server, prefix):
    return lambda: sum(s.path.startswith(prefix) for s in server.seen)


def test_bluesky_sample_pages_with_cursor_then_counts_25_at_a_time(server, client, env, sleeps):
    _serve_bluesky(server)
    raw: list = []
    collector = make_collector(BlueskyCollector, client, env, raw)
    (outcome,) = sample_audiences(
        collector, [target("bluesky", "northwind.bsky.social")], 6, _counter(server, "/xrpc")
    )
    assert outcome.error is None
    sample = outcome.sample
    # Six listed on two pages (4 + 2, the second asked for the 2 still wanted); follower 6 is gone
    # from the getProfiles answer, so five counts: 0, 12, 50, 51, 1000.
    assert [s.query["limit"] for s in server.requests_to(FOLLOWERS)] == ["6", "2", "2"]
    assert server.requests_to(FOLLOWERS)[0].query["actor"] == "did:plc:northwindbank2345abcdefg"
    assert sleeps == [1.0]
    assert (sample.drawn, sample.sample_size, sample.influencers, sample.small) == (6, 5, 1, 3)
    assert sample.median_followers == 50.0
    # n = 5: ranks ⌊(5 − 1.96·√5)/2⌋ = ⌊0.31⌋ → 1 (clamped) and ⌈1 + (5 + 4.38)/2⌉ = 6 → 5
    assert (sample.median_low, sample.median_high) == (0, 1000)
    # Bluesky profiles show no last-post time: no inactive share, NULL not 0
    assert sample.activity_known is None and sample.inactive is None
    assert sample.followers_total == 12840
    # getFollowers twice, the 429, getProfiles once (the account's own lookup is the batch's)
    assert sample.requests == 4
    assert (sample.sample_date.isoformat(), sample.platform) == ("2026-03-01", "bluesky")
    # follower pages are never kept: only the account's own profile lookup is
    assert [name for _, name, _ in raw] == ["getProfiles"]


def test_bluesky_profiles_batches_of_25(server, client, env):
    server.route(
        PROFILES, fixture("bluesky", "getProfiles.json"), when=lambda q: isinstance(q["actors"], str)
    )
    server.route(PROFILES, {"profiles": []})
    page = fixture("bluesky", "getFollowers-1.json")
    follower = page["followers"][0]
    page = {**page, "followers": [{**follower, "did": f"did:plc:f{i:04d}"} for i in range(30)]}
    server.route(FOLLOWERS, {**page, "cursor": None})
    collector = make_collector(BlueskyCollector, client, env)
    (outcome,) = sample_audiences(collector, [target("bluesky", "northwind.bsky.social")], 1000, lambda: 0)
    batches = [s.query["actors"] for s in server.requests_to(PROFILES)][1:]
    assert [len(b) for b in batches] == [25, 5]
    # every follower is gone from the answer: drawn, none with a count, the median NULL
    assert (outcome.sample.drawn, outcome.sample.sample_size, outcome.sample.median_followers) == (
        30,
        0,
        None,
    )


def _serve_mastodon(server):
    server.route(LOOKUP, fixture("mastodon", "lookup-news.json"))
    server.route(
        M_FOLLOWERS,
        Reply({"error": "Too many requests"}, 429, {"Retry-After": "2"}),
        fixture("mastodon", "followers-2.json"),
        when=lambda q: q.get("max_id") == "7741",
    )
    server.route(M_FOLLOWERS, Reply(fixture("mastodon", "followers-1.json"), headers={"Link": M_NEXT}))


def test_mastodon_sample_follows_link_pages_and_reads_last_status_at(server, client, env, sleeps):
    _serve_mastodon(server)
    raw: list = []
    collector = make_collector(MastodonCollector, client, env, raw)
    (outcome,) = sample_audiences(
        collector, [target("mastodon", "news@bank.example")], 1000, _counter(server, "/api")
    )
    assert outcome.error is None
    sample = outcome.sample
    assert server.requests_to(M_FOLLOWERS)[0].query["limit"] == "80"
    assert sleeps == [2.0]
    # followers_count 4, 1200, 50, 0, 7 and one hidden (-1): five counts [0, 4, 7, 50, 1200]
    assert (sample.drawn, sample.sample_size, sample.influencers, sample.small) == (6, 5, 1, 4)
    assert sample.median_followers == 7.0 and (sample.median_low, sample.median_high) == (0, 1200)
    # sample day 2026-03-01, so 90 days back is 2025-12-01: last posts 2026-02-27, 2025-12-02 and
    # 2026-01-15 are active, 2025-12-01 and "never posted" (null, statuses_count 0) inactive; null
    # with statuses_count 14 says nothing
    assert (sample.activity_known, sample.inactive) == (5, 2)
    assert sample.followers_total == 5230
    assert sample.requests == 3  # two pages and the 429 (the lookup is the account's own)
    assert [name for _, name, _ in raw] == ["lookup-news@bank.example"]


def test_mastodon_sample_size_caps_the_pages(server, client, env):
    _serve_mastodon(server)
    collector = make_collector(MastodonCollector, client, env)
    (outcome,) = sample_audiences(collector, [target("mastodon", "news@bank.example")], 2, lambda: 0)
    assert server.requests_to(M_FOLLOWERS)[0].query["limit"] == "2"
    assert len(server.requests_to(M_FOLLOWERS)) == 1
    assert (outcome.sample.drawn, outcome.sample.sample_size, outcome.sample.influencers) == (2, 2, 1)


def test_hidden_follower_list_and_missing_account(server, client, env):
    server.route(
        LOOKUP, fixture("mastodon", "lookup-news.json"), when=lambda q: q["acct"] == "news@bank.example"
    )
    server.route(LOOKUP, Reply(fixture("mastodon", "not-found.json"), 404))
    server.route(M_FOLLOWERS, [])  # the owner hides their network: an empty list
    collector = make_collector(MastodonCollector, client, env)
    hidden, ghost = sample_audiences(
        collector,
        [target("mastodon", "news@bank.example"), target("mastodon", "ghost@bank.example")],
        10,
        lambda: 0,
    )
    assert hidden.sample is None and hidden.error.kind == "private"
    assert ghost.sample is None and ghost.error.kind == "not_found"


def test_garbled_follower_page_is_a_parse_error(server, client, env):
    server.route(PROFILES, fixture("bluesky", "getProfiles.json"))
    server.route(FOLLOWERS, Reply(b'{"followers": [{"did": "did:plc:x"', 200))
    collector = make_collector(BlueskyCollector, client, env)
    (outcome,) = sample_audiences(collector, [target("bluesky", "northwind.bsky.social")], 10, lambda: 0)
    assert outcome.sample is None and outcome.error.kind == "parse_error"


def test_median_interval_by_hand():
    # n = 10: 1.96·√10 = 6.198; ranks ⌊(10 − 6.198)/2⌋ = 1 and ⌈1 + 16.198/2⌉ = ⌈9.099⌉ = 10
    assert median_interval(list(range(10, 110, 10))) == (10, 100)
    # n = 100: 1.96·√100 = 19.6; ranks ⌊40.2⌋ = 40 and ⌈1 + 59.8⌉ = 61
    assert median_interval(list(range(1, 101))) == (40, 61)
    assert median_interval([]) is None


def test_summarize_on_a_fixed_sample(client, env):
    collector = make_collector(MastodonCollector, client, env)
    followers = [Follower(c, True, None) for c in (0, 3, 12, 50, 51, 400, 999, 1000, 2500, 40000)]
    sample = summarize(
        collector, target("mastodon", "news@bank.example"), followers, followers_total=40, requests=2
    )
    assert (sample.sample_size, sample.influencers, sample.small) == (10, 3, 4)
    assert sample.median_followers == 225.5  # (51 + 400) / 2
    assert (sample.activity_known, sample.inactive) == (10, 10)  # all "never posted"


def test_collect_audience_lands_only_aggregates(server, client, env, paths):
    write_registry(
        paths,
        [
            {
                "institution_id": "northwind",
                "name": "Northwind Bank",
                "kind": "bank",
                "country": "GB",
                "website": "https://www.northwind.example/",
                "bluesky": "northwind.bsky.social",
                "mastodon": "@news@bank.example",
                "x": "@NorthwindBank",
            }
        ],
    )
    _serve_bluesky(server)
    _serve_mastodon(server)
    lines: list[str] = []
    result = collect_audience(paths, sample_size=6, client=client, now=NOW, env=env, log=lines.append)
    assert result.status == "complete" and result.stats["accounts_collected"] == 2
    (run,) = complete_runs(paths.landing)
    assert run.manifest["kind"] == "audience"
    rows = {r["platform"]: r for r in pq.read_table(run.file("audience")).to_pylist()}
    assert rows["bluesky"]["sample_size"] == 5 and rows["mastodon"]["sample_size"] == 5
    # lookup, 2 pages, 429; getProfiles for the account, 2 pages + 429, getProfiles for followers
    assert run.manifest["requests"] == {"mastodon": 4, "bluesky": 5}
    # not one follower's id or handle anywhere in the run: raw payloads are only the lookups
    raw = sorted(run.path.glob("raw/*/*.json.gz"))
    assert [p.name.split("-", 1)[1] for p in raw] == [
        "getProfiles.json.gz",
        "lookup-news_bank.example.json.gz",
    ]
    for path in raw:
        text = gzip.decompress(path.read_bytes())
        assert b"follower1" not in text and b"reader1" not in text
    columns = pq.read_schema(run.file("audience")).names
    assert not {"did", "acct", "follower", "followers"} & set(columns)
    assert not run.file("snapshots")


def test_finsocial_collect_audience_lands_and_builds(server, env, paths):
    from click.testing import CliRunner

    from finsocial.cli import cli

    write_registry(
        paths,
        [
            {
                "institution_id": "northwind",
                "name": "Northwind Bank",
                "kind": "bank",
                "country": "GB",
                "website": "https://www.northwind.example/",
                "mastodon": "@news@bank.example",
            }
        ],
    )
    _serve_mastodon(server)
    result = CliRunner().invoke(
        cli, ["--db", str(paths.db), "collect", "--audience", "--sample-size", "6"], env=env
    )
    assert result.exit_code == 0, result.output
    import duckdb

    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        # sampled today: every last post the fixture shows (2026-02-27 at the latest) is over 90
        # days old, so the five whose profile shows one are inactive
        assert con.execute(
            "SELECT sample_size, activity_known, inactive FROM audience_samples"
        ).fetchall() == [(5, 5, 5)]
    finally:
        con.close()
