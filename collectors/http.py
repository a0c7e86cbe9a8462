"""One HTTP layer for every collector: timeouts, retries with backoff, per-host limits, size caps."""

from __future__ import annotations

import email.utils
import ipaddress
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import requests
import urllib3

try:
    VERSION = package_version("finsocial")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0.0.0"

USER_AGENT = f"finsocial/{VERSION} (+https://github.com/finsocial/finsocial)"
REDACTED = "***"
# Query parameters that carry credentials on some platform; never kept in a URL we log or land.
SECRET_PARAMS = ("access_token", "key", "api_key", "token", "client_secret")
# The longest one request may take, headers and whole body, whatever the per-read timeout: a
# server that drips a few bytes a second never trips a read timeout, and would hold the writer
# lock for hours. FINSOCIAL_HTTP_DEADLINE (seconds) overrides it.
DEFAULT_DEADLINE = 120.0


class CollectError(Exception):
    """A failure with one of the ERROR_KINDS, safe to show (credentials already redacted)."""

    def __init__(self, kind: str, message: str, http_status: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.http_status = http_status


@dataclass(frozen=True)
class HostLimit:
    """Requests a second (long-run average), burst allowance and parallel requests for one host."""

    per_second: float
    burst: int = 5
    concurrency: int = 2


UNLIMITED = HostLimit(per_second=0.0, burst=1, concurrency=64)


class _Bucket:
    """A token bucket plus a semaphore: the polite pace for one host, shared by all threads."""

    def __init__(self, limit: HostLimit, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.limit = limit
        self.tokens = float(limit.burst)
        self.stamp = clock()
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(limit.concurrency)

    def acquire(self) -> None:
        self.slots.acquire()
        if self.limit.per_second <= 0:
            return
        while True:
            with self.lock:
                now = self.clock()
                self.tokens = min(
                    float(self.limit.burst),
                    self.tokens + (now - self.stamp) * self.limit.per_second,
                )
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.limit.per_second
            self.sleep(wait)

    def release(self) -> None:
        self.slots.release()


@dataclass
class Fetched:
    """A response read whole (within the size cap), with its URL already stripped of secrets."""

    status: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes
    url: str
    links: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a malformed or truncated body is a parse_error, not a crash."""
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise CollectError(
                "parse_error", f"{self.url}: response is not valid JSON ({exc})", self.status
            ) from None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def parse_reset(value: str | None, now: float) -> float | None:
    """Seconds until a rate-limit window resets: epoch seconds (X, Bluesky), delta or ISO 8601
    (Mastodon sends an ISO timestamp)."""
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        from datetime import datetime

        try:
            return max(0.0, datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now)
        except ValueError:
            return None
    # Epoch seconds are large; small numbers are a delta (IETF draft RateLimit-Reset).
    return max(0.0, number - now) if number > 1_000_000_000 else max(0.0, number)


def default_deadline() -> float:
    """FINSOCIAL_HTTP_DEADLINE in seconds, else DEFAULT_DEADLINE."""
    value = os.environ.get("FINSOCIAL_HTTP_DEADLINE", "")
    try:
        return float(value) if value and float(value) > 0 else DEFAULT_DEADLINE
    except ValueError:
        return DEFAULT_DEADLINE


def secret_forms(secret: str) -> list[str]:
    """Every spelling of a secret that can reach a URL, a body or a log, the longest first.

    A token with `+ / = %` leaves as `%2B%2F%3D%25` in a query (requests), `%2b` from other
    encoders, `+` for a space in a form, and `\\/` in JSON that escapes slashes.
    """
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/")}
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), f) for f in set(forms)}
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret)[1:-1].replace("/", "\\/"))
    return sorted(forms, key=len, reverse=True)


def redact_url(url: str) -> str:
    """The URL without credential query parameters."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, REDACTED if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="(){},.@:")))


def strip_params(url: str, names: Iterable[str] = SECRET_PARAMS) -> str:
    """The URL without the named query parameters (paging links that echo a token back)."""
    parts = urlsplit(url)
    drop = {n.lower() for n in names}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in drop]
    return urlunsplit(parts._replace(query=urlencode(query, safe="(){},.@:")))


def is_public_address(host: str, allow_loopback: bool = False) -> tuple[bool, str]:
    """Whether every address of `host` is public (and why not), resolving names through DNS."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        return False, f"cannot resolve {host}: {exc}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.is_loopback:
            if allow_loopback:
                continue
            return False, f"{host} resolves to loopback address {address}"
        if (
            address.is_private
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            return False, f"{host} resolves to non-public address {address}"
    return True, ""


class HttpClient:
    """A requests session with explicit timeouts, retries, per-host limits and a size cap.

    Retries are written out rather than left to urllib3's Retry: each attempt is counted as a
    request for the run's manifest, the wait honours platform reset headers that Retry does not
    know (x-rate-limit-reset, ratelimit-reset, Mastodon's ISO timestamp), and the sleep function
    and the longest wait are injectable so that tests of bad days run in milliseconds.
    """

    def __init__(
        self,
        *,
        timeout: tuple[float, float] = (10.0, 30.0),
        max_retries: int = 3,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        max_wait: float = 900.0,
        max_bytes: int = 20_000_000,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        secrets: Iterable[str] = (),
        limits_enabled: bool = True,
        on_request: Callable[[str | None], None] | None = None,
        deadline: float | None = None,
    ):
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else default_deadline()
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.clock = clock
        self.secrets = [s for s in secrets if s and len(s) >= 4]
        self.limits_enabled = limits_enabled
        self.on_request = on_request
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json, text/html;q=0.9, */*;q=0.5"
        self._buckets: dict[str, _Bucket] = {}
        self._buckets_lock = threading.Lock()

    def add_secret(self, value: str | None) -> None:
        if value and len(value) >= 4 and value not in self.secrets:
            self.secrets.append(value)

    def redact(self, text: str) -> str:
        """Text with every known credential replaced, in each encoding it can travel in (raw,
        percent-encoded in a path or query, form-encoded, JSON-escaped); for logs, errors and
        raw payloads."""
        for secret in self.secrets:
            for form in secret_forms(secret):
                text = text.replace(form, REDACTED)
        return text

    def _bucket(self, key: str, limit: HostLimit) -> _Bucket:
        with self._buckets_lock:
            if key not in self._buckets:
                chosen = limit if self.limits_enabled else UNLIMITED
                self._buckets[key] = _Bucket(chosen, self.clock, self.sleep)
            return self._buckets[key]

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_cap, self.backoff_base * (2**attempt))

    def _server_wait(self, response: requests.Response) -> float | None:
        now = self.clock()
        wait = parse_retry_after(response.headers.get("Retry-After"), now)
        if wait is None and response.status_code == 429:
            for name in ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset"):
                wait = parse_reset(response.headers.get(name), now)
                if wait is not None:
                    break
        return wait

    def get(self, url: str, **kwargs: Any) -> Fetched:
        """GET with retries on 429, 5xx, connection errors and timeouts; other statuses return."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, *, json_body: Any, **kwargs: Any) -> Fetched:
        """POST a JSON body (a session's login), with the same retries and limits as GET. The body
        is neither logged nor kept: it may hold a password."""
        return self.request("POST", url, json_body=json_body, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        params: dict | list | None = None,
        headers: dict | None = None,
        limit: HostLimit = UNLIMITED,
        bucket: str = "",
        platform: str | None = None,
        allow_redirects: bool = True,
        max_bytes: int | None = None,
        is_throttled: Callable[[Fetched], bool] | None = None,
    ) -> Fetched:
        """A request with retries on 429, 5xx, connection errors and timeouts; other statuses return.

        `limit` paces every call to the URL's host that names the same `bucket` (a platform that
        limits each endpoint on its own gives each endpoint a bucket of its own).
        """
        host = urlsplit(url).netloc
        pace = self._bucket(f"{host} {bucket}" if bucket else host, limit)
        cap = max_bytes or self.max_bytes
        attempt = 0
        while True:
            shown = self.redact(redact_url(url))
            wait: float | None = None
            failure: CollectError
            pace.acquire()
            try:
                if self.on_request:
                    self.on_request(platform)
                started = time.monotonic()
                response = self.session.request(
                    method,
                    url,
                    json=json_body,
                    params=params,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=allow_redirects,
                    stream=True,
                )
                try:
                    body = self._read(response, cap, shown, started)
                finally:
                    response.close()
                fetched = Fetched(
                    response.status_code,
                    response.headers,
                    body,
                    self.redact(redact_url(response.url)),
                    response.links,
                )
                shown = fetched.url
                throttled = response.status_code == 429 or bool(is_throttled and is_throttled(fetched))
                if not throttled and response.status_code < 500:
                    return fetched
                wait = self._server_wait(response)
                if throttled:
                    failure = CollectError(
                        "rate_limited",
                        f"{shown}: rate limited (HTTP {response.status_code})",
                        response.status_code,
                    )
                else:
                    failure = CollectError(
                        "http_error",
                        f"{shown}: server error HTTP {response.status_code}",
                        response.status_code,
                    )
            except requests.Timeout:
                failure = CollectError("timeout", f"{shown}: no answer within {self.timeout[1]:g}s")
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                failure = CollectError(
                    "http_error",
                    f"{shown}: connection failed or body cut short ({type(exc).__name__})",
                )
            except requests.RequestException as exc:
                raise CollectError("http_error", self.redact(f"{shown}: {type(exc).__name__}")) from None
            finally:
                pace.release()
            if attempt >= self.max_retries:
                raise failure
            delay = self._backoff(attempt) if wait is None else wait
            if delay > self.max_wait:
                raise CollectError(
                    failure.kind,
                    f"{failure.message}; the platform asks to wait {delay:.0f}s",
                    failure.http_status,
                )
            self.sleep(delay)
            attempt += 1

    def _read(self, response: requests.Response, cap: int, shown: str, started: float) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise CollectError(
                "http_error", f"{shown}: response of {declared} bytes is over the {cap} byte cap"
            )
        chunks, size = [], 0
        while chunk := self._read1(response):
            if time.monotonic() - started > self.deadline:
                raise CollectError("timeout", f"{shown}: no complete answer within {self.deadline:g}s")
            size += len(chunk)
            if size > cap:
                raise CollectError("http_error", f"{shown}: response is over the {cap} byte cap")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _read1(response: requests.Response) -> bytes:
        """What has arrived, at most 64 KiB: unlike iter_content, it does not wait for a full chunk,
        so the deadline is checked as the bytes come. urllib3's errors become requests' own, as
        iter_content would raise them."""
        try:
            return response.raw.read1(64 * 1024, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise requests.exceptions.ReadTimeout(str(exc)) from None
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError) as exc:
            raise requests.exceptions.ChunkedEncodingError(str(exc)) from None
