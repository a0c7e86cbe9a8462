"""The mention searches against a local server answering in each platform's documented format
(Bluesky's searchPosts and session lexicons, Mastodon's tag timeline and search, X's recent
search), bad days included: 429 with its reset, an expired session, malformed posts."""

from __future__ import annotations

import datetime as dt

import pytest

from collectors.bluesky_search import BlueskySearch
from collectors.http import HttpClient
from collectors.mastodon_search import MastodonSearch
from collectors.mentions import SearchTarget, search_mentions, summary
from collectors.x_search import XSearch
from tests.support.collector_fakes import FakeServer, Reply
from warehouse.domain.text import parse_terms

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
SECRET = b"s" * 32
NORTHWIND = SearchTarget(
    "northwind",
    parse_terms(None, "Northwind Bank", ["northwind.bsky.social"]),
    frozenset({"northwind.bsky.social", "did:plc:northwind"}),
)


def stamp(hours_ago: float) -> str:
    return (NOW - dt.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def post(rkey: str, did: str, handle: str, text: str, hours_ago: float) -> dict:
    """A postView as app.bsky.feed.defs#postView has it."""
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafy{rkey}",
        "author": {"did": did, "handle": handle},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": stamp(hours_ago),
            "langs": ["en"],
        },
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 1,
        "indexedAt": stamp(hours_ago),
    }


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


def client(sleeps: list | None = None) -> HttpClient:
    """A client whose clock is the night's (a reset header is read against it) and whose waits are
    noted, not slept."""
    return HttpClient(
        timeout=(1, 2),
        max_retries=2,
        sleep=sleeps.append if sleeps is not None else lambda _: None,
        clock=NOW.timestamp,
        limits_enabled=False,
    )


def bluesky_env(server) -> dict:
    return {
        "FINSOCIAL_BLUESKY_PDS": server.url,
        "FINSOCIAL_BLUESKY_IDENTIFIER": "watcher.bsky.social",
        "FINSOCIAL_BLUESKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop",
    }


def session(access: str, refresh: str) -> dict:
    return {
        "accessJwt": access,
        "refreshJwt": refresh,
        "handle": "watcher.bsky.social",
        "did": "did:plc:watcher",
    }


