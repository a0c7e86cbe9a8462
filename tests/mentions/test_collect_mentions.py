"""`finsocial collect` with a mention search on: it lands exactly the mentions that name each
institution (loose matches dropped, its own posts left out), no text, and the build's metrics come
out as worked by hand; without credentials the search is off, named once, and the exit code is
the accounts' alone."""

from __future__ import annotations

import pyarrow.parquet as pq

from collectors.http import HttpClient
from collectors.run import collect
from tests.mentions.test_search_sources import NOW, post, session
from tests.support.collector_fakes import FakeServer, write_registry
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
from warehouse.read import queries

REGISTRY = [
    {
        "institution_id": "northwind",
        "name": "Northwind Bank",
        "kind": "bank",
        "country": "GB",
        "website": "https://northwind.example/",
        "bluesky": "northwind.bsky.social",
    },
    {
        "institution_id": "southbank",
        "name": "South Bank",
        "kind": "bank",
        "country": "NL",
        "website": "https://south.example/",
        "bluesky": "southbank.bsky.social",
    },
]


def profiles(seen):
    actors = seen.query["actors"]
    actors = actors if isinstance(actors, list) else [actors]
    return {
        "profiles": [
            {"did": f"did:plc:{a.split('.')[0]}", "handle": a, "followersCount": 100} for a in actors
        ]
    }


def searched(seen):
    q = seen.query["q"]
    posts = {
        '"Northwind Bank"': [
            post("n1", "did:plc:alice", "alice.bsky.social", "Northwind Bank app down again, so annoying", 5),
            post("n2", "did:plc:alice", "alice.bsky.social", "Still no Northwind Bank app. Terrible.", 4),
            post("n3", "did:plc:bob", "bob.bsky.social", "Northwind's bank holiday hours?", 6),  # loose
            post("n4", "did:plc:northwind", "northwind.bsky.social", "Northwind Bank: all fixed", 3),  # own
        ],
        '"South Bank"': [post("s1", "did:plc:carl", "carl.bsky.social", "Love South Bank, great service", 7)],
    }.get(q, [])
    return {"posts": posts}


def collect_with_search(tmp_path, searched, read_timeout: float = 2):
    """`collect` on Bluesky for REGISTRY, the search answered by `searched`: (paths, result, lines)."""
    paths = DataPaths.resolve(tmp_path / "finsocial.duckdb")
    write_registry(paths, REGISTRY)
    server = FakeServer()
    server.route("/xrpc/app.bsky.actor.getProfiles", profiles)
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", {"feed": []})
    server.route("/xrpc/com.atproto.server.createSession", session("acc", "ref"))
    server.route("/xrpc/app.bsky.feed.searchPosts", searched)
    env = {
        "FINSOCIAL_BLUESKY_API": server.url,
        "FINSOCIAL_BLUESKY_PDS": server.url,
        "FINSOCIAL_BLUESKY_IDENTIFIER": "watcher.bsky.social",
        "FINSOCIAL_BLUESKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop",
        "FINSOCIAL_WEBCARE": "0",
    }
    lines: list[str] = []
    try:
        client = HttpClient(
            timeout=(1, read_timeout), max_retries=1, sleep=lambda _: None, limits_enabled=False
        )
        result = collect(paths, ["bluesky"], client=client, now=NOW, env=env, log=lines.append)
    finally:
        server.close()
    return paths, result, lines


def test_collect_lands_exactly_the_mentions_and_builds_them(tmp_path):
    paths, result, lines = collect_with_search(tmp_path, searched)
    assert result.status == "complete"
    assert result.stats["mentions"]["bluesky"] == {
        "searched": 2,
        "mentions": 3,
        "dropped": 1,
        "malformed": 0,
        "failed": 0,
        "requests": 5,
    }
    assert any(
        "bluesky mentions: 2/2 institutions searched, 3 mentions kept, 1 loose matches dropped" in line
        for line in lines
    )

    [run_dir] = [p for p in paths.landing.rglob("mentions.parquet")]
    landed = pq.read_table(run_dir).to_pylist()
    assert sorted((m["institution_id"], m["post_id"].rsplit("/", 1)[1]) for m in landed) == [
        ("northwind", "n1"),
        ("northwind", "n2"),
        ("southbank", "s1"),
    ]
    assert set(landed[0]) == {
        "institution_id",
        "platform",
        "post_id",
        "posted_at",
        "collected_at",
        "author_key",
        "language",
        "tone",
        "tone_score",
        "themes",
    }  # no text
    assert paths.author_secret.stat().st_mode & 0o777 == 0o600

    build(paths)
    day = NOW.date()
    with queries.connect(paths.db) as con:
        rows = con.execute(
            "SELECT institution_id, mentions, mention_authors, negative_share, positive_share"
            " FROM institution_mentions WHERE platform = 'bluesky' AND day = ? ORDER BY 1",
            [day],
        ).fetchall()
        sov = dict(
            (r["institution_id"], r["value"])
            for r in queries.league_rows(con, "all", "share_of_voice", day)[0]
        )
    # Northwind: two mentions by one author, both negative; South Bank: one, positive. The posts
    # are of the day before the night (a day the search covered whole) and the window holds it.
    assert rows == [("northwind", 2, 1, 100.0, 0.0), ("southbank", 1, 1, 0.0, 100.0)]
    assert sov == {"northwind": 100 * 2 / 3, "southbank": 100 * 1 / 3}


def test_without_credentials_search_is_off_and_no_failure(tmp_path):
    paths = DataPaths.resolve(tmp_path / "finsocial.duckdb")
    write_registry(paths, REGISTRY)
    server = FakeServer()
    server.route("/xrpc/app.bsky.actor.getProfiles", profiles)
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", {"feed": []})
    lines: list[str] = []
    try:
        client = HttpClient(timeout=(1, 2), max_retries=1, sleep=lambda _: None, limits_enabled=False)
        result = collect(
            paths,
            ["bluesky"],
            client=client,
            now=NOW,
            env={"FINSOCIAL_BLUESKY_API": server.url},
            log=lines.append,
        )
    finally:
        server.close()
    assert result.status == "complete" and result.exit_code == 0
    off = [line for line in lines if "mentions" in line]
    assert off == [
        "bluesky mentions: off, FINSOCIAL_BLUESKY_IDENTIFIER and FINSOCIAL_BLUESKY_APP_PASSWORD not set"
    ]
    assert not server.requests_to("/xrpc/app.bsky.feed.searchPosts")
    assert not list(paths.landing.rglob("mentions.parquet"))  # no search: nothing landed, not "none"
