"""`discover` against hostile or broken websites: each page's failure is that page's own."""

from __future__ import annotations

import json
import socket
import time

import pyarrow.parquet as pq
import pytest
import urllib3

from collectors.discover import MAX_ACCOUNTS_PER_PLATFORM, discover, json_depth, parse_page
from collectors.http import CollectError, HttpClient
from localservers.server import LocalServer
from tests.collectors.test_discover import HTML, institution, page
from tests.support.collector_fakes import FakeServer, Reply, write_registry
from warehouse.inputs.registry import load_registry, parse_registry, registry_csv
from warehouse.inputs.targets import collection_targets
from warehouse.landing.runs import complete_runs

NO_ROBOTS = Reply("", 404)


class RecordingClient(HttpClient):
    """Records every URL asked for before it is requested."""

    def __init__(self, **kw):
        super().__init__(timeout=(1.0, 1.0), max_retries=0, limits_enabled=False, **kw)
        self.asked: list[str] = []

    def get(self, url, **kwargs):
        self.asked.append(url)
        return super().get(url, **kwargs)


@pytest.fixture
def other():
    fake = FakeServer()
    yield fake
    fake.close()


def errors_of(paths) -> dict[str, dict]:
    (run,) = complete_runs(paths.landing)
    return {e["institution_id"]: e for e in pq.read_table(run.file("errors")).to_pylist()}


def deep_json_ld(levels: int) -> str:
    return '<script type="application/ld+json">' + "[" * levels + "]" * levels + "</script>"


def test_json_ld_nested_2000_deep_is_skipped_and_the_page_still_read(server, paths):
    server.route("/robots.txt", NO_ROBOTS)
    footer = '<footer><a href="https://twitter.com/DeepBank">x</a></footer>'
    server.route("/", Reply(deep_json_ld(2000) + footer, headers=HTML))
    write_registry(paths, [institution("deep", server.url + "/")])
    result = discover(paths, allow_loopback=True, client=RecordingClient(), log=lambda _: None)
    assert [(a.institution_id, a.handle) for a in result.found] == [("deep", "deepbank")]
    with pytest.raises(RecursionError):
        json.loads("[" * 2000 + "]" * 2000)  # what the page did to the old parser
    assert parse_page(deep_json_ld(100_000), "https://deep.example/") == ([], [])


def test_json_depth_counts_brackets_outside_strings():
    assert json_depth('{"a": [1, {"b": "[[[["}]}', 10) == 3
    assert json_depth('["\\"[[["]', 10) == 1
    assert json_depth("[" * 500, 64) == 65  # stops counting past the limit


def test_a_page_that_breaks_the_parser_is_that_institutions_error(server, paths, monkeypatch):
    from collectors import discover as discover_module

    server.route("/robots.txt", NO_ROBOTS)
    server.route("/", page("home.html"))
    write_registry(paths, [institution("broken", server.url + "/"), institution("fine", server.url + "/")])
    real = discover_module.parse_page
    calls = []

    def parse_once_broken(html, url):
        calls.append(url)
        if len(calls) == 1:
            raise RecursionError("maximum recursion depth exceeded")
        return real(html, url)

    monkeypatch.setattr(discover_module, "parse_page", parse_once_broken)
    result = discover(paths, allow_loopback=True, client=RecordingClient(), log=lambda _: None)
    assert result.stats["institutions"] == ["fine"]
    assert "RecursionError" in errors_of(paths)["broken"]["message"]


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/robots.txt"])
def test_robots_txt_redirected_to_a_private_address_is_refused_before_connecting(
    other, paths, target, monkeypatch
):
    connected: list[tuple] = []
    real_connect = urllib3.util.connection.create_connection

    def recording_connect(address, *args, **kwargs):
        connected.append(address)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", recording_connect)
    other.route("/robots.txt", Reply("", 302, {"Location": target}))
    other.route("/", page("home.html"))
    write_registry(paths, [institution("sneaky", other.url + "/")])
    client = RecordingClient()
    result = discover(paths, allow_loopback=True, client=client, log=lambda _: None)
    assert result.found == []
    message = errors_of(paths)["sneaky"]["message"]
    assert "robots.txt could not be read" in message and target.split("/")[2] in message
    assert "non-public" in message
    assert client.asked == [other.url + "/robots.txt"]  # the private address was never asked for
    assert [s.path for s in other.seen] == ["/robots.txt"]  # nor the page, robots unknown
    assert connected and {host for host, _ in connected} == {"127.0.0.1"}  # no socket to it either


