"""Keyed author hashes and their secret file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from warehouse.domain.text import author_key, load_or_create_secret

SECRET = b"k" * 32


def test_author_key_known_value() -> None:
    # printf 'bluesky\x1fdid:plc:abc' | openssl dgst -sha256 -hmac kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
    assert author_key(SECRET, "bluesky", "did:plc:abc") == "b99fb55967ea7bcf54e089c6d1e02238"
    assert author_key(SECRET, " Bluesky ", "did:plc:abc") == "b99fb55967ea7bcf54e089c6d1e02238"


def test_author_key_depends_on_secret_platform_and_author() -> None:
    key = author_key(SECRET, "bluesky", "did:plc:abc")
    assert author_key(SECRET, "bluesky", "did:plc:abc") == key
    assert author_key(b"j" * 32, "bluesky", "did:plc:abc") != key
    # printf 'mastodon\x1fdid:plc:abc' | openssl dgst -sha256 -hmac kkkk...
    assert author_key(SECRET, "mastodon", "did:plc:abc") == "2d422aa6b6aa45d37ce52909e5754fa3"
    assert author_key(SECRET, "bluesky", "did:plc:abd") != key
    assert author_key(SECRET, "blue", "skydid:plc:abc") != key


def test_short_secret_refused() -> None:
    with pytest.raises(ValueError, match="too short"):
        author_key(b"short", "x", "1")


def test_secret_created_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "data" / "author_key.secret"
    secret = load_or_create_secret(path)
    assert len(secret) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == secret
    assert load_or_create_secret(path) == secret
    assert load_or_create_secret(tmp_path / "other.secret") != secret


def test_truncated_secret_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "author_key.secret"
    path.write_bytes(b"tiny")
    with pytest.raises(ValueError, match="too short"):
        load_or_create_secret(path)
