"""A real S3-compatible server (SeaweedFS from PyPI) on 127.0.0.1 for the session, and a fresh
s3://finsocial/<prefix> landing zone for each test that asks for one."""

from __future__ import annotations

import secrets

import pytest

from localservers.seaweed import SeaweedServer
from warehouse.landing import store as store_module


@pytest.fixture(scope="session")
def seaweed():
    """weed mini on free ports in a temporary folder, stopped when the session ends."""
    server = SeaweedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_env(seaweed, monkeypatch):
    """The standard AWS variables pointing at the local server, as an operator would set them."""
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in seaweed.env.items():
        monkeypatch.setenv(name, value)
    store_module._stores.clear()  # a client made before these variables would reach elsewhere
    yield seaweed.env
    store_module._stores.clear()


@pytest.fixture
def s3_url(s3_env) -> str:
    """A landing zone of its own: s3://finsocial/<random prefix>."""
    return f"s3://finsocial/test-{secrets.token_hex(4)}/landing"
