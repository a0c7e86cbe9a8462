"""The collection benchmark's local platforms: answers every collector reads whole, refusals in each
platform's own form."""

from __future__ import annotations

import pytest
import requests

from benchmarks import collection
from collectors.http import UNLIMITED


@pytest.mark.parametrize(
    ("platform", "requests_made"),
    [
        ("bluesky", {"getProfiles": 1, "getAuthorFeed": 3}),
        ("mastodon", {"/api/v1/accounts/lookup": 3, "/api/v1/accounts/:id/statuses": 3}),
        ("youtube", {"/youtube/v3/channels": 1, "/youtube/v3/playlistItems": 3, "/youtube/v3/videos": 3}),
        ("x", {"/2/users/by": 1, "/2/users/:id/tweets": 3}),
        ("facebook", {"/v21.0/": 1}),
        ("instagram", {"/v21.0/:id": 3}),
    ],
)
def test_every_collector_reads_the_synthetic_platform_whole(platform, requests_made):
    with collection.pacing(platform, UNLIMITED, ()):
        run = collection.measure(platform, 3, latency=0.0, log=lambda m: None)
    assert (run["status"], run["collected"], run["refused"]) == ("complete", 3, 0)
    assert run["requests_by_call"] == requests_made


def test_over_the_limit_each_platform_refuses_in_its_own_form():
    one_a_minute = collection.Published("1 a minute", "", "rate", (collection.Window(1, 60),))
    refusals = {}
    for platform in ("bluesky", "mastodon", "x", "youtube", "facebook"):
        server = collection.PlatformServer(platform, 0.0, one_a_minute)
        try:
            requests.get(server.url + "/anything", timeout=5)
            refusals[platform] = requests.get(server.url + "/anything", timeout=5)
        finally:
            server.close()
    assert refusals["bluesky"].status_code == 429
    assert refusals["bluesky"].headers["retry-after"] == "60"
    assert refusals["mastodon"].status_code == 429
    assert refusals["mastodon"].headers["X-RateLimit-Reset"].endswith(".000Z")  # ISO 8601
    assert refusals["x"].status_code == 429
    assert "retry-after" not in refusals["x"].headers  # X sends only its reset time
    assert int(refusals["x"].headers["x-rate-limit-reset"]) > 1_000_000_000
    assert refusals["youtube"].json()["error"]["errors"][0]["reason"] == "quotaExceeded"
    assert (refusals["facebook"].status_code, refusals["facebook"].json()["error"]["code"]) == (403, 32)
