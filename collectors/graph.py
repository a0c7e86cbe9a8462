"""What Facebook and Instagram share: the Graph API's token, error codes and throttling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from collectors.base import Collector, parse_time
from collectors.http import CollectError, Fetched, HostLimit, strip_params

GRAPH_API = "https://graph.facebook.com/v21.0"
# Graph answers "slow down" with HTTP 400/403 and one of these codes in the body, not with 429.
THROTTLE_CODES = {4, 17, 32, 613, 80001, 80002}
AUTH_CODES = {102, 190}
PERMISSION_CODES = {10} | set(range(200, 300))
NOT_FOUND_CODES = {803, 110}


def graph_error(payload: Any) -> dict:
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return {}
    # codes are integers in the documented format; any other shape is no code at all
    return {k: v for k, v in error.items() if k not in ("code", "error_subcode") or type(v) is int}


class GraphCollector(Collector):
    """A collector reading the Graph API with a token from the environment."""

    token_env: ClassVar[str]
    # Graph allows about 200 calls per hour per user for an app, more for pages by engagement;
    # the usage headers and codes 4/17/32/613 say when to back off.
    host_limit = HostLimit(per_second=0.5, burst=5, concurrency=2)

    def fetch(self, url: str, *, params: dict | list | None = None, raw_name: str) -> Fetched:
        """GET with the token as the documented `access_token` query parameter.

        Meta documents the token as a query parameter on the Pages and Instagram APIs, not an
        Authorization header. The HTTP layer writes `access_token=***` in every URL it shows,
        and the client redacts the token from raw payloads and errors.
        """
        token = [("access_token", self.credential(self.token_env))]
        if params is None:
            merged: list = token
        elif isinstance(params, dict):
            merged = [*params.items(), *token]
        else:
            merged = [*params, *token]
        return super().fetch(url, params=merged, raw_name=raw_name)

    def is_throttled(self, fetched: Fetched) -> bool:
        if fetched.status not in (400, 403):
            return False
        try:
            return graph_error(fetched.json()).get("code") in THROTTLE_CODES
        except CollectError:
            return False

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        error = graph_error(payload)
        code, subcode = error.get("code"), error.get("error_subcode")
        message = str(error.get("error_user_msg") or error.get("message") or f"HTTP {fetched.status}")
        where = f"{self.platform} ({fetched.url.split('?')[0]})"
        if code in THROTTLE_CODES:
            return CollectError("rate_limited", f"{where}: rate limited: {message}", fetched.status)
        if code in AUTH_CODES or fetched.status == 401:
            return CollectError("auth_missing", f"{where}: token refused: {message}", fetched.status)
        if code in NOT_FOUND_CODES or (code == 100 and subcode == 33):
            return CollectError("not_found", f"{where}: {message}", fetched.status)
        if code in PERMISSION_CODES:
            return CollectError("private", f"{where}: not visible to this token: {message}", fetched.status)
        return CollectError("http_error", f"{where}: {message}", fetched.status)

    def next_page(self, paging: Any) -> str | None:
        """The paging.next URL without the token Graph echoes into it, if it stays on the API."""
        url = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(url, str):
            return None
        base = urlsplit(self.base_url)
        if urlsplit(url).netloc != base.netloc:
            return None
        return strip_params(url)

    def past_window(self, connection: dict, time_key: str) -> bool:
        """Whether a page of an edge (posts, media) reaches back past the window, or is empty."""
        stamps = [parse_time(i.get(time_key), time_key) for i in connection.get("data") or []]
        return not stamps or min(stamps) <= self.cutoff

    def window_items(self, pages: list[Any], time_key: str) -> Iterator[tuple[dict, Any]]:
        """(item, posted_at) for each distinct item of an edge's pages inside the window."""
        seen: set[str] = set()
        for page in pages:
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise CollectError("parse_error", f"{self.platform} edge page has no data list")
            for item in data:
                posted_at = parse_time(item.get(time_key), time_key)
                if self.in_window(posted_at) and str(item["id"]) not in seen:
                    seen.add(str(item["id"]))
                    yield item, posted_at
