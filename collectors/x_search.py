"""X mentions through recent search: opt-in only, since X bills every post read."""

from __future__ import annotations

from typing import Any

from collectors.base import parse_time
from collectors.http import CollectError, Fetched, HostLimit
from collectors.mentions import Found, SearchSource, SearchTarget
from collectors.x import PRICE_ENV, TOKEN_ENV

SWITCH_ENV = "FINSOCIAL_X_MENTIONS"  # "1": search X for mentions
REQUESTS_ENV = "FINSOCIAL_X_MENTIONS_REQUESTS"
DEFAULT_REQUESTS = 50
QUERY_MAX = 512  # recent search's longest query on the Basic and Pro plans


class XSearch(SearchSource):
    """X posts that name an institution: /2/tweets/search/recent (the last 7 days), its terms
    joined with OR, retweets left out; only with FINSOCIAL_X_MENTIONS=1 and within a night's
    number of requests, whose cost `collect` prints before the first one."""

    platform = "x"
    api_env = "FINSOCIAL_X_API"
    default_api = "https://api.x.com"
    credential_envs = (TOKEN_ENV,)
    switch_env = SWITCH_ENV
    switch_value = "1"
    # recent search: 450 requests per 15 minutes per app: 90% of its average
    host_limit = HostLimit(per_second=0.45, burst=1, concurrency=1)
    page_size = 100

    def __init__(self, client, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.budget = self._setting(REQUESTS_ENV, DEFAULT_REQUESTS)
        self.spent = 0

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential(TOKEN_ENV)}"}

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        if fetched.status == 401:
            return CollectError("auth_missing", f"{fetched.url}: bearer token refused", 401)
        return super().error_for(fetched, payload)

    def cost_note(self) -> str:
        """The night's most requests and posts read (and dollars, with a price), said first."""
        reads = self.budget * self.page_size
        note = f"x mentions: at most {self.budget} search requests reading up to {reads:,} posts"
        price = self.env.get(PRICE_ENV)
        try:
            return note + (
                f", at most ${reads * float(price):,.2f} at ${float(price)} a post read" if price else ""
            )
        except ValueError:
            raise ValueError(f"{PRICE_ENV} must be a number of US dollars, not {price!r}") from None

    def query(self, target: SearchTarget) -> str:
        """The target's terms as one recent-search query, within the longest query allowed."""
        terms = target.terms.query_strings()
        while terms:
            text = f"({' OR '.join(terms)}) -is:retweet"
            if len(text) <= QUERY_MAX:
                return text
            terms = terms[:-1]  # the last terms wait: a longer query is refused whole
        raise CollectError("http_error", f"x: the terms of {target.institution_id} make no query")

    def search(self, target: SearchTarget) -> list[Found]:
        found: list[Found] = []
        token = None
        for _ in range(self.pages):
            if self.spent >= self.budget:
                raise CollectError("rate_limited", f"x: the night's {self.budget} search requests are spent")
            params = {
                "query": self.query(target),
                "max_results": self.page_size,
                "start_time": self.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "tweet.fields": "created_at,author_id,lang",
                "expansions": "author_id",
                "user.fields": "username",
            }
            if token:
                params["next_token"] = token
            self.spent += 1
            page = self.get_json(
                f"{self.base_url}/2/tweets/search/recent",
                params=params,
                raw_name=f"search-{target.institution_id}",
            )
            found += self.parse_search(page)
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                break
        return found

    def parse_search(self, page: Any) -> list[Found]:
        if not isinstance(page, dict):
            raise CollectError("parse_error", "search answer is not an object")
        users = {
            str(u.get("id")): str(u.get("username") or "")
            for u in (page.get("includes") or {}).get("users") or []
            if isinstance(u, dict)
        }
        found = []
        for tweet in page.get("data") or []:
            if not isinstance(tweet, dict):
                self.skip("not a post object")
                continue
            author, text, tweet_id = tweet.get("author_id"), tweet.get("text"), tweet.get("id")
            try:
                created = parse_time(tweet.get("created_at"), "created_at")
            except CollectError:
                self.skip("created_at")
                continue
            if self.lacks({"author_id": bool(author), "text": isinstance(text, str), "id": bool(tweet_id)}):
                continue
            found.append(
                Found(str(tweet_id), str(author), created, text, (str(author), users.get(str(author), "")))
            )
        return found
