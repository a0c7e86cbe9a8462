"""Warehouse states a real installation passes through, each built through the real path.

A state is a warehouse file made by the product's own commands: `finsocial init`, `registry
import`, `import-counts` and `build` through click's CliRunner, and `collect` through the
collectors against the local platform server (tests/support), which answers in Bluesky's and
Mastodon's documented formats with counts and posts dated relative to the state's night. Nothing
writes a warehouse table by hand. The states are built once per test session (the `state`
fixture in tests/conftest.py) and only read afterwards.

The matrix (tests/test_states.py) runs every dashboard page and the CLI's `top`, `status` and
exports in every state.

- To add a page: put its script name (dashboard/views/<name>.py) in tests/dashboard/conftest.py
  PAGES; the matrix picks it up. If the page needs more than the warehouse to show something
  useful, say so in PAGE_NEEDS below.
- To add a state: write a function `def _<name>(world: World) -> None` that drives the commands
  (world.cli(...), world.collect(...)), and add a `State` row to STATES with what a reader should
  be told (`expect`: a piece of text every page that needs counts shows). Keep registries small:
  every state costs one build or more per session.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result

from tests.support.collector_fakes import FakeServer, Reply, write_registry
from warehouse.infra.paths import DataPaths

# The night every dated state is collected on (its counts' day); posts are dated before it.
NIGHT = dt.datetime.now(dt.UTC).replace(hour=3, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)

NORTHWIND = {
    "institution_id": "northwind",
    "name": "Northwind Bank",
    "kind": "bank",
    "country": "GB",
    "website": "https://www.northwind.example/",
    "groups": "big-banks",
    "bluesky": "northwind.bsky.social",
    "mastodon": "@news@bank.example",
}
SOUTHBANK = {
    "institution_id": "southbank",
    "name": "South Bank",
    "kind": "bank",
    "country": "NL",
    "website": "https://south.example/",
    "groups": "big-banks",
    "bluesky": "southbank.bsky.social",
    "mastodon": "@quiet@bank.example",
}
CEDAR = {
    "institution_id": "cedar",
    "name": "Cedar Credit Union",
    "kind": "credit_union",
    "country": "US",
    "website": "https://cedar.example/",
    "bluesky": "cedar.bsky.social",
}
REGISTRY = [NORTHWIND, SOUTHBANK, CEDAR]

# Followers per account on NIGHT; each night later adds 1%, each night earlier takes 1% away.
FOLLOWERS = {
    "northwind.bsky.social": 12_840,
    "southbank.bsky.social": 980,
    "cedar.bsky.social": 77,
    "news@bank.example": 5_400,
    "quiet@bank.example": 310,
}
# Each account's own posts: (days before the night, likes, replies, reposts).
POSTS = {
    "northwind.bsky.social": [(1, 40, 5, 8), (3, 10, 2, 3), (9, 25, 1, 4)],
    "southbank.bsky.social": [(2, 4, 0, 1)],
    "cedar.bsky.social": [],
    "news@bank.example": [(1, 12, 1, 2), (6, 30, 4, 5)],
    "quiet@bank.example": [(4, 2, 0, 0)],
}


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _did(handle: str) -> str:
    return "did:plc:" + handle.split(".")[0].ljust(24, "x")


class World:
    """The local platform server and a warehouse, driven night by night."""

    def __init__(self, root: Path) -> None:
        self.paths = DataPaths.resolve(root / "finsocial.duckdb")
        self.server = FakeServer()
        self.hidden: set[str] = set()  # Mastodon accounts that hide their counts
        self.failing = False  # every platform answers 500
        self.failing_handles: set[str] = set()  # Mastodon accounts whose lookup answers 500
        self.night = NIGHT
        self.env = {
            "FINSOCIAL_BLUESKY_API": self.server.url,
            "FINSOCIAL_MASTODON_API": self.server.url,
        }
        self.server.route("/xrpc/app.bsky.actor.getProfiles", self._profiles)
        self.server.route("/xrpc/app.bsky.feed.getAuthorFeed", self._feed)
        self.server.route("/api/v1/accounts/lookup", self._lookup)
        # Bluesky's search for mentions: answered always, asked only where a state gives credentials
        self.server.route(
            "/xrpc/com.atproto.server.createSession",
            {
                "accessJwt": "access-jwt",
                "refreshJwt": "refresh-jwt",
                "handle": "watcher.bsky.social",
                "did": "did:plc:w",
            },
        )
        self.server.route("/xrpc/app.bsky.feed.searchPosts", self._search)
        for handle in FOLLOWERS:
            if "@" in handle:
                self.server.route(f"/api/v1/accounts/{_did(handle)[8:]}/statuses", self._statuses)

    def close(self) -> None:
        self.server.close()

    # ---- what the platforms answer on the current night --------------------------------------

    def _followers(self, handle: str) -> int:
        """The account's followers on the current night: 1% more each night after NIGHT."""
        return round(FOLLOWERS[handle] * 1.01 ** (self.night.date() - NIGHT.date()).days)

    def _profiles(self, seen) -> Reply:
        if self.failing:
            return Reply({"error": "InternalServerError"}, 500)
        actors = seen.query["actors"]
        actors = actors if isinstance(actors, list) else [actors]
        profiles = [
            {
                "did": _did(handle),
                "handle": handle,
                "displayName": handle.split(".")[0].title(),
                "followersCount": self._followers(handle),
                "followsCount": 100,
                "postsCount": 1_000,
            }
            for handle in actors
            if handle in FOLLOWERS
        ]
        return Reply({"profiles": profiles})

    def _feed(self, seen) -> Reply:
        if self.failing:
            return Reply({"error": "InternalServerError"}, 500)
        handle = next(h for h in FOLLOWERS if _did(h) == seen.query["actor"])
        feed = []
        for n, (days, likes, replies, reposts) in enumerate(POSTS[handle]):
            at = _stamp(self.night - dt.timedelta(days=days, hours=2))
            uri = f"at://{_did(handle)}/app.bsky.feed.post/3p{n:010d}"
            record = {"$type": "app.bsky.feed.post", "createdAt": at, "text": f"post {n}"}
            post = {
                "uri": uri,
                "cid": f"bafy{n}",
                "author": {"did": _did(handle), "handle": handle},
                "record": record,
                "replyCount": replies,
                "repostCount": reposts,
                "likeCount": likes,
                "quoteCount": 0,
                "indexedAt": at,
            }
            feed.append({"post": post})
        return Reply({"feed": feed})

    def _search(self, seen) -> Reply:
        """Two mentions of Northwind Bank the day before the night (one angry, one glad) and a
        loose match; nobody names the others."""
        posts = []
        if seen.query["q"] == '"Northwind Bank"':
            for n, (who, text) in enumerate(
                [
                    ("ann", "Northwind Bank app down again, cannot pay. Terrible"),
                    ("ben", "Great help from Northwind Bank today, thanks!"),
                    ("cat", "Northwind and the Bank of England"),
                ]
            ):
                at = _stamp(self.night - dt.timedelta(hours=6 + n))
                posts.append(
                    {
                        "uri": f"at://did:plc:{who}/app.bsky.feed.post/3m{n}",
                        "author": {"did": f"did:plc:{who}", "handle": f"{who}.bsky.social"},
                        "record": {"text": text, "createdAt": at},
                        "indexedAt": at,
                    }
                )
        return Reply({"posts": posts})

    def _lookup(self, seen) -> Reply:
        if self.failing:
            return Reply({"error": "Internal server error"}, 500)
        handle = seen.query["acct"].lstrip("@")
        if handle in self.failing_handles:
            return Reply({"error": "Internal server error"}, 500)
        if handle not in FOLLOWERS:
            return Reply({"error": "Record not found"}, 404)
        hidden = handle in self.hidden
        account = {
            "id": _did(handle)[8:],
            "username": handle.split("@")[0],
            "acct": handle,
            "display_name": handle.split("@")[0].title(),
            "url": f"https://bank.example/@{handle.split('@')[0]}",
            "followers_count": -1 if hidden else self._followers(handle),
            "following_count": -1 if hidden else 20,
            "statuses_count": 400,
        }
        return Reply(account)

    def _statuses(self, seen) -> Reply:
        if self.failing:
            return Reply({"error": "Internal server error"}, 500)
        handle = next(h for h in FOLLOWERS if seen.path == f"/api/v1/accounts/{_did(h)[8:]}/statuses")
        statuses = []
        for n, (days, likes, replies, reposts) in enumerate(POSTS[handle]):
            status_id = f"11{n:016d}"
            statuses.append(
                {
                    "id": status_id,
                    "created_at": _stamp(self.night - dt.timedelta(days=days, hours=2)),
                    "url": f"https://bank.example/@{handle.split('@')[0]}/{status_id}",
                    "replies_count": replies,
                    "reblogs_count": reposts,
                    "favourites_count": likes,
                    "content": f"<p>status {n}</p>",
                    "reblog": None,
                }
            )
        return Reply(statuses)

    # ---- the product's commands --------------------------------------------------------------

    def cli(self, *args: str) -> Result:
        from finsocial.cli import cli

        result = CliRunner().invoke(cli, ["--db", str(self.paths.db), *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        return result

    def registry(self, rows: list[dict]) -> None:
        """`finsocial registry import` of these rows (institutions and their handles)."""
        write_registry(self.paths, rows)  # the CSV a strategist would keep
        staged = self.paths.db.parent / "institutions.csv"
        shutil.move(self.paths.registry, staged)
        self.cli("registry", "import", str(staged))

    def collect(self, night: dt.datetime, platforms: list[str] | None = None) -> None:
        """One night's `collect` against the local server, then `build`, as `finsocial collect` does."""
        from collectors.http import HttpClient
        from collectors.run import collect

        self.night = night
        client = HttpClient(timeout=(1.0, 2.0), max_retries=1, sleep=lambda _: None, limits_enabled=False)
        collect(self.paths, platforms, client=client, now=night, env=self.env, log=lambda _: None)
        self.cli("build")

    def import_counts(self, rows: list[dict]) -> None:
        """`finsocial import-counts` of a counts CSV (platforms without an open API)."""
        path = self.paths.db.parent / "counts.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        self.cli("import-counts", str(path))


# ---- the states ---------------------------------------------------------------------------------


def _no_file(world: World) -> None:
    """Nothing: the dashboard started before `finsocial init`."""


def _empty(world: World) -> None:
    world.cli("init")


def _registry_only(world: World) -> None:
    world.cli("init")
    world.registry(REGISTRY)


def _failed_collect(world: World) -> None:
    world.cli("init")
    world.registry(REGISTRY)
    world.failing = True
    world.collect(NIGHT)


def _first_night(world: World) -> None:
    world.cli("init")
    world.registry(REGISTRY)
    world.collect(NIGHT)


def _two_nights(world: World) -> None:
    """Two nights; on the second, Northwind's Mastodon account fails: its total on all platforms
    holds that account's count of the night before, and its row says "1 of 2 accounts without data"."""
    world.cli("init")
    world.registry(REGISTRY)
    world.collect(NIGHT - dt.timedelta(days=1))
    world.failing_handles = {"news@bank.example"}
    world.collect(NIGHT)


def _one_platform(world: World) -> None:
    world.cli("init")
    world.registry([{k: v for k, v in row.items() if k != "mastodon"} for row in REGISTRY])
    world.collect(NIGHT)


def _one_institution(world: World) -> None:
    world.cli("init")
    world.registry([NORTHWIND])
    world.collect(NIGHT)


def _hidden_counts(world: World) -> None:
    world.cli("init")
    world.registry(REGISTRY)
    world.hidden = {"quiet@bank.example"}
    world.collect(NIGHT)


def _mentions(world: World) -> None:
    """The first night with Bluesky's search on: two mentions of Northwind, none of the others."""
    world.cli("init")
    world.registry(REGISTRY)
    world.env |= {
        "FINSOCIAL_BLUESKY_PDS": world.server.url,
        "FINSOCIAL_BLUESKY_IDENTIFIER": "watcher.bsky.social",
        "FINSOCIAL_BLUESKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop",
    }
    world.collect(NIGHT)
    world.cli("peers", "save", "northwind-south", "northwind", "southbank")  # Cedar left out


def _manual_only(world: World) -> None:
    """LinkedIn counts typed in from the pages: followers, no posts, no API platform at all."""
    world.cli("init")
    world.registry([{k: v for k, v in row.items() if k not in ("bluesky", "mastodon")} for row in REGISTRY])
    day = NIGHT.date().isoformat()
    world.import_counts(
        [
            {"institution_id": "northwind", "platform": "linkedin", "date": day, "followers": "48,200"},
            {"institution_id": "southbank", "platform": "linkedin", "date": day, "followers": "1.2K"},
        ]
    )


def _stale(world: World) -> None:
    """The last collect ran 40 days ago: nothing is fresh, 'as of' is long past."""
    world.cli("init")
    world.registry(REGISTRY)
    world.collect(NIGHT - dt.timedelta(days=41))
    world.collect(NIGHT - dt.timedelta(days=40))


def _free_only(world: World) -> None:
    """An operator with no API keys: Northwind's YouTube and X accounts are in the registry, but
    only the free platforms (Bluesky, Mastodon) are collected. YouTube and X are off, not failing."""
    world.cli("init")
    world.registry([{**NORTHWIND, "youtube": "@northwindbank", "x": "@NorthwindBank"}, SOUTHBANK, CEDAR])
    world.collect(NIGHT)


# An institution that was in the registry when a peer set was saved, and left it since.
OLDBANK = {**SOUTHBANK, "institution_id": "oldbank", "name": "Old Bank", "bluesky": "", "mastodon": ""}
GONE_SET = "with-oldbank"


def _peer_set(world: World) -> None:
    """The first night, and a strategist's saved peer sets: "Northwind against its peers" (the
    pages are opened with it in their address, ?peers=), and one saved while Old Bank was in the
    registry, which it has left since (GONE_SET)."""
    world.cli("init")
    world.registry([*REGISTRY, OLDBANK])
    world.cli("peers", "save", GONE_SET, "northwind", "oldbank", "southbank")
    write_registry(world.paths, REGISTRY)
    staged = world.paths.db.parent / "institutions.csv"
    shutil.move(world.paths.registry, staged)
    world.cli("registry", "import", str(staged), "--yes")  # Old Bank removed
    world.collect(NIGHT)
    world.cli("peers", "save", "northwind-peers", "northwind", "southbank", "cedar")


@dataclass(frozen=True)
class State:
    """A warehouse state: how it is made and what a reader of a counts page must be told."""

    name: str
    make: Callable[[World], None] | None  # None: the session's demo warehouse
    expect: str = ""  # text every page that needs counts shows in this state
    counts: bool = True  # whether the state has counts to rank (pages show data, not a hint)
    notes: dict = field(default_factory=dict)


STATES = [
    State("no_file", _no_file, "finsocial init", counts=False),
    State("empty", _empty, "finsocial registry import", counts=False),
    State("registry_only", _registry_only, "finsocial collect", counts=False),
    State("failed_collect", _failed_collect, "Data health", counts=False),
    State("first_night", _first_night),
    State("two_nights", _two_nights),
    State("one_platform", _one_platform),
    State("one_institution", _one_institution),
    State("hidden_counts", _hidden_counts),
    State("mentions", _mentions),
    State("manual_only", _manual_only),
    State("stale", _stale, "days ago"),
    State("free_only", _free_only),
    State("peer_set", _peer_set, notes={"query": {"peers": "northwind-peers"}}),
    State("demo", None),
]
STATE_NAMES = [s.name for s in STATES]


def build_state(state: State, root: Path) -> Path:
    """Make the state's warehouse under `root`; returns its database path (which may not exist)."""
    world = World(root)
    try:
        assert state.make is not None
        state.make(world)
    finally:
        world.close()
    return world.paths.db


def describe(db: Path) -> str:
    """A one-line account of a warehouse (for failure messages)."""
    from warehouse.read import queries

    if not db.exists():
        return f"{db}: no file"
    with queries.connect(db) as con:
        return json.dumps(queries.summary(con), default=str)