def test_bluesky_session_search_paging_expiry_and_429(server):
    server.route("/xrpc/com.atproto.server.createSession", session("access-1", "refresh-1"))
    server.route("/xrpc/com.atproto.server.refreshSession", session("access-2", "refresh-2"))
    by_name = [
        # a 429 first: ratelimit-reset says when to come back (epoch seconds)
        Reply(
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            429,
            {
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(NOW.timestamp()) + 30),
            },
        ),
        {
            "cursor": "page2",
            "hitsTotal": 7,
            "posts": [
                post(
                    "a1",
                    "did:plc:alice",
                    "alice.bsky.social",
                    "Northwind Bank is down again, cannot log in",
                    2,
                ),
                # the search engine's loose matches: the two words apart, the name inside a word
                post("a2", "did:plc:bob", "bob.bsky.social", "Northwind and the Bank of England", 3),
                post("a3", "did:plc:carol", "carol.bsky.social", "NorthwindBank merch", 4),
                # the institution's own post is not a mention of it
                post(
                    "a4", "did:plc:northwind", "northwind.bsky.social", "Northwind Bank: our app is back", 5
                ),
                {
                    "uri": "at://did:plc:dan/app.bsky.feed.post/a5",
                    "author": {"did": "did:plc:dan"},
                },  # no record
                "not a post",
            ],
        },
        # the access token expired between the pages: refreshed, and the page asked again
        Reply({"error": "ExpiredToken", "message": "Token has expired"}, 400),
        {
            "cursor": "page3",
            "posts": [
                post(
                    "b1", "did:plc:erin", "erin.bsky.social", "Great service from Northwind Bank today!", 20
                ),
                post(
                    "b2", "did:plc:frank", "frank.bsky.social", "Northwind Bank old news", 60
                ),  # before since
            ],
        },
    ]
    server.route("/xrpc/app.bsky.feed.searchPosts", *by_name, when=lambda q: q["q"] == '"Northwind Bank"')
    server.route(
        "/xrpc/app.bsky.feed.searchPosts",
        {
            "posts": [
                post(
                    "c1",
                    "did:plc:gina",
                    "gina.bsky.social",
                    "Thanks @northwind.bsky.social for the quick fix",
                    1,
                ),
                post(
                    "a1",
                    "did:plc:alice",
                    "alice.bsky.social",
                    "Northwind Bank is down again, cannot log in",
                    2,
                ),
            ]
        },
        when=lambda q: q["q"] == "@northwind.bsky.social",
    )
    sleeps: list[float] = []
    raw: list = []
    http = client(sleeps)
    source = BlueskySearch(http, env=bluesky_env(server), now=NOW, keep_raw=lambda p, n, t: raw.append(t))
    outcome = search_mentions(source, [NORTHWIND], SECRET)

    assert not outcome.errors
    kept = {m.post_id.rsplit("/", 1)[1]: m for m in outcome.mentions}
    assert sorted(kept) == ["a1", "b1", "c1"]  # exactly the posts that name Northwind
    assert outcome.dropped == 2  # a2 and a3: loose matches
    assert kept["a1"].tone == "negative" and "outage" in kept["a1"].themes.split(",")
    assert kept["b1"].tone == "positive"
    assert all(len(m.author_key) == 32 and "alice" not in m.author_key for m in outcome.mentions)
    [search] = outcome.searches
    assert (search.found, search.since) == (3, NOW - dt.timedelta(days=2))

    logins = server.requests_to("/xrpc/com.atproto.server.createSession")
    assert [s.method for s in logins] == ["POST"]
    assert logins[0].body == {"identifier": "watcher.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
    [refresh] = server.requests_to("/xrpc/com.atproto.server.refreshSession")
    assert refresh.headers["Authorization"] == "Bearer refresh-1"
    searches = [
        s for s in server.requests_to("/xrpc/app.bsky.feed.searchPosts") if s.query["q"] == '"Northwind Bank"'
    ]
    assert [s.query.get("cursor") for s in searches] == [None, None, "page2", "page2"]
    assert [s.headers["Authorization"] for s in searches] == ["Bearer access-1"] * 3 + ["Bearer access-2"]
    assert all(s.query["sort"] == "latest" and s.query["since"] == "2026-11-18T03:00:00Z" for s in searches)
    assert sleeps == [30]  # waited for the reset, not a blind backoff
    # no page past the one that reached back before `since`; the session's tokens are never kept
    assert "page3" not in [s.query.get("cursor") for s in searches]
    assert not any("access-1" in t or "refresh-1" in t or "abcd-efgh" in t for t in raw)


def test_bluesky_without_credentials_is_off():
    assert BlueskySearch.off_reason({}) == (
        "FINSOCIAL_BLUESKY_IDENTIFIER and FINSOCIAL_BLUESKY_APP_PASSWORD not set"
    )
    assert MastodonSearch.off_reason({}) == "FINSOCIAL_MASTODON_INSTANCES not set"
    assert XSearch.off_reason({"FINSOCIAL_X_BEARER_TOKEN": "t" * 20}) == "FINSOCIAL_X_MENTIONS=1 not set"
    assert XSearch.off_reason({"FINSOCIAL_X_BEARER_TOKEN": "t" * 20, "FINSOCIAL_X_MENTIONS": "1"}) is None


def test_bluesky_refused_password_is_an_error_per_institution(server):
    server.route(
        "/xrpc/com.atproto.server.createSession",
        Reply({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, 401),
    )
    source = BlueskySearch(client(), env=bluesky_env(server), now=NOW)
    outcome = search_mentions(source, [NORTHWIND], SECRET)
    assert [(e.institution_id, e.kind) for e in outcome.errors] == [("northwind", "auth_missing")]
    assert "abcd-efgh-ijkl-mnop" not in outcome.errors[0].message
    assert not outcome.searches and not outcome.mentions  # unknown, not "none found"


def status(status_id: str, acct: str, html: str, hours_ago: float, reblog: dict | None = None) -> dict:
    """A Status entity as Mastodon's API has it."""
    return {
        "id": status_id,
        "uri": f"https://{acct.split('@')[-1] if '@' in acct else 'social.example'}/users/{acct.split('@')[0]}/statuses/{status_id}",
        "url": f"https://social.example/@{acct}/{status_id}",
        "created_at": stamp(hours_ago),
        "content": html,
        "language": "nl",
        "reblog": reblog,
        "account": {"id": "1", "acct": acct, "url": f"https://social.example/@{acct}"},
    }


def test_mastodon_tag_timeline_with_link_paging(server):
    target = SearchTarget(
        "northwind",
        parse_terms("#northwind;Northwind Bank", "Northwind Bank", []),
        frozenset({"news@bank.example"}),
    )
    tag = (
        '<a href="https://social.example/tags/northwind" class="mention hashtag">#<span>northwind</span></a>'
    )
    server.route(
        "/api/v1/timelines/tag/northwind",
        Reply(
            [
                status("113", "eva@nl.example", f"<p>Weer een storing bij {tag}, niet inloggen</p>", 1),
                status("112", "news@bank.example", f"<p>{tag} onderhoud vannacht</p>", 2),  # its own
                status("111", "kim", f"<p>{tag}</p>", 3, reblog={"id": "9"}),  # a boost
                {"id": "110", "content": "<p>no account</p>"},  # malformed
            ],
            headers={
                "Link": '<{BASE}/api/v1/timelines/tag/northwind?limit=40&max_id=110>; rel="next", '
                '<{BASE}/api/v1/timelines/tag/northwind?limit=40&min_id=113>; rel="prev"'
            },
        ),
        when=lambda q: "max_id" not in q,
    )
    server.route(
        "/api/v1/timelines/tag/northwind",
        Reply(
            [
                status("100", "joe@x.example", f"<p>Bedankt {tag}, snel geholpen</p>", 30),
                status("99", "old@x.example", f"<p>{tag} oud</p>", 80),
            ],
            headers={"Link": '<{BASE}/api/v1/timelines/tag/northwind?limit=40&max_id=99>; rel="next"'},
        ),
        when=lambda q: q.get("max_id") == "110",
    )
    env = {"FINSOCIAL_MASTODON_INSTANCES": server.url}
    outcome = search_mentions(MastodonSearch(client(), env=env, now=NOW), [target], SECRET)
    assert not outcome.errors
    assert sorted(m.post_id.rsplit("/", 1)[1] for m in outcome.mentions) == ["100", "113"]
    # the status without an account (nor a time) is counted and named, not failed; the boost is no fault
    assert outcome.malformed == 1
    [skipped] = outcome.malformed_errors
    assert (skipped.institution_id, skipped.kind) == ("northwind", "parse_error")
    assert skipped.message == "mentions: 1 post of the search answer skipped: created_at (1)"
    pages = server.requests_to("/api/v1/timelines/tag/northwind")
    assert [p.query.get("max_id") for p in pages] == [None, "110"]  # stopped at the post older than since
    storing = next(m for m in outcome.mentions if m.post_id.endswith("/113"))
    assert (storing.language, storing.tone) == ("nl", "negative")  # "storing": an outage
    assert "outage" in storing.themes.split(",")


def test_x_recent_search_and_its_cost(server):
    server.route(
        "/2/tweets/search/recent",
        {
            "data": [
                {
                    "id": "1",
                    "text": "Northwind Bank app outage again",
                    "author_id": "10",
                    "created_at": stamp(1),
                },
                {"id": "2", "text": "Northwind Bank says sorry", "author_id": "99", "created_at": stamp(2)},
                {"id": "3", "author_id": "11", "created_at": stamp(2)},  # no text
            ],
            "includes": {
                "users": [{"id": "10", "username": "ann"}, {"id": "99", "username": "NorthwindBank"}]
            },
            "meta": {"result_count": 3},
        },
    )
    target = SearchTarget(
        "northwind", parse_terms(None, "Northwind Bank", ["@NorthwindBank"]), frozenset({"northwindbank"})
    )
    env = {
        "FINSOCIAL_X_API": server.url,
        "FINSOCIAL_X_BEARER_TOKEN": "x" * 30,
        "FINSOCIAL_X_MENTIONS": "1",
        "FINSOCIAL_X_USD_PER_POST_READ": "0.005",
        "FINSOCIAL_X_MENTIONS_REQUESTS": "10",
    }
    source = XSearch(client(), env=env, now=NOW)
    assert (
        source.cost_note()
        == "x mentions: at most 10 search requests reading up to 1,000 posts, at most $5.00 at $0.005 a post read"
    )
    outcome = search_mentions(source, [target], SECRET)
    assert [m.post_id for m in outcome.mentions] == ["1"]
    assert outcome.malformed == 1
    assert [e.message for e in outcome.malformed_errors] == [
        "mentions: 1 post of the search answer skipped: text (1)"
    ]
    assert "1 malformed posts skipped (parse_error)" in summary(outcome)
    [seen] = server.requests_to("/2/tweets/search/recent")
    assert seen.query["query"] == '(@NorthwindBank OR "Northwind Bank") -is:retweet'
    assert seen.query["start_time"] == "2026-11-18T03:00:00Z"


def test_bluesky_refresh_token_expired_too_starts_a_new_session(server):
    server.route(
        "/xrpc/com.atproto.server.createSession",
        session("access-1", "refresh-1"),
        session("access-3", "refresh-3"),
    )
    server.route(
        "/xrpc/com.atproto.server.refreshSession",
        Reply({"error": "ExpiredToken", "message": "Token has expired"}, 400),
    )
    server.route(
        "/xrpc/app.bsky.feed.searchPosts",
        Reply({"error": "ExpiredToken", "message": "Token has expired"}, 400),
        {"posts": [post("d1", "did:plc:ida", "ida.bsky.social", "Northwind Bank fees went up again", 2)]},
    )
    target = SearchTarget("northwind", parse_terms("Northwind Bank", "Northwind Bank", []))
    outcome = search_mentions(BlueskySearch(client(), env=bluesky_env(server), now=NOW), [target], SECRET)
    assert [m.post_id.rsplit("/", 1)[1] for m in outcome.mentions] == ["d1"]
    assert "fees" in outcome.mentions[0].themes.split(",")
    assert len(server.requests_to("/xrpc/com.atproto.server.createSession")) == 2
    assert (
        server.requests_to("/xrpc/app.bsky.feed.searchPosts")[-1].headers["Authorization"]
        == "Bearer access-3"
    )


def test_bluesky_malformed_answer_is_a_parse_error_for_that_institution(server):
    server.route("/xrpc/com.atproto.server.createSession", session("access-1", "refresh-1"))
    server.route("/xrpc/app.bsky.feed.searchPosts", Reply(b'{"posts": [{"uri": "at://x', 200))
    target = SearchTarget("northwind", parse_terms("Northwind Bank", "Northwind Bank", []))
    outcome = search_mentions(BlueskySearch(client(), env=bluesky_env(server), now=NOW), [target], SECRET)
    assert [(e.institution_id, e.kind) for e in outcome.errors] == [("northwind", "parse_error")]
    assert not outcome.searches  # the day stays unknown, not "no mentions"


def test_mastodon_full_text_search_with_a_token(server):
    target = SearchTarget("northwind", parse_terms("Northwind Bank", "Northwind Bank", []))
    first = [
        status(str(200 + k), f"u{k}@nl.example", f"<p>Northwind Bank post {k}</p>", 1 + k / 10)
        for k in range(40)
    ]
    server.route(
        "/api/v2/search",
        {"accounts": [], "hashtags": [], "statuses": first},
        when=lambda q: q.get("offset") == "0",
    )
    server.route(
        "/api/v2/search",
        {
            "accounts": [],
            "hashtags": [],
            "statuses": [status("300", "zed@nl.example", "<p>Northwind Bank!</p>", 9)],
        },
        when=lambda q: q.get("offset") == "40",
    )
    env = {"FINSOCIAL_MASTODON_INSTANCES": server.url, "FINSOCIAL_MASTODON_SEARCH_TOKEN": "tok-en-12345"}
    raw: list = []
    source = MastodonSearch(client(), env=env, now=NOW, keep_raw=lambda p, n, t: raw.append(t))
    outcome = search_mentions(source, [target], SECRET)
    assert len(outcome.mentions) == 41
    seen = server.requests_to("/api/v2/search")
    assert [s.query["offset"] for s in seen] == ["0", "40"]  # a short page is the last
    assert all(s.query["type"] == "statuses" and s.query["q"] == '"Northwind Bank"' for s in seen)
    assert seen[0].headers["Authorization"] == "Bearer tok-en-12345"
    assert not server.requests_to("/api/v1/timelines/tag/northwind")  # no hashtag term: no tag timeline
    assert not any("tok-en-12345" in t for t in raw)


def test_x_search_stops_at_the_nights_requests(server):
    server.route(
        "/2/tweets/search/recent",
        {
            "data": [{"id": "1", "text": "Northwind Bank", "author_id": "10", "created_at": stamp(1)}],
            "meta": {"next_token": "more"},
        },
    )
    env = {
        "FINSOCIAL_X_API": server.url,
        "FINSOCIAL_X_BEARER_TOKEN": "x" * 30,
        "FINSOCIAL_X_MENTIONS": "1",
        "FINSOCIAL_X_MENTIONS_REQUESTS": "2",
    }
    target = SearchTarget("northwind", parse_terms(None, "Northwind Bank", []))
    outcome = search_mentions(XSearch(client(), env=env, now=NOW), [target, target], SECRET)
    assert len(server.requests_to("/2/tweets/search/recent")) == 2
    # the first institution's search was cut short and the second's never ran: both unknown, not 0
    assert [e.kind for e in outcome.errors] == ["rate_limited", "rate_limited"]
    assert "the night's 2 search requests are spent" in outcome.errors[1].message
    assert not outcome.searches
