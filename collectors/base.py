"""The common base of the platform collectors: batching, the account flow, records and errors."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from collectors.http import UNLIMITED, CollectError, Fetched, HostLimit, HttpClient
from warehouse.domain import text as text_classifier
from warehouse.inputs.targets import Target
from warehouse.landing.records import Account, Comment, Post, RunError, Snapshot, landing_problem

# A run's exit code, for schedulers (cron, systemd, Actions): 0 complete, 3 partial (some failed),
# 1 failed; 78 (EX_CONFIG) when there was nothing to do, a misconfiguration in a nightly job.
EXIT_CODES = {"complete": 0, "partial": 3, "failed": 1, "nothing": 78}

WINDOW_DAYS = 28
# Kinds worth a second try within the run; the others are facts about the account or the setup.
RETRYABLE_KINDS = frozenset({"rate_limited", "http_error", "timeout", "parse_error"})


@dataclass(frozen=True, slots=True)
class Follower:
    """One sampled follower, held in memory during the run only: never landed, never logged."""

    followers: int | None  # their own follower count; None when they hide it
    shows_activity: bool = False  # whether their profile shows when they last posted
    last_post: dt.date | None = None  # with shows_activity, None means they never posted


@dataclass
class Outcome:
    """What one run learnt about one target account."""

    target: Target
    snapshot: Snapshot | None = None
    account: Account | None = None
    posts: list[Post] = field(default_factory=list)
    error: RunError | None = None
    comments: list[Comment] = field(default_factory=list)
    # a failure while reading threads: the account's counts and posts still land
    webcare_error: RunError | None = None

    @property
    def collected(self) -> bool:
        return self.snapshot is not None

    @property
    def retryable(self) -> bool:
        return self.error is not None and self.error.kind in RETRYABLE_KINDS


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def as_count(value: Any, what: str = "count") -> int | None:
    """A platform count as int: None when absent or hidden (negative), parse_error when garbled.

    YouTube sends counts as strings, the others as numbers; Mastodon sends -1 for hidden.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if value >= 0 else None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
        return number if number >= 0 else None
    raise CollectError("parse_error", f"{what} is {value!r}, not a count")


def parse_time(value: Any, what: str = "timestamp") -> dt.datetime:
    """An ISO 8601 time from a payload as an aware UTC datetime; parse_error when unreadable."""
    if not isinstance(value, str) or not value:
        raise CollectError("parse_error", f"{what} is missing or not text: {value!r}")
    text = value.strip().replace("Z", "+00:00")
    # Facebook writes offsets without a colon (+0000); fromisoformat wants +00:00.
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CollectError("parse_error", f"{what} {value!r} is not an ISO 8601 time") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