def test_an_unreachable_host_says_so_not_that_robots_disallow(paths):
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    write_registry(paths, [institution("gone", f"http://127.0.0.1:{port}/")])
    discover(paths, allow_loopback=True, client=RecordingClient(), log=lambda _: None)
    message = errors_of(paths)["gone"]["message"]
    assert "connection failed" in message and "disallows finsocial" not in message


class DripServer(LocalServer):
    """Promises 400 bytes and sends one every 20 ms: no read ever waits long enough to time out."""

    def handle(self, handler) -> None:
        if handler.path == "/robots.txt":
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "400")
        handler.end_headers()
        try:
            for _ in range(400):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.02)
        except (BrokenPipeError, ConnectionResetError):
            pass


def test_a_slow_drip_page_ends_at_the_total_deadline(paths):
    drip = DripServer()
    try:
        write_registry(paths, [institution("drip", drip.url + "/")])
        client = RecordingClient(deadline=0.5)
        discover(paths, allow_loopback=True, client=client, log=lambda _: None)
        message = errors_of(paths)["drip"]["message"]
        assert "no complete answer within 0.5s" in message
        with pytest.raises(CollectError) as info:
            client.get(drip.url + "/")
        assert info.value.kind == "timeout"
    finally:
        drip.close()


def test_the_deadline_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FINSOCIAL_HTTP_DEADLINE", "7.5")
    assert HttpClient().deadline == 7.5
    monkeypatch.setenv("FINSOCIAL_HTTP_DEADLINE", "soon")
    assert HttpClient().deadline == 120.0


def test_thousands_of_same_as_links_are_capped_and_the_export_imports_again(server, paths, tmp_path):
    links = [f"https://twitter.com/bank{i}" for i in range(60_000)]
    links += [f"https://bsky.app/profile/bank{i}.bsky.social" for i in range(3)]
    json_ld = json.dumps({"@type": "BankOrCreditUnion", "sameAs": links})
    server.route("/robots.txt", NO_ROBOTS)
    server.route("/", Reply(f'<script type="application/ld+json">{json_ld}</script>', headers=HTML))
    write_registry(paths, [institution("many", server.url + "/")])
    lines: list[str] = []
    result = discover(paths, allow_loopback=True, client=RecordingClient(), log=lines.append)
    by_platform = {p: [a for a in result.found if a.platform == p] for p in ("x", "bluesky")}
    assert len(by_platform["x"]) == MAX_ACCOUNTS_PER_PLATFORM and len(by_platform["bluesky"]) == 3
    assert result.stats["accounts_over_cap"] == {"many": {"x": 60_000 - MAX_ACCOUNTS_PER_PLATFORM}}
    assert any(f"left out {60_000 - MAX_ACCOUNTS_PER_PLATFORM} x" in line for line in lines)
    # registry export (discovered handles filled in) reads back as the same registry
    institutions = load_registry(paths.registry)
    found: dict[str, tuple[str, ...]] = {}
    for t in collection_targets(institutions, paths.landing):
        found[t.platform] = (*found.get(t.platform, ()), t.handle)
    merged = [institutions[0].__class__(**{**institutions[0].__dict__, "handles": found})]
    exported = tmp_path / "exported.csv"
    exported.write_text(registry_csv(merged))
    assert parse_registry(exported) == merged
