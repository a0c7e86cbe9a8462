"""Fixtures for the collector tests: the local server, a fast client, environment, paths."""

from __future__ import annotations

import pytest

from collectors.http import HttpClient
from localservers import TOKENS
from warehouse.infra.paths import DataPaths


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps) -> HttpClient:
    """A client with short timeouts whose backoff sleeps are recorded, not slept."""
    return HttpClient(
        timeout=(1.0, 0.4),
        max_retries=2,
        backoff_base=0.5,
        sleep=sleeps.append,
        limits_enabled=False,
    )


@pytest.fixture
def env(server) -> dict[str, str]:
    base = server.url
    return {
        "FINSOCIAL_BLUESKY_API": base,
        "FINSOCIAL_MASTODON_API": base,
        "FINSOCIAL_YOUTUBE_API": base + "/youtube/v3",
        "FINSOCIAL_X_API": base,
        "FINSOCIAL_FACEBOOK_API": base + "/v21.0",
        "FINSOCIAL_INSTAGRAM_API": base + "/v21.0",
        **TOKENS,
    }


@pytest.fixture
def paths(tmp_path) -> DataPaths:
    return DataPaths(tmp_path / "finsocial.duckdb")
