"""A store that accepts connections and never answers: a command fails promptly, names the store,
and makes no more attempts than it is allowed (it used to wait 5 x 120 s)."""

from __future__ import annotations

import socket
import threading

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from warehouse.landing import store as store_module
from warehouse.landing.store import StoreError, open_store


class SilentServer:
    """127.0.0.1 on a free port: accepts every connection, reads what comes, never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent(monkeypatch):
    server = SilentServer()
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_SESSION_TOKEN", "FINSOCIAL_LANDING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("FINSOCIAL_S3_TIMEOUT", "0.5")
    store_module._stores.clear()
    yield server
    store_module._stores.clear()
    server.close()


@pytest.mark.timeout(60)
def test_a_silent_store_times_out_within_the_attempts_allowed(silent, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    store = open_store("s3://finsocial/silent", tmp_path / "cache")
    with pytest.raises(StoreError, match=r"^s3://finsocial/silent: cannot list: Read timeout on endpoint"):
        store.scan("")
    assert len(silent.accepted) == 2  # two attempts in all, as AWS_MAX_ATTEMPTS says


@pytest.mark.timeout(60)
def test_a_build_on_a_silent_store_exits_non_zero_naming_it(silent, tmp_path):
    db = tmp_path / "data" / "finsocial.duckdb"
    result = CliRunner().invoke(cli, ["--db", str(db), "--landing", "s3://finsocial/silent", "build"])
    assert result.exit_code == 1, result.output
    assert "error: s3://finsocial/silent/lease/build.json: cannot create: Read timeout" in result.output
    assert "Traceback" not in result.output
    assert len(silent.accepted) == 3  # the default: three attempts in all
    assert not db.exists()


def test_a_bad_timeout_is_named(silent, tmp_path, monkeypatch):
    monkeypatch.setenv("FINSOCIAL_S3_TIMEOUT", "soon")
    store = open_store("s3://finsocial/silent", tmp_path / "cache")
    with pytest.raises(StoreError, match="FINSOCIAL_S3_TIMEOUT='soon': not a positive number"):
        store.scan("")