class Collector:
    """One platform's collector. Subclasses hold only what is particular to their platform.

    `fetch_*` methods do HTTP; `parse_*` methods are pure: payload in, records out.
    """

    platform: ClassVar[str]
    batch_size: ClassVar[int] = 1
    api_env: ClassVar[str]
    default_api: ClassVar[str]
    credential_envs: ClassVar[tuple[str, ...]] = ()
    host_limit: ClassVar[HostLimit] = UNLIMITED
    # Where a platform limits each endpoint on its own (X), the endpoints with a pace of their own:
    # (path pattern, limit); every other call shares host_limit.
    endpoint_limits: ClassVar[tuple[tuple[str, HostLimit], ...]] = ()
    # Whether a follower's profile shows when they last posted (for audience inactive_share).
    profiles_show_activity: ClassVar[bool] = False
    # Webcare: how many of an account's most recent posts to open a night (0: the platform lists no
    # comments), and how many requests the platform may spend on threads in a night. Both can be
    # set with FINSOCIAL_<PLATFORM>_WEBCARE_POSTS and FINSOCIAL_<PLATFORM>_WEBCARE_REQUESTS.
    webcare_posts: ClassVar[int] = 0
    webcare_requests: ClassVar[int] = 0
    # where reading threads costs money, the variable that must be "1" before any thread is read
    webcare_opt_in: ClassVar[str | None] = None
    # the phrase lists empty replies are judged by (the shipped ones, or with the user's file: run.py)
    text_lists: text_classifier.TextLists | None = None

    def __init__(
        self,
        client: HttpClient,
        *,
        env: Mapping[str, str] | None = None,
        now: dt.datetime | None = None,
        snapshot_date: dt.date | None = None,
        keep_raw: Callable[[str, str, str], None] | None = None,
        webcare: bool = False,
    ):
        self.client = client
        self.env = os.environ if env is None else env
        self.now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        self.cutoff = self.now - dt.timedelta(days=WINDOW_DAYS)
        self.snapshot_date = snapshot_date or self.now.date()
        self._keep_raw = keep_raw
        self.base_url = (self.env.get(self.api_env) or self.default_api).rstrip("/")
        for name in self.credential_envs:
            client.add_secret(self.env.get(name))
        prefix = f"FINSOCIAL_{self.platform.upper()}_WEBCARE_"
        opted_in = self.webcare_opt_in is None or self.env.get(self.webcare_opt_in) == "1"
        self.thread_posts = self._setting(prefix + "POSTS", self.webcare_posts) if webcare and opted_in else 0
        self.thread_budget = self._setting(prefix + "REQUESTS", self.webcare_requests)
        self.thread_requests = 0  # spent on threads this night
        self._reading_threads = False
        # the registry's official accounts on this platform, by lowercase handle or platform id
        self.official: dict[str, str] = {}

    # -- configuration -------------------------------------------------------------------------

    @classmethod
    def missing_credentials(cls, env: Mapping[str, str] | None = None) -> list[str]:
        env = os.environ if env is None else env
        return [name for name in cls.credential_envs if not env.get(name)]

    def _setting(self, name: str, default: int) -> int:
        value = self.env.get(name)
        if value is None or value == "":
            return default
        if not value.strip().isdigit():
            raise ValueError(f"{name} must be a whole number, not {value!r}")
        return int(value)

    @property
    def request_label(self) -> str:
        """The name a request is counted under in the run's manifest (its platform)."""
        return self.platform

    def credential(self, name: str) -> str:
        return self.env.get(name, "")

    def auth_headers(self) -> dict[str, str]:
        return {}

    # -- HTTP ----------------------------------------------------------------------------------

    def is_throttled(self, fetched: Fetched) -> bool:
        """Whether a non-429 response says "slow down" (Graph API and YouTube do so in the body)."""
        return False

    def error_for(self, fetched: Fetched, payload: Any) -> CollectError | None:
        """The platform's reading of a 4xx answer; the default calls every 4xx an http_error."""
        if fetched.status in (401, 403):
            return CollectError(
                "auth_missing",
                f"{fetched.url}: credentials refused (HTTP {fetched.status})",
                fetched.status,
            )
        if fetched.status == 404:
            return CollectError("not_found", f"{fetched.url}: not found", 404)
        return CollectError("http_error", f"{fetched.url}: HTTP {fetched.status}", fetched.status)

    def get_json(self, url: str, *, params: dict | list | None = None, raw_name: str | None) -> Any:
        """GET a JSON document, keep its body as a raw payload, raise CollectError on failure."""
        return self.fetch(url, params=params, raw_name=raw_name).json()

    def fetch(self, url: str, *, params: dict | list | None = None, raw_name: str | None) -> Fetched:
        """GET, keep the body as a raw payload, raise the platform's CollectError for a 4xx.

        raw_name None keeps nothing: follower lists name who follows whom, which is never stored.
        """
        limit, bucket = self.limit_for(url)
        fetched = self.client.get(
            url,
            params=params,
            headers=self.auth_headers(),
            limit=limit,
            bucket=bucket,
            platform=self.request_label,
            is_throttled=self.is_throttled,
        )
        if raw_name is not None:
            self.keep_raw(raw_name, fetched.text)
        if self._reading_threads:
            self.thread_requests += 1
        if fetched.status >= 400:
            try:
                payload = fetched.json()
            except CollectError:
                payload = None
            try:
                error = self.error_for(fetched, payload)
            except (KeyError, TypeError, ValueError, AttributeError):
                # an error body of a shape the platform never documented: read it by status alone
                error = Collector.error_for(self, fetched, payload)
            if error is not None:
                raise error
        return fetched

    @classmethod
    def limit_for(cls, url: str) -> tuple[HostLimit, str]:
        """The pace of a call and the name of the bucket it shares ("" for the host's own)."""
        path = urlsplit(url).path
        for pattern, limit in cls.endpoint_limits:
            if re.search(pattern, path):
                return limit, pattern
        return cls.host_limit, ""

    def keep_raw(self, name: str, text: str) -> None:
        if self._keep_raw is not None:
            self._keep_raw(self.platform, name, self.client.redact(text))

    # -- the flow ------------------------------------------------------------------------------

    def collect(self, targets: list[Target]) -> list[Outcome]:
        """Every target's outcome, looking profiles up in batches of `batch_size`."""
        outcomes: list[Outcome] = []
        self.official.update({t.handle.lower(): t.institution_id for t in targets})
        for batch in chunks(targets, self.batch_size):
            try:
                profiles = self.fetch_profiles([t.handle for t in batch])
            except CollectError as exc:
                outcomes.extend(self.failed(t, exc) for t in batch)
                continue
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                error = CollectError("parse_error", f"unexpected profiles answer: {exc!r}")
                outcomes.extend(self.failed(t, error) for t in batch)
                continue
            self.learn_official(batch, profiles)
            for target in batch:
                found = profiles.get(target.handle)
                if isinstance(found, CollectError):
                    outcomes.append(self.failed(target, found))
                else:
                    outcomes.append(self.collect_account(target, found))
        return outcomes

    def collect_account(self, target: Target, profile: dict | None) -> Outcome:
        if profile is None:
            return self.failed(
                target, CollectError("not_found", f"no {self.platform} account {target.handle!r}")
            )
        try:
            snapshot, account = self.parse_profile(profile, target)
            if problem := landing_problem(snapshot) or landing_problem(account):
                raise CollectError("parse_error", f"unexpected profile format: {problem}")
        except CollectError as exc:
            return self.failed(target, exc)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return self.failed(target, CollectError("parse_error", f"unexpected profile format: {exc!r}"))
        outcome = Outcome(target, snapshot, account)
        if account.status == "private":
            outcome.error = self.run_error(
                target, CollectError("private", "the account's posts are not public")
            )
            return outcome
        try:
            pages = self.fetch_posts(target, profile)
            posts = self.parse_posts(pages, target)
            if problem := next(filter(None, map(landing_problem, posts)), None):
                raise CollectError("parse_error", f"unexpected posts format: {problem}")
            outcome.posts = posts
        except CollectError as exc:
            if exc.kind == "private":
                account.status = "private"
            outcome.error = self.run_error(target, exc)
            return outcome
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            outcome.error = self.run_error(
                target, CollectError("parse_error", f"unexpected posts format: {exc!r}")
            )
            return outcome
        snapshot.posts_observed = True
        if self.thread_posts > 0:
            self.collect_threads(outcome, profile)
        return outcome

    # -- webcare -------------------------------------------------------------------------------

    def learn_official(self, batch: list[Target], profiles: Mapping[str, Any]) -> None:
        """Note the platform ids of a batch's accounts, so that a reply by another official account
        of the same institution is known as the institution's."""
        for target in batch:
            profile = profiles.get(target.handle)
            if not isinstance(profile, dict):
                continue
            try:
                snapshot, _ = self.parse_profile(profile, target)
            except (CollectError, KeyError, TypeError, ValueError, AttributeError):
                continue
            if snapshot.platform_id:
                self.official[snapshot.platform_id.lower()] = target.institution_id

    def is_institution(self, target: Target, *keys: object) -> bool:
        """Whether an author (any of its handle or ids) is an official account of the target's
        institution on this platform."""
        return any(
            isinstance(k, str) and k and self.official.get(k.lower()) == target.institution_id for k in keys
        )

    def threads_to_open(self, posts: list[Post]) -> list[Post]:
        """The account's most recent posts, up to the night's number per account."""
        return sorted(posts, key=lambda p: p.posted_at, reverse=True)[: self.thread_posts]

    def collect_threads(self, outcome: Outcome, profile: dict) -> None:
        """Open the threads of the account's recent posts within the night's request budget.

        A thread is kept whole or not at all; after a failure the threads read so far still land.
        """
        target = outcome.target
        comments: list[Comment] = []
        self._reading_threads = True
        try:
            comments.extend(self.fetch_own_replies(target, profile))
            for post in self.threads_to_open(outcome.posts):
                if self.thread_requests >= self.thread_budget:
                    break  # the night's budget is spent: the remaining threads wait for tomorrow
                if post.comments == 0:
                    # nothing to open: the platform's count says the thread is empty, all of it
                    comments.append(self.thread_root(target, post, complete=True))
                    continue
                try:
                    comments.extend(self.fetch_thread(target, profile, post))
                except CollectError as exc:
                    if exc.kind != "not_found":
                        raise
                    # the post was deleted since the feed was read: no thread to count
        except CollectError as exc:
            outcome.webcare_error = self.run_error(target, CollectError(exc.kind, f"threads: {exc.message}"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            outcome.webcare_error = self.run_error(
                target, CollectError("parse_error", f"threads: unexpected format: {exc!r}")
            )
        finally:
            self._reading_threads = False
        seen: set[str] = set()
        for comment in comments:
            if comment.comment_id not in seen and not landing_problem(comment):
                seen.add(comment.comment_id)
                outcome.comments.append(comment)

    def cost_note(self) -> str | None:
        """What reading threads may cost tonight where the platform bills reads (printed first)."""
        return None

    def fetch_thread(self, target: Target, profile: dict, post: Post) -> list[Comment]:
        """One post's thread as Comments: the root (the post) and the replies under it."""
        return []

    def fetch_own_replies(self, target: Target, profile: dict) -> list[Comment]:
        """The account's own recent replies, where the platform lists them (its webcare activity)."""
        return []

    # -- what a platform provides --------------------------------------------------------------

    def fetch_profiles(self, handles: list[str]) -> dict[str, dict | CollectError | None]:
        """Profile payloads by handle for one batch; a missing handle means not found."""
        raise NotImplementedError

    def parse_profile(self, profile: dict, target: Target) -> tuple[Snapshot, Account]:
        raise NotImplementedError

    def fetch_posts(self, target: Target, profile: dict) -> list[Any]:
        """Pages of the account's recent posts, back to the window's start."""
        return []

    def fetch_followers(self, target: Target, profile: dict, size: int) -> list[Follower]:
        """Up to `size` of the account's followers, in the platform's order (newest first)."""
        raise CollectError("parse_error", f"{self.platform} has no follower sample")

    def followers_total(self, profile: dict) -> int | None:
        """The account's own follower count in its profile payload (the population sampled)."""
        return None

    def parse_posts(self, pages: list[Any], target: Target) -> list[Post]:
        return []

    # -- record helpers ------------------------------------------------------------------------

    def in_window(self, posted_at: dt.datetime) -> bool:
        return self.cutoff < posted_at <= self.now

    def required_count(self, payload: dict, key: str, target: Target) -> int:
        """A count the row cannot live without: absent or hidden is a parse_error, never 0."""
        value = as_count(payload.get(key), key)
        if value is None:
            raise CollectError(
                "parse_error",
                f"{self.platform} {target.handle}: {key} missing from the profile payload",
            )
        return value

    def snapshot(self, target: Target, **counts: Any) -> Snapshot:
        return Snapshot(
            institution_id=target.institution_id,
            platform=self.platform,
            handle=target.handle,
            snapshot_date=self.snapshot_date,
            collected_at=self.now,
            method="api",
            **counts,
        )

    def account(self, target: Target, **fields: Any) -> Account:
        return Account(
            institution_id=target.institution_id,
            platform=self.platform,
            handle=target.handle,
            observed_at=self.now,
            url=target.url,
            found_via=target.found_via,
            found_on=target.found_on,
            **fields,
        )

    def post(self, target: Target, **fields: Any) -> Post:
        return Post(
            institution_id=target.institution_id,
            platform=self.platform,
            handle=target.handle,
            collected_at=self.now,
            **fields,
        )

    def comment(
        self,
        target: Target,
        post_id: str,
        comment_id: str,
        parent_id: str | None,
        created_at: dt.datetime,
        is_institution: bool,
        text: object = None,
    ) -> Comment:
        """A thread item. Its text, where given, is read here and dropped: a comment by someone
        else keeps its tone (label, score, language), an institution's reply whether it is empty."""
        comment = Comment(
            institution_id=target.institution_id,
            platform=self.platform,
            handle=target.handle,
            post_id=post_id,
            comment_id=comment_id,
            parent_id=parent_id,
            created_at=created_at,
            collected_at=self.now,
            is_institution=is_institution,
        )
        if isinstance(text, str) and text.strip():
            if is_institution:
                comment.empty_reply = text_classifier.is_empty_reply(text, self.text_lists)
            else:
                tone = text_classifier.classify(text)
                comment.tone, comment.tone_score, comment.language = tone.label, tone.score, tone.language
        return comment

    def thread_root(self, target: Target, post: Post, complete: bool | None = None) -> Comment:
        """The row that says a post's thread was opened; `complete` when the read listed every
        top-level comment (a comment seen before and missing now was then removed)."""
        root = self.comment(target, post.post_id, post.post_id, None, post.posted_at, True)
        root.thread_complete = complete
        return root

    def run_error(self, target: Target, exc: CollectError) -> RunError:
        return RunError(
            institution_id=target.institution_id,
            platform=self.platform,
            handle=target.handle,
            kind=exc.kind,
            message=self.client.redact(exc.message),
            occurred_at=dt.datetime.now(dt.UTC),
            http_status=exc.http_status,
        )

    def failed(self, target: Target, exc: CollectError) -> Outcome:
        outcome = Outcome(target, error=self.run_error(target, exc))
        if exc.kind in ("not_found", "private"):
            outcome.account = self.account(target, status=exc.kind)
        return outcome
