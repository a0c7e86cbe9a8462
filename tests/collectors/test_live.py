"""Live smoke tests against the real platforms: `pytest -m live`, with credentials set."""

from __future__ import annotations

import os

import pytest

from collectors import COLLECTOR_BY_PLATFORM
from collectors.http import HttpClient
from warehouse.domain.handles import profile_url
from warehouse.inputs.targets import Target

pytestmark = pytest.mark.live

# Long-lived official accounts; a smoke test checks shape, not exact numbers.
ACCOUNTS = {
    "bluesky": "bsky.app",
    "mastodon": "mastodon@mastodon.social",
    "youtube": "@youtube",
    "x": "xdevelopers",
    "facebook": "meta",
    "instagram": "instagram",
}


@pytest.mark.parametrize("platform", list(ACCOUNTS))
def test_live_collect_one_account(platform):
    cls = COLLECTOR_BY_PLATFORM[platform]
    if missing := cls.missing_credentials(os.environ):
        pytest.skip(f"{', '.join(missing)} not set")
    handle = ACCOUNTS[platform]
    collector = cls(HttpClient())
    (outcome,) = collector.collect(
        [Target("live", platform, handle, profile_url(platform, handle), "registry")]
    )
    assert outcome.error is None or outcome.error.kind == "private", outcome.error
    assert outcome.snapshot is not None and outcome.snapshot.followers and outcome.snapshot.followers > 1000
