"""Fakes for the collector tests: a threaded local HTTP server on 127.0.0.1 and helpers."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from localservers import LocalServer
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import REQUIRED_COLUMNS
from warehouse.inputs.targets import Target
from warehouse.landing.records import API_PLATFORMS

FIXTURES = Path(__file__).resolve().parent.parent / "collectors" / "fixtures"
# Every fixture's dates are written relative to this moment; the 28-day window starts 2026-02-01.
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def fixture(*parts: str) -> object:
    return json.loads((FIXTURES.joinpath(*parts)).read_text())


@dataclass
class Reply:
    """One recorded answer: status, body, headers, and bad-day options."""

    body: object = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a timeout when above the client's)
    truncate: bool = False  # promise more bytes than are sent, then hang up


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    headers: dict
    url: str
    body: object = None  # a POST's JSON body


class FakeServer(LocalServer):
    """Routes by path (and an optional query predicate); each route plays its replies in order,
    the last one repeating."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, Callable[[dict], bool] | None, list]] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        super().__init__()

    def route(self, path: str, *replies: object, when: Callable[[dict], bool] | None = None) -> None:
        self.routes.append((path, when, list(replies)))

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {
            k: v if len(v) > 1 else v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()
        }
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        seen = Seen(handler.command, parts.path, query, dict(handler.headers), handler.path, body)
        with self.lock:
            self.seen.append(seen)
            reply: object = Reply({"error": "no route"}, 404)
            for path, when, replies in self.routes:
                if path == parts.path and (when is None or when(query)):
                    reply = replies.pop(0) if len(replies) > 1 else replies[0]
                    break
        if callable(reply):
            reply = reply(seen)
        if not isinstance(reply, Reply):
            reply = Reply(reply)
        body = reply.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        body = body.replace(b"{BASE}", self.url.encode())
        if reply.delay:
            time.sleep(reply.delay)
        try:
            handler.send_response(reply.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
            for name, value in headers.items():
                handler.send_header(name, str(value).replace("{BASE}", self.url))
            handler.send_header("Content-Length", str(len(body) + (500 if reply.truncate else 0)))
            if reply.truncate:
                handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()
            if reply.truncate:
                handler.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass


def target(platform: str, handle: str, institution_id: str = "northwind") -> Target:
    from warehouse.domain.handles import profile_url

    return Target(institution_id, platform, handle, profile_url(platform, handle), "registry")


def make_collector(cls, client, env, raw: list | None = None):
    keep = (lambda platform, name, text: raw.append((platform, name, text))) if raw is not None else None
    return cls(client, env=env, now=NOW, keep_raw=keep)


def write_registry(paths: DataPaths, rows: list[dict]) -> None:
    columns = [*REQUIRED_COLUMNS, *API_PLATFORMS]
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(row.get(c, "") for c in columns))
    paths.registry.parent.mkdir(parents=True, exist_ok=True)
    paths.registry.write_text("\n".join(lines) + "\n")
