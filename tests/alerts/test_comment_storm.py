"""The comment_storm rule: a storm of negative comments under our posts or a peer's. Two Bluesky
accounts on the local server (the AppView's documented getProfiles, getAuthorFeed and getPostThread),
collected and built on two nights: both had the same calm week, then on the last day Northwind's
campaign post drew 24 angry replies (27 negative comments that day) and South Bank's drew 24 kind
ones (3 negative). Northwind's day is a storm, South Bank's is not; values worked by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from publish.alerts import STATE_FILE
from tests.alerts.test_alerts import alerts_of, copy_db
from tests.conftest import built_once
from tests.practices.bluesky_world import Post, Reply, reply_view, stamp, uri
from warehouse.read.alerts import Watch

NIGHT = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)  # the second night; the first is the day before
DAY = dt.timedelta(days=1)
STORM_DAY = (NIGHT - DAY).date()  # 2026-03-09
ANGRY = ["This is terrible, awful service. Shame on you!", "What a horrible and disgusting advert, I hate it"]
KIND = "What a great and helpful initiative, thank you so much"
# The calm week before, the same at both banks: (days before NIGHT, negative, kind) comments written
# that day. Per day 1, 0, 1, 0, 1, 1, 0 negative: the median day is 1; 4 of 25 judged are negative.
CALM = [(8, 1, 3), (7, 0, 3), (6, 1, 3), (5, 0, 3), (4, 1, 3), (3, 1, 3), (2, 0, 3)]
ACCOUNTS = {
    "northwind.bsky.social": ("did:plc:northwindstorm2345abcdef", "northwind", "Northwind Bank"),
    "southbank.bsky.social": ("did:plc:southbankcalm23456abcdef", "southbank", "South Bank"),
}


def customer(rkey: str) -> str:
    """The did of the customer who wrote a reply (one each)."""
    return f"did:plc:{rkey.ljust(24, 'c')}"


def history(handle: str) -> list[Post]:
    """The account's posts and the replies under them, whenever written."""
    storm = handle.startswith("northwind")
    posts = [
        Post(f"3l{n}week", NIGHT - (9 - 2 * n) * DAY + dt.timedelta(hours=1), "Our week", likes=40)
        for n in range(4)
    ]
    for days, negative, kind in CALM:
        under = max((p for p in posts if p.at.date() <= (NIGHT - days * DAY).date()), key=lambda p: p.at)
        written = dt.datetime.combine((NIGHT - days * DAY).date(), dt.time(12), dt.UTC)
        texts = ANGRY[:1] * negative + [KIND] * kind
        under.replies += [
            Reply(f"3r{days}x{i}", customer(f"3r{days}x{i}"), t, written + i * dt.timedelta(minutes=5))
            for i, t in enumerate(texts)
        ]
    campaign = Post(
        "3lcampaign", dt.datetime.combine(STORM_DAY, dt.time(9), dt.UTC), "Our new campaign", likes=40
    )
    texts = ANGRY * 12 + [KIND] * 3 if storm else [KIND] * 24 + ANGRY[:1] * 3
    campaign.replies = [
        Reply(f"3rc{i}", customer(f"3rc{i}"), t, campaign.at + dt.timedelta(hours=1, minutes=10 * i))
        for i, t in enumerate(texts)
    ]
    if storm:  # and three more angry replies under the week's last post that day
        written = dt.datetime.combine(STORM_DAY, dt.time(16), dt.UTC)
        posts[-1].replies += [
            Reply(f"3rl{i}", customer(f"3rl{i}"), ANGRY[1], written + i * dt.timedelta(minutes=1))
            for i in range(3)
        ]
    return [*posts, campaign]


