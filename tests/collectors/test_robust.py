"""Collectors on bad days: secrets in every encoding stay out, error bodies of any shape are read."""

from __future__ import annotations

import gzip
import json
import re
from urllib.parse import quote, quote_plus

import pyarrow.parquet as pq
import pytest
import requests

from collectors import COLLECTOR_BY_PLATFORM
from collectors.http import CollectError, Fetched, HttpClient, secret_forms
from collectors.run import collect
from localservers import TOKENS
from tests.collectors.test_run import NORTHWIND, serve_all
from tests.support.collector_fakes import NOW, Reply, make_collector, target, write_registry

# tokens as platforms issue them: base64 with + / =, and one with a literal %
HARD_TOKENS = {
    "FINSOCIAL_FACEBOOK_TOKEN": "EAAB+fb/tok=SECRET%41==",
    "FINSOCIAL_X_BEARER_TOKEN": "AAAA%2Bx+bearer/SECRET=",
}


def every_form(token: str) -> set[str]:
    return {
        token,
        quote(token, safe=""),
        quote(token),
        quote_plus(token),
        re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(token, safe="")),
        json.dumps(token)[1:-1].replace("/", "\\/"),
    }


def test_every_encoding_of_a_secret_is_redacted():
    token = HARD_TOKENS["FINSOCIAL_FACEBOOK_TOKEN"]
    client = HttpClient(secrets=[token])
    for form in every_form(token):
        assert client.redact(f"before {form} after") == "before *** after", form
    assert set(secret_forms(token)) >= every_form(token)


def test_a_token_with_plus_slash_equals_percent_never_lands(server, client, env, paths):
    write_registry(paths, [NORTHWIND])
    serve_all(server)
    env.update(HARD_TOKENS)
    fb, x = HARD_TOKENS["FINSOCIAL_FACEBOOK_TOKEN"], HARD_TOKENS["FINSOCIAL_X_BEARER_TOKEN"]
    # a platform echoes the request it got: the token as it travelled, percent- and form-encoded
    echo_fb = Reply(
        {
            "error": {
                "message": f"bad request ?access_token={quote(fb, safe='')} or {quote_plus(fb)}",
                "code": 1,
            }
        },
        400,
    )
    lower = re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(x, safe=""))
    echo_x = Reply({"title": f"Unauthorized {lower} {x}", "detail": quote(x)}, 403)
    server.routes.insert(0, ("/v21.0/northwindbank", None, [echo_fb]))
    server.routes.insert(0, ("/2/users/by", None, [echo_x]))
    lines: list[str] = []
    collect(paths, platforms=["facebook", "x"], client=client, now=NOW, env=env, log=lines.append)
    blobs = [p.read_bytes() for p in paths.landing.rglob("*") if p.is_file()]
    text = "\n".join(
        (gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b).decode("utf-8", "replace") for b in blobs
    )
    for table in paths.landing.rglob("*.parquet"):
        text += json.dumps(pq.read_table(table).to_pylist(), default=str)
    (errors,) = paths.landing.rglob("errors.parquet")
    messages = sorted(r["message"] for r in pq.read_table(errors).to_pylist())
    assert len(messages) == 2 and "access_token=*** or ***" in messages[0]  # kept, redacted
    for token in (fb, x):
        for form in every_form(token):
            assert form not in text, form
            assert not any(form in line for line in lines), form
    # the request really carried the token, so the test would see a leak
    assert any(fb in str(s.query) or fb in s.url for s in server.seen)


# -- error bodies of any JSON shape ---------------------------------------------------------------

ODD_ERRORS = [
    {"error": {"name": "NotFound"}, "message": "x"},
    {"error": ["AuthMissing"]},
    {"error": 7},
    {"error": None, "message": {"nested": True}},
    {"error": {"code": [4], "error_subcode": {"a": 1}, "message": ["m"]}},
    {"error": {"errors": {"reason": "quotaExceeded"}, "message": 5}},
    {"error": {"errors": [{"reason": ["keyInvalid"]}, 3, None]}},
    {"error": "a string"},
    {"errors": 5, "title": None},
    {"errors": [{"value": ["x"], "detail": {}}]},
    [],
    "just text",
    None,
    12.5,
]


# An odd body names nothing the platform documents, so each platform reads the status alone, as
# it reads that status: Mastodon's closed instances answer 401/403 and a deleted account 410;
# Graph (Facebook, Instagram) names a refused token or a missing page by its error code, not by
# 403 or 404; the others take 401/403 as refused credentials and 404 as not found.
STATUS_KINDS = {
    "bluesky": {401: "auth_missing", 403: "auth_missing", 404: "not_found"},
    "mastodon": {401: "private", 403: "private", 404: "not_found", 410: "not_found"},
    "youtube": {401: "auth_missing", 403: "auth_missing", 404: "not_found"},
    "x": {401: "auth_missing", 403: "auth_missing", 404: "not_found"},
    "facebook": {401: "auth_missing"},
    "instagram": {401: "auth_missing"},
}


@pytest.mark.parametrize("platform", sorted(COLLECTOR_BY_PLATFORM))
@pytest.mark.parametrize("payload", ODD_ERRORS, ids=[json.dumps(p)[:30] for p in ODD_ERRORS])
@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_error_bodies_of_any_shape_are_read(platform, payload, status):
    collector = make_collector(COLLECTOR_BY_PLATFORM[platform], HttpClient(), TOKENS)
    fetched = Fetched(
        status, requests.structures.CaseInsensitiveDict(), json.dumps(payload).encode(), "https://h/"
    )
    error = collector.error_for(fetched, payload)
    assert isinstance(error, CollectError)
    assert error.kind == STATUS_KINDS[platform].get(status, "http_error")
    assert error.http_status == status
    assert "https://h/" in error.message and "None" not in error.message


