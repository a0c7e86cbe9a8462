"""The HTTP layer: waits from headers, redaction, size cap, pacing, address checks."""

from __future__ import annotations

import email.utils

import pytest

from collectors.base import as_count, parse_time
from collectors.http import (
    USER_AGENT,
    CollectError,
    HostLimit,
    HttpClient,
    _Bucket,
    is_public_address,
    parse_reset,
    parse_retry_after,
    redact_url,
    strip_params,
)
from tests.support.collector_fakes import Reply


def test_retry_after_seconds_and_http_date():
    now = 1_800_000_000.0
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(email.utils.formatdate(now + 90, usegmt=True), now) == pytest.approx(90)
    assert parse_retry_after(email.utils.formatdate(now - 90, usegmt=True), now) == 0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_reset_epoch_delta_and_iso():
    now = 1_800_000_000.0
    assert parse_reset(str(int(now) + 300), now) == 300  # X and Bluesky: epoch seconds
    assert parse_reset("45", now) == 45  # IETF RateLimit-Reset: seconds
    assert parse_reset("2027-01-15T08:00:30.000Z", now) == pytest.approx(30)  # Mastodon: ISO time


def test_http_date_retry_after_on_a_real_429(server, client, sleeps):
    when = email.utils.formatdate(client.clock() + 12, usegmt=True)
    server.route("/x", Reply("slow down", 429, {"Retry-After": when}), Reply({"ok": True}))
    assert client.get(server.url + "/x").json() == {"ok": True}
    assert 10 <= sleeps[0] <= 13


def test_user_agent_and_counted_attempts(server, client):
    counted: list = []
    client.on_request = counted.append
    server.route("/x", Reply("", 500), Reply({"ok": 1}))
    client.get(server.url + "/x", platform="bluesky")
    assert counted == ["bluesky", "bluesky"]
    assert server.seen[0].headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("finsocial/") and "(+https://github.com/finsocial/finsocial)" in USER_AGENT


def test_size_cap(server, sleeps):
    small = HttpClient(timeout=(1, 0.4), max_bytes=100, sleep=sleeps.append, limits_enabled=False)
    server.route("/big", Reply("x" * 1000))
    with pytest.raises(CollectError) as caught:
        small.get(server.url + "/big")
    assert caught.value.kind == "http_error" and "cap" in caught.value.message


def test_redaction():
    client = HttpClient(secrets=["s3cr3t-token"])
    assert client.redact("Bearer s3cr3t-token failed") == "Bearer *** failed"
    assert (
        redact_url("https://g.example/v1/x?access_token=abc&fields=id")
        == "https://g.example/v1/x?access_token=%2A%2A%2A&fields=id"
    )
    assert strip_params("https://g.example/p?access_token=abc&after=Q1") == "https://g.example/p?after=Q1"


def test_token_bucket_paces_after_the_burst():
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    bucket = _Bucket(HostLimit(per_second=2, burst=3, concurrency=1), lambda: clock[0], sleep)
    for _ in range(5):
        bucket.acquire()
        bucket.release()
    assert slept == [pytest.approx(0.5), pytest.approx(0.5)]  # three at once, then two a second


def test_address_checks():
    assert is_public_address("127.0.0.1") == (
        False,
        "127.0.0.1 resolves to loopback address 127.0.0.1",
    )
    assert is_public_address("127.0.0.1", allow_loopback=True) == (True, "")
    for private in (
        "10.1.2.3",
        "192.168.0.1",
        "172.16.5.4",
        "169.254.169.254",
        "0.0.0.0",
        "::1",
        "fe80::1",
    ):
        assert not is_public_address(private, allow_loopback=False)[0], private
    # allow_loopback does not open private ranges
    assert not is_public_address("192.168.0.1", allow_loopback=True)[0]


def test_counts_and_times():
    assert as_count("12") == 12 and as_count(5) == 5 and as_count(-1) is None and as_count(None) is None
    assert as_count(True) is None
    with pytest.raises(CollectError):
        as_count("1.2M")
    assert parse_time("2026-02-26T09:00:00+0000").isoformat() == "2026-02-26T09:00:00+00:00"
    assert parse_time("2026-02-26T09:00:00.000Z").isoformat() == "2026-02-26T09:00:00+00:00"
    with pytest.raises(CollectError):
        parse_time("yesterday")