class StormWorld:
    """Answers as the AppView would on the night being collected: posts and replies written before it."""

    def __init__(self, server) -> None:
        self.night = NIGHT
        self.posts = {handle: history(handle) for handle in ACCOUNTS}
        server.route("/xrpc/app.bsky.actor.getProfiles", self.profiles)
        server.route(
            "/xrpc/app.bsky.feed.getAuthorFeed",
            {"feed": []},
            when=lambda q: q.get("filter") == "posts_with_replies",
        )
        server.route("/xrpc/app.bsky.feed.getAuthorFeed", self.feed)
        server.route("/xrpc/app.bsky.feed.getPostThread", self.thread)

    def author(self, did: str) -> dict:
        handle = next((h for h, (d, _, _) in ACCOUNTS.items() if d == did), f"{did[8:16]}.bsky.social")
        return {"did": did, "handle": handle}

    def seen(self, handle: str) -> list[tuple[Post, list[Reply]]]:
        return [
            (p, [r for r in p.replies if r.at < self.night]) for p in self.posts[handle] if p.at < self.night
        ]

    def profiles(self, asked) -> dict:
        actors = asked.query["actors"]
        actors = actors if isinstance(actors, list) else [actors]
        return {
            "profiles": [
                {
                    "did": ACCOUNTS[h][0],
                    "handle": h,
                    "followersCount": 5000,
                    "followsCount": 10,
                    "postsCount": 50,
                }
                for h in actors
                if h in ACCOUNTS
            ]
        }

    def view(self, handle: str, post: Post, replies: list[Reply]) -> dict:
        did = ACCOUNTS[handle][0]
        return {
            "uri": uri(did, post.rkey),
            "cid": f"bafy{post.rkey}",
            "author": self.author(did),
            "record": {"$type": "app.bsky.feed.post", "text": post.text, "createdAt": stamp(post.at)},
            "replyCount": len(replies),
            "repostCount": 0,
            "likeCount": post.likes,
            "quoteCount": 0,
            "indexedAt": stamp(post.at),
        }

    def feed(self, asked) -> dict:
        handle = next(h for h, (did, _, _) in ACCOUNTS.items() if asked.query["actor"] in (did, h))
        seen = sorted(self.seen(handle), key=lambda s: s[0].at, reverse=True)
        return {"feed": [{"post": self.view(handle, p, replies)} for p, replies in seen]}

    def thread(self, asked) -> dict:
        wanted = asked.query["uri"]
        handle, post, replies = next(
            (h, p, r) for h in ACCOUNTS for p, r in self.seen(h) if uri(ACCOUNTS[h][0], p.rkey) == wanted
        )
        root = {"uri": wanted, "cid": f"bafy{post.rkey}"}
        return {
            "thread": {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": self.view(handle, post, replies),
                "replies": [reply_view(r, root, self.author(r.did)) for r in replies],
            }
        }


@pytest.fixture(scope="session")
def storm_db(tmp_path_factory) -> Path:
    """Both banks collected and built on NIGHT - 1 day and on NIGHT. Read it only."""

    def make(folder: Path) -> Path:
        from collectors.http import HttpClient
        from collectors.run import collect
        from tests.support.collector_fakes import FakeServer, write_registry
        from warehouse.build.builder import build
        from warehouse.infra.paths import DataPaths

        paths = DataPaths(folder / "finsocial.duckdb")
        rows = [
            {"institution_id": iid, "name": name, "kind": "bank", "country": "GB", "bluesky": handle}
            for handle, (_, iid, name) in ACCOUNTS.items()
        ]
        write_registry(paths, [{**r, "website": f"https://{r['institution_id']}.example/"} for r in rows])
        server = FakeServer()
        world = StormWorld(server)
        client = HttpClient(timeout=(1.0, 2.0), max_retries=0, sleep=lambda _: None, limits_enabled=False)
        try:
            for night in (NIGHT - DAY, NIGHT):
                world.night = night
                result = collect(
                    paths, ["bluesky"], client=client, now=night, env={"FINSOCIAL_BLUESKY_API": server.url},
                    log=lambda _: None,
                )  # fmt: skip
                assert result.status == "complete", result
                build(paths)
        finally:
            server.close()
        return paths.db

    return built_once(tmp_path_factory, "comment-storm", make)


