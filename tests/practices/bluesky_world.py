"""A Bluesky account on the local server, in the AppView's documented formats (app.bsky.actor.
getProfiles, app.bsky.feed.getAuthorFeed, app.bsky.feed.getPostThread), whose posts and replies a
test changes between nights."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DID = "did:plc:northwindpractices234abc"
HANDLE = "northwind.bsky.social"


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


@dataclass
class Reply:
    rkey: str
    did: str
    text: str
    at: dt.datetime


@dataclass
class Post:
    rkey: str
    at: dt.datetime
    text: str = "Our new savings account"
    likes: int = 10
    # app.bsky.feed.threadgate's `allow`: None no threadgate, [] nobody may reply, rules some
    allow: list | None = None
    replies: list[Reply] = field(default_factory=list)


def reply_view(reply: Reply, root: dict, author: dict) -> dict:
    """A reply by `author` ({"did", "handle"}) directly under the post `root` ({"uri", "cid"}), as
    a thread's replies list it."""
    return {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": {
            "uri": uri(reply.did, reply.rkey),
            "cid": f"bafy{reply.rkey}",
            "author": author,
            "record": {
                "$type": "app.bsky.feed.post",
                "text": reply.text,
                "createdAt": stamp(reply.at),
                "reply": {"root": root, "parent": root},
            },
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 0,
            "quoteCount": 0,
            "indexedAt": stamp(reply.at),
        },
        "replies": [],
    }


@dataclass
class BlueskyWorld:
    posts: list[Post] = field(default_factory=list)

    def serve(self, server) -> None:
        server.route("/xrpc/app.bsky.actor.getProfiles", lambda seen: self.profiles())
        server.route(
            "/xrpc/app.bsky.feed.getAuthorFeed",
            {"feed": []},
            when=lambda q: q.get("filter") == "posts_with_replies",
        )
        server.route("/xrpc/app.bsky.feed.getAuthorFeed", lambda seen: self.feed())
        server.route("/xrpc/app.bsky.feed.getPostThread", lambda seen: self.thread(seen.query["uri"]))

    def author(self, did: str) -> dict:
        return {"did": did, "handle": "northwind.bsky.social" if did == DID else f"{did[8:16]}.bsky.social"}

    def profiles(self) -> dict:
        return {
            "profiles": [
                {
                    "did": DID,
                    "handle": HANDLE,
                    "displayName": "Northwind",
                    "followersCount": 5000,
                    "followsCount": 10,
                    "postsCount": len(self.posts),
                }
            ]
        }

    def post_view(self, post: Post) -> dict:
        view = {
            "uri": uri(DID, post.rkey),
            "cid": f"bafy{post.rkey}",
            "author": self.author(DID),
            "record": {"$type": "app.bsky.feed.post", "text": post.text, "createdAt": stamp(post.at)},
            "replyCount": len(post.replies),
            "repostCount": 0,
            "likeCount": post.likes,
            "quoteCount": 0,
            "indexedAt": stamp(post.at),
        }
        if post.allow is not None:
            # app.bsky.feed.defs#threadgateView: the threadgate record rides along with the post
            view["threadgate"] = {
                "uri": f"at://{DID}/app.bsky.feed.threadgate/{post.rkey}",
                "cid": f"bafygate{post.rkey}",
                "record": {
                    "$type": "app.bsky.feed.threadgate",
                    "post": uri(DID, post.rkey),
                    "allow": post.allow,
                    "createdAt": stamp(post.at),
                },
                "lists": [],
            }
        return view

    def feed(self) -> dict:
        posts = sorted(self.posts, key=lambda p: p.at, reverse=True)
        return {"feed": [{"post": self.post_view(p)} for p in posts]}

    def thread(self, asked: str) -> dict:
        post = next(p for p in self.posts if uri(DID, p.rkey) == asked)
        root = {"uri": asked, "cid": f"bafy{post.rkey}"}
        replies = [reply_view(r, root, self.author(r.did)) for r in post.replies]
        return {
            "thread": {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": self.post_view(post),
                "replies": replies,
            }
        }
