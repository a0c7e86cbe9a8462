"""One build at a time across machines: a lease object on the shared landing zone, taken with a
conditional create (If-None-Match), renewed and released with conditional writes (If-Match)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator

from warehouse.landing.store import S3Store

LEASE_KEY = "lease/build.json"
# a holder renews every third of this; a machine that died loses the lease this long after
DEFAULT_TTL = 300.0
TTL_ENV = "FINSOCIAL_LEASE_SECONDS"
WAIT_ENV = "FINSOCIAL_LOCK_WAIT"  # the same wait as the local writer lock's
DEFAULT_WAIT = 600.0


class LeaseBusy(Exception):
    """Another machine holds the build lease and did not let go in time."""


class LeaseLost(Exception):
    """This machine's lease expired and another took it: what it wrote must not be published."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Lease:
    """A held lease: renewed in the background until released."""

    def __init__(self, store: S3Store, command: str, ttl: float):
        self.store, self.ttl = store, ttl
        self.holder = f"{socket.gethostname()} pid {os.getpid()} ({command})"
        self.token = secrets.token_hex(8)
        self.etag: str | None = None
        self.lost: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def body(self) -> bytes:
        now = _now()
        return json.dumps(
            {
                "holder": self.holder,
                "token": self.token,
                "renewed_at": now.isoformat(timespec="seconds"),
                "expires_at": (now + dt.timedelta(seconds=self.ttl)).isoformat(timespec="seconds"),
            }
        ).encode()

    def renew(self) -> bool:
        etag = self.store.replace_if(LEASE_KEY, self.body(), self.etag or "")
        if etag is None:
            self.lost = f"the lease {self.store.where(LEASE_KEY)} was taken over by another machine"
            return False
        self.etag = etag
        return True

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                if not self.renew():
                    return
            except Exception:  # noqa: S112 (the store unreachable a moment: the next round tries again)
                continue

    def check(self) -> None:
        """Raise LeaseLost when another machine took the lease over (before publishing)."""
        if self.lost:
            raise LeaseLost(self.lost)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._renew_loop, name="lease-renewal", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.etag and not self.lost:
            self.store.delete_if(LEASE_KEY, self.etag)


def _describe(text: bytes) -> tuple[str, dt.datetime | None]:
    try:
        held = json.loads(text)
        return str(held.get("holder", "?")), dt.datetime.fromisoformat(held["expires_at"])
    except (ValueError, KeyError, TypeError):
        return "an unreadable lease", None  # damaged: treated as expired


@contextlib.contextmanager
def build_lease(
    store: S3Store,
    command: str,
    wait: float | None = None,
    ttl: float | None = None,
    log: Callable[[str], None] = print,
) -> Iterator[Lease]:
    """Hold the landing zone's build lease for a command that changes what every machine sees
    (a build and its publish, compaction, retract, restore). An expired lease (its holder died)
    is taken over with a conditional replace, so two machines never both take it."""
    ttl = ttl if ttl is not None else float(os.environ.get(TTL_ENV) or DEFAULT_TTL)
    wait = wait if wait is not None else float(os.environ.get(WAIT_ENV) or DEFAULT_WAIT)
    lease = Lease(store, command, ttl)
    deadline = time.monotonic() + wait
    told = False
    while True:
        etag = store.create_tagged(LEASE_KEY, lease.body())
        if etag is not None:
            lease.etag = etag
            break
        try:
            text, held_etag = store.read_tagged(LEASE_KEY)
        except FileNotFoundError:
            continue  # released between our create and our read: try again
        holder, expires = _describe(text)
        if expires is None or expires < _now():
            etag = store.replace_if(LEASE_KEY, lease.body(), held_etag)
            if etag is not None:
                log(
                    f"took over the build lease of {holder}, which expired at {expires}; it is no longer renewed"
                )
                lease.etag = etag
                break
            continue  # another machine took it over first
        if time.monotonic() >= deadline:
            raise LeaseBusy(
                f"{store.where(LEASE_KEY)} is held by {holder} until {expires:%Y-%m-%d %H:%M:%S} UTC; "
                f"gave up after {wait:g}s (set {WAIT_ENV} to wait longer)"
            )
        if not told:
            log(f"waiting up to {wait:g}s for {holder} (the build lease) to finish")
            told = True
        time.sleep(min(2.0, max(0.2, wait / 50)))
    lease.start()
    try:
        yield lease
    finally:
        lease.release()