RULE = '[[rules]]\ntype = "comment_storm"\n'


def test_a_storm_of_negative_comments_under_our_posts(storm_db):
    (alert,) = alerts_of(storm_db, RULE, Watch("northwind", ("southbank",)))
    assert alert.title == f"A storm of negative comments under our posts on Bluesky on {STORM_DAY}"
    # 24 angry replies to the campaign and 3 under the week's last post: 27 negative of 30 judged
    # (90.00%); the 7 days before had 1, 0, 1, 0, 1, 1, 0: a median of 1, so 27.0×; 4 of their 25
    # judged comments negative (16.00%)
    assert alert.text == (
        f"27 negative comments under Northwind Bank's posts on Bluesky on {STORM_DAY} (90.00% of the 30 "
        "comments the tone classifier judged; usually 16.00%), 27.0× the median day of the 28 before (1). "
        f"The most under its post of {STORM_DAY} 09:00 UTC (24). "
        "https://bsky.app/profile/northwind.bsky.social/post/3lcampaign"
    )
    assert alert.key == f"comment_storm:northwind:bluesky:{STORM_DAY}"
    assert alert.facts == {
        "institution_id": "northwind",
        "platform": "bluesky",
        "day": STORM_DAY.isoformat(),
        "negative": 27,
        "toned": 30,
        "baseline_median": 1.0,
        "multiple": 27.0,
        "post_id": alert.facts["post_id"],
        "url": alert.facts["url"],
    }
    assert alert.facts["post_id"].endswith("/3lcampaign")


def test_a_peers_storm_and_what_does_not_raise_one(storm_db):
    # South Bank's day had 3 negative comments: under the minimum of 20 (and 3.0× its usual 1)
    assert alerts_of(storm_db, RULE, Watch("southbank")) == []
    (peer,) = alerts_of(storm_db, RULE, Watch("southbank", ("northwind",)))
    assert (
        peer.title == f"A storm of negative comments under Northwind Bank's posts on Bluesky on {STORM_DAY}"
    )
    assert alerts_of(storm_db, RULE + 'whose = "peers"\n', Watch("northwind", ("southbank",))) == []
    assert alerts_of(storm_db, RULE + "multiple = 28.0\n", Watch("northwind")) == []  # 27.0× is not 28×
    assert alerts_of(storm_db, RULE + "minimum = 28\n", Watch("northwind")) == []  # 27 is not 28
    assert alerts_of(storm_db, RULE + 'platform = "mastodon"\n', Watch("northwind")) == []
    # the thresholds decide: 3 negative comments are a storm at a minimum of 3 and 3× the usual 1
    (small,) = alerts_of(storm_db, RULE + "minimum = 3\n", Watch("southbank"))
    assert small.text.startswith(f"3 negative comments under South Bank's posts on Bluesky on {STORM_DAY} (")
    assert "3.0× the median day of the 28 before (1)" in small.text


def test_sent_once_to_a_webhook(storm_db, tmp_path, webhooks):
    db = copy_db(storm_db, tmp_path)
    (tmp_path / "alerts.toml").write_text(
        'institution = "northwind"\n'
        + RULE
        + '[[destinations]]\nname = "team"\ntype = "webhook"\nurl_env = "HOOK"\n'
    )
    env = {"HOOK": webhooks.url("/hook")}
    for _ in range(2):
        result = CliRunner().invoke(cli, ["--db", str(db), "alerts"], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert "none new" in result.output
    ((body,),) = webhooks.received.values()
    (sent,) = body["alerts"]
    assert sent["rule"] == "comment_storm" and sent["facts"]["negative"] == 27
    assert sent["title"] == f"A storm of negative comments under our posts on Bluesky on {STORM_DAY}"
    assert set(json.loads((tmp_path / STATE_FILE).read_text())["sent"]) == {"team"}
