"""Removed comments and posts closed to replies, against the local server in each platform's
documented format, through `collect` and `build` night after night; values worked by hand."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from collectors.run import collect
from collectors.x import XCollector
from collectors.youtube import YouTubeCollector
from tests.collectors.test_run import serve_all
from tests.practices.bluesky_world import DID, BlueskyWorld, Post, Reply, uri
from tests.support.collector_fakes import NOW, target, write_registry
from tests.support.collector_fakes import Reply as HttpReply
from warehouse.build.builder import build

NIGHT = dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)
ALICE, BOB, CAROL = (f"did:plc:{n}customer2345abcdefgh" for n in ("alice", "bob", "carol"))
REGISTRY = {
    "institution_id": "northwind",
    "name": "Northwind",
    "kind": "bank",
    "country": "NL",
    "website": "https://northwind.example/",
    "bluesky": "northwind.bsky.social",
}


def rows(db, sql: str, *params) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def night(paths, client, env, moment: dt.datetime) -> None:
    result = collect(paths, ["bluesky"], client=client, now=moment, env=env, log=lambda _: None)
    assert result.status == "complete", result
    build(paths)


@pytest.fixture
def world(server) -> BlueskyWorld:
    campaign = Post(
        "3lcampaign",
        dt.datetime(2026, 2, 25, 10, tzinfo=dt.UTC),
        text="Onze nieuwe spaarrekening! Laat het ons weten in de comments!",
        replies=[
            Reply(
                "3lr1alice",
                ALICE,
                "Wat een slechte bank, echt schandalig!",
                dt.datetime(2026, 2, 25, 11, tzinfo=dt.UTC),
            ),
            Reply("3lr2bob", BOB, "Dit is een goed idee", dt.datetime(2026, 2, 25, 12, tzinfo=dt.UTC)),
            Reply(
                "3lr3carol", CAROL, "Mooie campagne, goed gedaan", dt.datetime(2026, 2, 25, 13, tzinfo=dt.UTC)
            ),
        ],
    )
    # app.bsky.feed.threadgate with an empty allow list: nobody may reply
    gated = Post("3lgated", dt.datetime(2026, 2, 26, 10, tzinfo=dt.UTC), text="Our annual report", allow=[])
    w = BlueskyWorld([campaign, gated])
    w.serve(server)
    return w


def test_a_reply_that_vanishes_between_two_reads_is_removed_once(world, server, client, env, paths):
    write_registry(paths, [REGISTRY])
    night(paths, client, env, NIGHT)
    first = rows(paths.db, "SELECT * FROM post_practices ORDER BY post_id")
    assert [(r["removed_comments"], r["comments_seen"]) for r in first] == [(0, 3), (0, 0)]

    # bob's reply is gone by the second night: missing from the thread, the count 3 -> 2
    campaign = world.posts[0]
    campaign.replies = [r for r in campaign.replies if r.rkey != "3lr2bob"]
    night(paths, client, env, NIGHT + dt.timedelta(days=1))
    by_post = {r["post_id"]: r for r in rows(paths.db, "SELECT * FROM post_practices")}
    storm = by_post[uri(DID, "3lcampaign")]
    # seen in the thread and missing from the next complete read (1), and the count fell by 1:
    # the same comment, counted once
    assert (storm["removed_in_threads"], storm["count_drop"], storm["removed_comments"]) == (1, 1, 1)
    assert (storm["peak_comments"], storm["comments_seen"]) == (3, 3)
    gated = by_post[uri(DID, "3lgated")]
    assert gated["comments_closed"] is True and gated["removed_comments"] == 0
    assert storm["comments_closed"] is False  # a post without a threadgate is open

    # a third night reads the same thread: still one removed comment
    night(paths, client, env, NIGHT + dt.timedelta(days=2))
    day = (NIGHT + dt.timedelta(days=2)).date()
    (acc,) = rows(paths.db, "SELECT * FROM account_practices WHERE day = ? AND window_days = 28", day)
    assert (acc["removed_comments"], acc["comments_seen"]) == (1, 3)
    assert acc["removed_share"] == pytest.approx(100 / 3)
    # 2 posts, both with a known reply setting, one gated
    assert (acc["posts_seen"], acc["closed_known"], acc["closed_posts"]) == (2, 2, 1)
    assert acc["closed_share"] == pytest.approx(50.0)
    # "Laat het ons weten in de comments!" asks for comments for their own sake; the report does not
    assert (acc["bait_known"], acc["bait_posts"], acc["bait_share"]) == (2, 1, 50.0)
    # tone of the three comments seen (bob's kept from when it was seen): one negative
    assert (acc["comments_toned"], acc["negative_comments"]) == (3, 1)
    assert acc["negative_comment_share"] == pytest.approx(100 / 3)
    # three questions, none answered; no reply time
    assert (acc["practice_questions"], acc["practice_answered"], acc["answered_share"]) == (3, 0, 0.0)
    assert acc["reply_median"] is None
    (inst,) = rows(
        paths.db,
        "SELECT * FROM institution_practices WHERE day = ? AND window_days = 90 AND platform = 'all'",
        day,
    )
    assert (inst["removed_comments"], inst["closed_posts"], inst["bait_posts"]) == (1, 1, 1)

    # the post is deleted with its replies: its thread is no longer read, nothing more is removed
    world.posts = [p for p in world.posts if p.rkey != "3lcampaign"]
    night(paths, client, env, NIGHT + dt.timedelta(days=3))
    (acc,) = rows(
        paths.db,
        "SELECT * FROM account_practices WHERE day = ? AND window_days = 28",
        (NIGHT + dt.timedelta(days=3)).date(),
    )
    assert acc["removed_comments"] == 1


def test_a_threadgate_with_rules_restricts_and_one_that_only_hides_replies_does_not(world, client, env):
    from collectors.bluesky import BlueskyCollector

    world.posts[0].allow = [{"$type": "app.bsky.feed.threadgate#followingRule"}]
    world.posts[1].allow = None
    collector = BlueskyCollector(client, env=env, now=NIGHT, webcare=True)
    (outcome,) = collector.collect([target("bluesky", "northwind.bsky.social")])
    closed = {p.post_id.rsplit("/", 1)[-1]: p.comments_closed for p in outcome.posts}
    assert closed == {"3lcampaign": True, "3lgated": False}
    # the thread was read whole (getPostThread has no paging) and each comment got its tone, not its text
    root = next(c for c in outcome.comments if c.parent_id is None and c.post_id.endswith("3lcampaign"))
    assert root.thread_complete is True
    alice = next(c for c in outcome.comments if c.comment_id.endswith("3lr1alice"))
    assert (alice.tone, alice.language) == ("negative", "nl") and not hasattr(alice, "text")


COMMENTS_DISABLED = {
    "error": {
        "code": 403,
        "message": 'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a></code> parameter has disabled comments.',
        "errors": [
            {
                "message": "The video identified by the videoId parameter has disabled comments.",
                "domain": "youtube.commentThread",
                "reason": "commentsDisabled",
                "location": "videoId",
                "locationType": "parameter",
            }
        ],
    }
}


def test_a_youtube_video_with_comments_disabled_is_closed(server, client, env):
    server.route(
        "/youtube/v3/commentThreads",
        HttpReply(COMMENTS_DISABLED, 403),
        when=lambda q: q.get("videoId") == "vid00000002",
    )
    serve_all(server)
    collector = YouTubeCollector(client, env=env, now=NOW, webcare=True)
    (channel,) = collector.collect([target("youtube", "UCnorthwindBank000000000")])
    # a closed video is a fact about the video, not a failure of the night's threads
    assert channel.webcare_error is None
    closed = {p.post_id: p.comments_closed for p in channel.posts}
    assert closed == {"vid00000001": False, "vid00000002": True, "vid00000003": False}
    roots = {c.post_id: c for c in channel.comments if c.parent_id is None}
    # its thread counts as opened (no questions can be asked), but not as a complete read: the
    # comments hidden by closing it are not removed one by one
    assert roots["vid00000002"].thread_complete is None
    assert not [c for c in channel.comments if c.post_id == "vid00000002" and c.parent_id]


def test_x_reply_settings_other_than_everyone_restrict_replies(client, env):
    collector = XCollector(client, env=env, now=NOW)
    page = {
        "data": [
            {"id": str(n), "text": "t", "created_at": "2026-02-20T10:00:00.000Z", "reply_settings": s}
            for n, s in enumerate(["everyone", "following", "mentionedUsers", None])
        ]
    }
    posts = collector.parse_posts([page], target("x", "northwindbank"))
    assert [p.comments_closed for p in posts] == [False, True, True, None]
