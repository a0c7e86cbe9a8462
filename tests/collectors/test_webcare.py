"""Webcare threads against the local platform server, in each platform's documented format."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from collectors.bluesky import BlueskyCollector
from collectors.facebook import FacebookCollector
from collectors.mastodon import MastodonCollector
from collectors.run import collect
from collectors.x import XCollector
from collectors.youtube import YouTubeCollector
from tests.collectors.test_bluesky import _serve_northwind
from tests.collectors.test_mastodon import _serve as _serve_news
from tests.collectors.test_run import serve_all
from tests.support.collector_fakes import NOW, Reply, fixture, target, write_registry
from warehouse.build.builder import build

THREAD = "/xrpc/app.bsky.feed.getPostThread"
FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
NW = "at://did:plc:northwindbank2345abcdefg/app.bsky.feed.post/"
NORTHWIND_ROW = {
    "institution_id": "northwind",
    "name": "Northwind",
    "kind": "bank",
    "country": "NL",
    "website": "https://northwind.example/",
}


def webcare_collector(cls, client, env):
    return cls(client, env=env, now=NOW, webcare=True)


def serve_bluesky_threads(server) -> None:
    server.route(
        FEED,
        fixture("bluesky", "feed-replies-northwind.json"),
        when=lambda q: q.get("filter") == "posts_with_replies" and "northwind" in q["actor"],
    )
    server.route(FEED, {"feed": []}, when=lambda q: q.get("filter") == "posts_with_replies")
    server.route(
        THREAD, fixture("bluesky", "thread-3lafirstaaaa.json"), when=lambda q: q["uri"].endswith("aaaa")
    )
    server.route(
        THREAD, fixture("bluesky", "thread-3lq2bob.json"), when=lambda q: q["uri"].endswith("3lq2bob")
    )
    server.route(
        THREAD,
        Reply({"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, 429, {"Retry-After": "3"}),
        fixture("bluesky", "thread-3lbsecondbbb.json"),
        when=lambda q: q["uri"].endswith("bbb"),
    )
    _serve_northwind(server)


def test_bluesky_threads_answers_truncation_and_deleted_replies(server, client, env, sleeps):
    serve_bluesky_threads(server)
    collector = webcare_collector(BlueskyCollector, client, env)
    north, _help = collector.collect(
        [target("bluesky", "northwind.bsky.social"), target("bluesky", "northwind-help.bsky.social")]
    )
    assert north.webcare_error is None
    rows = {c.comment_id.rsplit("/", 1)[-1]: c for c in north.comments}
    # roots of the three posts in the window; q1 and its answer; q2, whose replies came from its own
    # thread (truncated in the first); the deleted and the blocked reply are left out (no time)
    assert sorted(rows) == sorted(
        ["3lafirstaaaa", "3lbsecondbbb", "3lcthirdcccc", "3lq1alice", "3la1answer", "3lq2bob", "3ld1dave"]
        + ["3lh1help", "3lreplyerin"]
    )
    assert rows["3lafirstaaaa"].parent_id is None and rows["3lafirstaaaa"].is_institution
    assert rows["3lq1alice"].parent_id == NW + "3lafirstaaaa" and not rows["3lq1alice"].is_institution
    assert rows["3la1answer"].is_institution and rows["3la1answer"].parent_id.endswith("3lq1alice")
    # the second official account of the same institution answers for it
    assert rows["3lh1help"].is_institution and rows["3lh1help"].post_id == NW + "3lafirstaaaa"
    assert not rows["3ld1dave"].is_institution and rows["3ld1dave"].parent_id.endswith("3lq2bob")
    # from the feed with replies: a reply to someone else's post; its own thread's continuation and
    # the repost are not replies to others
    assert rows["3lreplyerin"].post_id.endswith("3lerinpost") and rows["3lreplyerin"].is_institution
    assert rows["3lq1alice"].created_at == dt.datetime(2026, 2, 28, 10, tzinfo=dt.UTC)
    # 3lcthirdcccc has no replies: no request. One 429 waited out with its Retry-After.
    uris = [s.query["uri"].rsplit("/", 1)[-1] for s in server.requests_to(THREAD)]
    assert sorted(uris) == ["3lafirstaaaa", "3lbsecondbbb", "3lbsecondbbb", "3lq2bob"]
    assert 3.0 in sleeps
    first = next(s for s in server.requests_to(THREAD) if s.query["uri"].endswith("aaaa"))
    assert (first.query["depth"], first.query["parentHeight"]) == ("2", "0")
    # three thread calls and one page of the feed with replies (the client retried the 429)
    assert collector.thread_requests == 4


def test_bluesky_thread_budget_and_failure_keep_what_was_read(server, client, env):
    serve_bluesky_threads(server)
    env = {**env, "FINSOCIAL_BLUESKY_WEBCARE_REQUESTS": "2"}
    collector = webcare_collector(BlueskyCollector, client, env)
    (north,) = collector.collect([target("bluesky", "northwind.bsky.social")])
    # the feed with replies and the newest thread (which needs its truncated question too): the
    # budget is spent after that, 3lbsecondbbb waits for another night
    assert collector.thread_requests == 3
    assert not any(c.comment_id.endswith("bbb") for c in north.comments)
    assert north.webcare_error is None

    server.routes.insert(
        0, (THREAD, lambda q: q["uri"].endswith("3lq2bob"), [Reply(b'{"thread": {"po', 200)])
    )
    collector = webcare_collector(
        BlueskyCollector, client, env={k: v for k, v in env.items() if "WEBCARE" not in k}
    )
    (north,) = collector.collect([target("bluesky", "northwind.bsky.social")])
    # a garbled thread fails that night's threads from there on; the counts, posts and the replies
    # read before it still land
    assert north.error is None and north.snapshot is not None and len(north.posts) == 3
    assert north.webcare_error.kind == "parse_error" and "threads" in north.webcare_error.message
    assert [c.comment_id.rsplit("/", 1)[-1] for c in north.comments] == ["3la1answer", "3lreplyerin"]


def test_mastodon_context_truncated_and_missing_parent(server, client, env, sleeps):
    server.route(
        "/api/v1/accounts/109123/statuses",
        fixture("mastodon", "statuses-with-replies.json"),
        when=lambda q: "exclude_replies" not in q and "max_id" not in q,
    )
    server.route(
        "/api/v1/statuses/113000000000000003/context", fixture("mastodon", "context-113000000000000003.json")
    )
    server.route(
        "/api/v1/statuses/113100000000000004/context", fixture("mastodon", "context-113100000000000004.json")
    )
    server.route(
        "/api/v1/statuses/113000000000000002/context",
        Reply({"error": "Too many requests"}, 429, {"Retry-After": "2"}),
        fixture("mastodon", "context-empty.json"),
    )
    _serve_news(server)
    collector = webcare_collector(MastodonCollector, client, env)
    (news,) = collector.collect([target("mastodon", "news@bank.example")])
    assert news.webcare_error is None
    rows = {c.comment_id: c for c in news.comments}
    assert rows["113100000000000001"].parent_id == "113000000000000003"
    assert not rows["113100000000000001"].is_institution
    # a local account's acct has no domain: "news" is news@bank.example, the account itself
    assert rows["113100000000000002"].is_institution
    # the parent was deleted: kept with its parent id, so it is no question
    assert rows["113100000000000003"].parent_id == "113199999999999999"
    # the truncated question was opened on its own: the bank's answer to it
    assert rows["113100000000000005"].is_institution
    assert rows["113100000000000005"].parent_id == "113100000000000004"
    # a reply to another account from the statuses with replies; a continuation of its own thread
    # (in_reply_to_account_id is its own) is not
    assert rows["113200000000000001"].is_institution and "113200000000000002" not in rows
    # roots: 113000000000000003 and ...002 opened, ...001 has no replies (no request)
    assert {c.comment_id for c in news.comments if c.parent_id is None} == {
        "113000000000000003",
        "113000000000000002",
        "113000000000000001",
    }
    assert 2.0 in sleeps
    assert collector.thread_requests == 4  # statuses with replies and 3 contexts (one retried)


def test_collect_and_build_give_the_hand_worked_webcare(server, client, env, paths):
    """Bluesky through `collect` and `build`: 2 questions answered after 12 and 180 minutes."""
    serve_bluesky_threads(server)
    write_registry(paths, [{**NORTHWIND_ROW, "bluesky": "northwind.bsky.social"}])
    result = collect(paths, ["bluesky"], client=client, now=NOW, env=env, log=lambda _: None)
    # 3 roots, q1, a1, q2, d1, h1 (not known as the institution's here) and the reply to erin
    assert result.stats["comments"] == 9
    build(paths)
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM account_webcare WHERE day = ?", [NOW.date()])
        row = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    finally:
        con.close()
    # northwind-help is no registry account here: its answer to q2 is someone else's comment, so
    # q2 is unanswered; d1 replies to q2 and is no question
    assert (row["questions"], row["answered"]) == (2, 1)
    assert row["answered_pct"] == pytest.approx(50.0)
    assert row["reply_time_median"] == pytest.approx(12.0) and row["reply_time_p90"] == pytest.approx(12.0)
    assert (row["within_target"], row["target_minutes"]) == (1, 60.0)
    # a1 and the reply to erin's post
    assert row["replies_per_week"] == pytest.approx(0.5)


def by_id(outcome) -> dict:
    return {c.comment_id: c for c in outcome.comments}


def minutes(rows: dict, question: str, answer: str) -> float:
    return (rows[answer].created_at - rows[question].created_at).total_seconds() / 60


def test_facebook_comments_with_nested_replies_and_a_throttled_call(server, client, env, sleeps):
    server.route(
        "/v21.0/100064000000001_901/comments",
        Reply(fixture("facebook", "throttled.json"), 403),
        fixture("facebook", "comments-901.json"),
    )
    serve_all(server)
    collector = webcare_collector(FacebookCollector, client, env)
    (page,) = collector.collect([target("facebook", "northwindbank")])
    assert page.webcare_error is None
    rows = by_id(page)
    assert sorted(rows) == sorted(["100064000000001_901", *(f"901_100{i}" for i in range(1, 8))])
    # top-level comments reply to the post; a reply's parent is its comment
    assert {c for c, r in rows.items() if r.parent_id == "100064000000001_901"} == {
        "901_1001",
        "901_1003",
        "901_1004",
    }
    # the page's own replies are the institution's; a comment without `from` is not
    assert {c for c, r in rows.items() if r.is_institution} == {"100064000000001_901", "901_1002", "901_1006"}
    assert minutes(rows, "901_1001", "901_1002") == 20
    # 901_1004 counts 3 replies and showed 1: its replies were opened on their own (12 hours)
    assert rows["901_1006"].parent_id == "901_1004" and minutes(rows, "901_1004", "901_1006") == 720
    call = server.requests_to("/v21.0/100064000000001_901/comments")[-1].query
    assert (call["filter"], call["order"]) == ("toplevel", "reverse_chronological")
    assert "comments.limit(25){id,from,created_time,message}" in call["fields"]
    assert sleeps  # the throttled answer (code 4) was waited out


def test_youtube_comment_threads_and_truncated_replies(server, client, env):
    serve_all(server)
    collector = webcare_collector(YouTubeCollector, client, env)
    (channel,) = collector.collect([target("youtube", "UCnorthwindBank000000000")])
    assert channel.webcare_error is None
    rows = by_id(channel)
    assert {c for c, r in rows.items() if r.parent_id == "vid00000001"} == {"UgyT1", "UgyT2", "UgyT3"}
    # a reply by the channel's own id is the institution's
    assert {c for c, r in rows.items() if r.is_institution} == {
        "vid00000001",
        "vid00000002",
        "vid00000003",
        "UgyT1.r1",
        "UgyT2.r2",
    }
    assert minutes(rows, "UgyT1", "UgyT1.r1") == 45
    # UgyT2 counts 2 replies and nested 1: comments.list gave the channel's answer two days later
    assert minutes(rows, "UgyT2", "UgyT2.r2") == 2880
    # every video in the window was opened (vid00000003 reports no commentCount: unknown is opened)
    assert [s.query["videoId"] for s in server.requests_to("/youtube/v3/commentThreads")] == [
        "vid00000001",
        "vid00000002",
        "vid00000003",
    ]
    assert server.requests_to("/youtube/v3/comments")[0].query["parentId"] == "UgyT2"
    assert collector.thread_requests == 4  # 4 quota units


def test_x_reads_threads_only_when_opted_in_and_says_the_cost_first(server, client, env, paths):
    search = "/2/tweets/search/recent"
    server.route(search, fixture("x", "conversation-1890000000000000001.json"))
    serve_all(server)
    (account,) = webcare_collector(XCollector, client, env).collect([target("x", "northwindbank")])
    assert account.comments == [] and not server.requests_to(search)

    paid = {**env, "FINSOCIAL_X_WEBCARE": "1", "FINSOCIAL_X_USD_PER_POST_READ": "0.005"}
    collector = webcare_collector(XCollector, client, paid)
    assert collector.cost_note() == (
        "x threads: at most 200 search requests reading up to 20,000 posts, at most $100.00 at $0.005 a post read"
    )
    (account,) = collector.collect([target("x", "northwindbank")])
    rows = by_id(account)
    assert rows["1890000000000000011"].parent_id == "1890000000000000001"
    assert not rows["1890000000000000011"].is_institution
    assert rows["1890000000000000012"].is_institution  # author_id is the account's own id
    assert minutes(rows, "1890000000000000011", "1890000000000000012") == 10
    assert server.requests_to(search)[0].query["query"] == "conversation_id:1890000000000000001"

    write_registry(paths, [{**NORTHWIND_ROW, "x": "@NorthwindBank"}])
    lines: list[str] = []
    collect(paths, ["x"], client=client, now=NOW, env=paid, log=lines.append)
    assert lines.index(collector.cost_note()) < next(
        i for i, line in enumerate(lines) if line.startswith("x: 1/1")
    )
