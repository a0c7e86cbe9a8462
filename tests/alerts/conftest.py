"""A warehouse built to trigger each alert rule, a local webhook server and a local SMTP server."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.states import NIGHT, REGISTRY, Reply, World, _did, _stamp

DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)
NIGHTS = [NIGHT - 2 * DAY, NIGHT - DAY, NIGHT]
# Bluesky followers per night: South Bank overtakes Northwind on the last night.
FOLLOWERS = {
    "northwind.bsky.social": [1_000, 1_000, 1_000],
    "southbank.bsky.social": [980, 985, 1_020],
    "cedar.bsky.social": [77, 77, 77],
}
# Posts at fixed moments: (when, likes, replies, reposts).
POSTS = {
    # three calm posts (2 replies per 100 likes), then one with 40 replies to 30 likes: 66.7x the
    # account's usual comments per like, with at least 20 comments: an unusual reaction
    "northwind.bsky.social": [
        (NIGHT - 20 * DAY, 100, 2, 5),
        (NIGHT - 15 * DAY, 100, 2, 5),
        (NIGHT - 10 * DAY, 100, 2, 5),
        (NIGHT - 2 * HOUR, 30, 40, 1),
    ],
    # three posts of 11 interactions, then one of 553: 50.3x the account's usual
    "southbank.bsky.social": [
        (NIGHT - 20 * DAY, 10, 0, 1),
        (NIGHT - 12 * DAY, 10, 0, 1),
        (NIGHT - 8 * DAY, 10, 0, 1),
        (NIGHT - 2 * HOUR, 500, 3, 50),
    ],
    "cedar.bsky.social": [],
}


class AlertWorld(World):
    """Bluesky answers with the counts above; every Mastodon call fails, night after night."""

    def _profiles(self, seen) -> Reply:
        night = NIGHTS.index(self.night)
        actors = seen.query["actors"]
        actors = actors if isinstance(actors, list) else [actors]
        return Reply(
            {
                "profiles": [
                    {
                        "did": _did(h),
                        "handle": h,
                        "followersCount": FOLLOWERS[h][night],
                        "followsCount": 10,
                        "postsCount": 100,
                    }
                    for h in actors
                    if h in FOLLOWERS
                ]
            }
        )

    def _feed(self, seen) -> Reply:
        handle = next(h for h in FOLLOWERS if _did(h) == seen.query["actor"])
        feed = []
        for n, (when, likes, replies, reposts) in enumerate(POSTS[handle]):
            if when >= self.night:
                continue
            at = _stamp(when)
            post = {
                "uri": f"at://{_did(handle)}/app.bsky.feed.post/3q{n:010d}",
                "cid": f"bafy{n}",
                "author": {"did": _did(handle), "handle": handle},
                "record": {"$type": "app.bsky.feed.post", "createdAt": at, "text": f"post {n}"},
                "replyCount": replies,
                "repostCount": reposts,
                "likeCount": likes,
                "quoteCount": 0,
                "indexedAt": at,
            }
            feed.append({"post": post})
        return Reply({"feed": feed})

    def _lookup(self, seen) -> Reply:
        return Reply({"error": "Internal server error"}, 500)

    def _statuses(self, seen) -> Reply:
        return Reply({"error": "Internal server error"}, 500)


@pytest.fixture(scope="session")
def alert_db(tmp_path_factory) -> Path:
    """Three nights: a flagged post of Northwind's, a breakout post of South Bank's, South Bank
    taking Bluesky's first place, and Mastodon failing every night. Read it only."""
    world = AlertWorld(tmp_path_factory.mktemp("alerts"))
    try:
        world.cli("init")
        world.registry(REGISTRY)
        for night in NIGHTS:
            world.collect(night)
    finally:
        world.close()
    return world.paths.db


class Webhooks:
    """A local webhook receiver: POST bodies by path; a path in `failing` answers 500."""

    def __init__(self) -> None:
        self.received: dict[str, list[dict]] = {}
        self.failing: set[str] = set()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path in hooks.failing:
                    self.send_response(500)
                    self.end_headers()
                    return
                hooks.received.setdefault(self.path, []).append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhooks():
    hooks = Webhooks()
    yield hooks
    hooks.close()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), made by openssl for this session."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


SMTP_USER, SMTP_PASSWORD = "alerts@bank.example", "smtp-SECRET-pass-42"


@pytest.fixture
def smtp(certificate):
    """aiosmtpd on 127.0.0.1 that requires STARTTLS before anything and a login (one user)."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox()

    def authenticate(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        box.logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    with socket.socket() as probe:  # a free port: the controller checks it is up by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    box.port = port
    yield box
    controller.stop()
