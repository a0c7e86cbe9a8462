"""`discover`: official accounts from an institution's website, politely and safely."""

from __future__ import annotations

import gzip

import pyarrow.parquet as pq

from collectors.discover import Candidate, choose_accounts, discover, parse_page
from tests.support.collector_fakes import FIXTURES, Reply, write_registry
from warehouse.inputs.registry import Institution, load_registry
from warehouse.inputs.targets import collection_targets
from warehouse.landing.runs import complete_runs

HTML = {"Content-Type": "text/html; charset=utf-8"}
ROBOTS = "User-agent: *\nDisallow: /blocked\n\nUser-agent: otherbot\nDisallow: /\n"


def page(name: str) -> Reply:
    return Reply((FIXTURES / "website" / name).read_text(), headers=HTML)


def site(server):
    server.route("/robots.txt", Reply(ROBOTS, headers={"Content-Type": "text/plain"}))
    server.route("/", page("home.html"))
    server.route("/about-us/", page("about.html"))
    server.route("/old", Reply("", 301, {"Location": "/new"}))
    server.route(
        "/new",
        Reply('<footer><a href="https://twitter.com/RedirectBank">x</a></footer>', headers=HTML),
    )
    server.route("/blocked/", page("home.html"))
    server.route("/go-private", Reply("", 302, {"Location": "http://10.0.0.1/admin"}))
    server.route("/go-metadata", Reply("", 302, {"Location": "http://169.254.169.254/latest/meta-data/"}))
    server.route("/loop", Reply("", 302, {"Location": "/loop"}))


def institution(iid: str, website: str) -> dict:
    return {
        "institution_id": iid,
        "name": f"{iid.title()} Bank",
        "kind": "bank",
        "country": "GB",
        "website": website,
    }


def test_home_and_about_page(server, client, paths):
    site(server)
    write_registry(paths, [institution("northwind", server.url + "/")])
    result = discover(paths, allow_loopback=True, client=client, log=lambda _: None)
    found = {(a.platform, a.handle): a.found_on for a in result.found}
    home, about = server.url + "/", server.url + "/about-us/"
    assert found == {
        ("bluesky", "northwind.bsky.social"): home,
        ("mastodon", "news@bank.example"): home,
        ("youtube", "@northwindbank"): home,
        ("x", "northwindbank"): home,
        ("facebook", "northwindbank"): home,
        ("instagram", "northwindbank"): home,
        ("linkedin", "company/northwind-bank"): about,
        ("tiktok", "northwindbank"): about,
    }
    assert result.stats["institutions"] == ["northwind"]
    (run,) = complete_runs(paths.landing)
    assert run.manifest["kind"] == "discover" and run.manifest["stats"]["institutions"] == ["northwind"]
    rows = pq.read_table(run.file("accounts")).to_pylist()
    assert {r["found_via"] for r in rows} == {"discovered"}
    assert next(r for r in rows if r["platform"] == "x")["url"] == "https://x.com/northwindbank"
    raw = [gzip.decompress(p.read_bytes()) for p in sorted((run.path / "raw" / "website").iterdir())]
    assert len(raw) == 2 and b"Northwind wins award" in raw[0]
    assert server.requests_to("/robots.txt") and "finsocial/" in server.seen[0].headers["User-Agent"]


def test_discovered_accounts_become_targets_unless_the_registry_has_the_platform(server, client, paths):
    site(server)
    write_registry(paths, [{**institution("northwind", server.url + "/"), "x": "@NorthwindHQ"}])
    discover(paths, allow_loopback=True, client=client, log=lambda _: None)
    targets = {
        (t.platform, t.handle): t for t in collection_targets(load_registry(paths.registry), paths.landing)
    }
    assert ("x", "northwindhq") in targets and ("x", "northwindbank") not in targets
    assert targets[("bluesky", "northwind.bsky.social")].found_via == "discovered"
    assert targets[("bluesky", "northwind.bsky.social")].found_on == server.url + "/"


def test_redirects_robots_and_private_addresses(server, client, paths):
    site(server)
    write_registry(
        paths,
        [
            institution("moved", server.url + "/old"),
            institution("blocked", server.url + "/blocked/"),
            institution("sneaky", server.url + "/go-private"),
            institution("metadata", server.url + "/go-metadata"),
            institution("loopy", server.url + "/loop"),
        ],
    )
    lines: list[str] = []
    result = discover(paths, allow_loopback=True, client=client, log=lines.append)
    assert [(a.institution_id, a.platform, a.handle, a.found_on) for a in result.found] == [
        ("moved", "x", "redirectbank", server.url + "/new")
    ]
    assert result.stats["institutions"] == ["moved"]
    (run,) = complete_runs(paths.landing)
    assert run.manifest["status"] == "partial"
    errors = {e["institution_id"]: e for e in pq.read_table(run.file("errors")).to_pylist()}
    assert set(errors) == {"blocked", "sneaky", "metadata", "loopy"}
    assert all(e["platform"] == "website" for e in errors.values())
    assert "robots.txt" in errors["blocked"]["message"]
    assert "10.0.0.1" in errors["sneaky"]["message"] and "non-public" in errors["sneaky"]["message"]
    assert "169.254.169.254" in errors["metadata"]["message"]
    assert "redirects" in errors["loopy"]["message"]
    # The blocked page and the private targets were never requested.
    assert not server.requests_to("/blocked/")


def test_loopback_refused_unless_allowed(server, client, paths):
    site(server)
    write_registry(paths, [institution("northwind", server.url + "/")])
    result = discover(paths, client=client, log=lambda _: None)
    assert result.found == [] and result.stats["institutions"] == []
    assert not server.seen  # refused before any connection


def test_page_too_large_and_not_html(server, paths, sleeps):
    from collectors.http import HttpClient

    small = HttpClient(
        timeout=(1, 0.4), max_retries=0, max_bytes=1000, sleep=sleeps.append, limits_enabled=False
    )
    server.route("/robots.txt", Reply("", 404))
    server.route("/big", Reply("<html>" + "x" * 5000, headers=HTML))
    server.route("/pdf", Reply(b"%PDF-1.4", headers={"Content-Type": "application/pdf"}))
    write_registry(paths, [institution("big", server.url + "/big"), institution("pdf", server.url + "/pdf")])
    discover(paths, allow_loopback=True, client=small, log=lambda _: None)
    (run,) = complete_runs(paths.landing)
    errors = {e["institution_id"]: e for e in pq.read_table(run.file("errors")).to_pylist()}
    assert "cap" in errors["big"]["message"] and errors["pdf"]["kind"] == "parse_error"


def test_choose_accounts_keeps_only_the_institutions_own():
    inst = Institution("northwind", "Northwind Bank", "bank", "GB", "https://www.northwind.example/")
    body = [
        Candidate("x", "somejournalist", "p", 1),
        Candidate("x", "northwindhelp", "p", 1),
        Candidate("facebook", "partnerco", "p", 1),
    ]
    chosen = {(c.platform, c.handle) for c in choose_accounts(body, inst)}
    assert chosen == {("x", "northwindhelp")}


def test_parse_page_reads_json_ld_and_skips_share_links():
    html = (FIXTURES / "website" / "home.html").read_text()
    candidates, about = parse_page(html, "https://www.northwind.example/")
    handles = {(c.platform, c.handle, c.score) for c in candidates}
    assert ("bluesky", "northwind.bsky.social", 3) in handles
    assert ("x", "somejournalist", 1) in handles and ("x", "partnerco", 1) not in handles
    assert not any(c.platform == "linkedin" for c in candidates)
    assert about == ["https://www.northwind.example/about-us/"]
