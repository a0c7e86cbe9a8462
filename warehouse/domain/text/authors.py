"""Keyed author hashes: count unique authors without keeping who they are."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

SECRET_BYTES = 32
MIN_SECRET_BYTES = 16
KEY_BYTES = 16  # 128 bits: no collision among billions of authors, half the width of SHA-256


def author_key(secret: bytes, platform: str, author_id: str) -> str:
    """HMAC-SHA256 of platform and author id under the secret, hex, truncated to KEY_BYTES bytes.
    The same author on the same platform always gets the same key under one secret; without the
    secret the key cannot be traced back (a plain hash of a handle could, by hashing candidates)."""
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"author key secret too short: {len(secret)} bytes, need {MIN_SECRET_BYTES}")
    # A separator no id contains keeps ("ab", "c") and ("a", "bc") apart.
    message = f"{platform.strip().lower()}\x1f{author_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[: 2 * KEY_BYTES]


def load_or_create_secret(path: Path) -> bytes:
    """The secret in path; created first (SECRET_BYTES random bytes, mode 0600, parent folders made)
    if the file does not exist. Losing it changes every author key from then on."""
    path = Path(path)
    try:
        secret = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = os.urandom(SECRET_BYTES)
        try:
            # O_EXCL: two processes starting at once do not both write; the loser reads the winner's.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_secret(path)
        try:
            os.write(fd, secret)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(path, 0o600)  # whatever the umask
        return secret
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(
            f"{path}: author key secret too short ({len(secret)} bytes, need {MIN_SECRET_BYTES})"
        )
    return secret