class OneAnswerClient(HttpClient):
    """Every request gets the same answer: the profile lookup sees it as it is."""

    def __init__(self, status: int, payload: object):
        super().__init__(limits_enabled=False)
        self.answer = Fetched(
            status, requests.structures.CaseInsensitiveDict(), json.dumps(payload).encode(), "https://h/x"
        )

    def get(self, url, **kwargs) -> Fetched:
        return self.answer


HANDLES = {
    "bluesky": "northwind.bsky.social",
    "mastodon": "@news@bank.example",
    "youtube": "UCnorthwindBank000000000",
    "x": "NorthwindBank",
    "facebook": "northwindbank",
    "instagram": "northwindbank",
}


@pytest.mark.parametrize("platform", sorted(COLLECTOR_BY_PLATFORM))
@pytest.mark.parametrize("payload", ODD_ERRORS, ids=[json.dumps(p)[:30] for p in ODD_ERRORS])
@pytest.mark.parametrize("status", [200, 400])
def test_a_profile_lookup_of_any_shape_ends_in_an_account_error(platform, payload, status):
    collector = make_collector(COLLECTOR_BY_PLATFORM[platform], OneAnswerClient(status, payload), TOKENS)
    (outcome,) = collector.collect([target(platform, HANDLES[platform])])  # no exception escapes
    assert outcome.error is not None and outcome.error.kind in (
        "parse_error",
        "not_found",
        "private",
        "auth_missing",
        "http_error",
        "rate_limited",
    )


# -- Instagram business_discovery pages on the `after` cursor -------------------------------------


def media_page(start: int, count: int, after: str | None) -> dict:
    """A business_discovery answer shaped as the reference documents it: cursors, no `next` URL."""
    data = [
        {
            "id": f"1790000000000{i:04d}",
            "timestamp": f"2026-02-{28 - i // 6:02d}T{10 + i % 6:02d}:00:00+0000",
            "permalink": f"https://www.instagram.com/p/{i:06d}/",
            "media_product_type": "FEED",
            "like_count": 10 + i,
            "comments_count": 1,
        }
        for i in range(start, start + count)
    ]
    media = {
        "data": data,
        "paging": {"cursors": {"before": f"b{start}", **({"after": after} if after else {})}},
    }
    return {
        "business_discovery": {"id": "17841400000000777", "followers_count": 5000, "media": media},
        "id": "17841400000000001",
    }


def test_instagram_reads_every_media_page_in_the_window_on_the_after_cursor(server, client, env):
    from collectors.instagram import InstagramCollector

    ig = "/v21.0/" + TOKENS["FINSOCIAL_INSTAGRAM_USER_ID"]
    server.route(ig, media_page(100, 20, "c3"), when=lambda q: "media.after(c2)" in q["fields"])
    server.route(ig, media_page(50, 50, "c2"), when=lambda q: "media.after(c1)" in q["fields"])
    server.route(
        ig, {"business_discovery": {"media": {"data": []}}}, when=lambda q: "media.after(c3)" in q["fields"]
    )
    server.route(ig, media_page(0, 50, "c1"))
    (north,) = make_collector(InstagramCollector, client, env).collect([target("instagram", "northwindbank")])
    assert north.error is None
    # 120 media in 28 days: all of them, not the newest 50 (posts_per_week 30, not 12.5)
    assert len(north.posts) == 120 and len({p.post_id for p in north.posts}) == 120
    fields = [s.query["fields"] for s in server.requests_to(ig)]
    assert len(fields) == 4 and all("paging" not in f for f in fields)
    assert [f.split("media.after(")[1][:2] for f in fields[1:]] == ["c1", "c2", "c3"]


def test_instagram_stops_on_a_repeated_cursor(server, client, env):
    from collectors.instagram import InstagramCollector

    ig = "/v21.0/" + TOKENS["FINSOCIAL_INSTAGRAM_USER_ID"]
    server.route(ig, media_page(0, 50, "same"))  # a server that hands back the same cursor forever
    (north,) = make_collector(InstagramCollector, client, env).collect([target("instagram", "northwindbank")])
    assert len(server.requests_to(ig)) == 2 and len(north.posts) == 50


# -- a full disk, and a date not yet come ----------------------------------------------------------


def test_collect_refuses_a_full_disk_before_any_request(server, client, env, paths, monkeypatch):
    import collections

    from warehouse.infra import files
    from warehouse.infra.files import DiskFull

    write_registry(paths, [NORTHWIND])
    serve_all(server)
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(files.shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 5_000_000, 5_000_000))
    with pytest.raises(DiskFull) as info:
        collect(paths, client=client, now=NOW, env=env, log=lambda _: None)
    assert "no space left on the device of" in str(info.value) and "only 5 MB free" in str(info.value)
    assert server.seen == []  # no API call spent on records that could not be kept
    monkeypatch.setenv("FINSOCIAL_MIN_FREE_MB", "1")
    assert collect(paths, client=client, now=NOW, env=env, log=lambda _: None).status == "complete"


def test_collect_refuses_a_date_in_the_future(server, client, env, paths):
    import datetime as dt

    write_registry(paths, [NORTHWIND])
    with pytest.raises(ValueError, match="--date 2026-03-02 is in the future \\(today is 2026-03-01 UTC\\)"):
        collect(paths, run_date=dt.date(2026, 3, 2), client=client, now=NOW, env=env, log=lambda _: None)
    assert server.seen == []
