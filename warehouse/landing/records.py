"""The records a run lands: account snapshots, posts, comments, mentions, accounts seen and per-account errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from warehouse.domain.platforms import API_PLATFORMS, PLATFORMS  # noqa: F401 (re-exported: the landing contract)

PRECISIONS = ("exact", "rounded")
METHODS = ("api", "manual")
ACCOUNT_STATUSES = ("active", "not_found", "private", "mismatch")
FOUND_VIA = ("registry", "discovered", "manual", "collected")
ERROR_KINDS = (
    "not_found",
    "private",
    "rate_limited",
    "auth_missing",
    "parse_error",
    "http_error",
    "timeout",
)


@dataclass(slots=True)
class Snapshot:
    """One account's public counts on one day. A count the platform did not give is None."""

    institution_id: str
    platform: str
    handle: str | None
    snapshot_date: dt.date
    collected_at: dt.datetime
    followers: int | None = None
    following: int | None = None
    posts_total: int | None = None
    likes_total: int | None = None
    views_total: int | None = None
    platform_id: str | None = None
    precision: str = "exact"
    method: str = "api"
    # True when this run also fetched the account's recent posts, so "no posts" means none.
    posts_observed: bool = False
    source: str | None = None


@dataclass(slots=True)
class Post:
    """One of the institution's own posts, with its counts as observed at collected_at."""

    institution_id: str
    platform: str
    handle: str | None
    post_id: str
    posted_at: dt.datetime
    collected_at: dt.datetime
    url: str | None = None
    text: str | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    quotes: int | None = None
    views: int | None = None
    # True: the platform says replies are off or restricted (a Bluesky threadgate, X reply_settings
    # other than everyone, YouTube commentsDisabled); False: it says they are open; None: it does not say.
    comments_closed: bool | None = None
    reactions_angry: int | None = None  # Facebook's ANGRY reactions (reactions.type(ANGRY))


@dataclass(slots=True)
class Comment:
    """One item of a thread under an institution's post, for webcare metrics: ids and times only.

    The thread's root (the institution's post) is a row too, with parent_id None: it says the
    thread was opened, so a thread without comments counts as "no questions", not as unknown.
    No text and no commenter identity: only whether the author is the institution itself (the
    account or another official account of the same institution).
    """

    institution_id: str
    platform: str
    handle: str | None
    post_id: str  # the thread's root: the institution's post
    comment_id: str
    parent_id: str | None  # what it replies to (the post or a comment); None for the root
    created_at: dt.datetime
    collected_at: dt.datetime
    is_institution: bool = False
    # the root row only: whether this read listed every top-level comment the platform shows (no
    # page left unread), so that a comment seen before and absent now was removed, not cut off
    thread_complete: bool | None = None
    # the comment's tone from the shared offline classifier (warehouse.domain.text), computed when
    # collected: the label (negative, neutral, positive; None where no lexicon fits), its score
    # and the detected language. The text itself is never kept.
    tone: str | None = None
    tone_score: float | None = None
    language: str | None = None
    # an institution's reply only: whether it says nothing (a short generic reply from the lists)
    empty_reply: bool | None = None


@dataclass(slots=True)
class Mention:
    """A post by someone else that names an institution by one of its search terms: no text.

    The author is a keyed hash (warehouse.domain.text.author_key), so unique authors can be
    counted without keeping who they are. tone is negative, neutral or positive, or None where no
    lexicon fits the language; themes are the theme keys joined by ",", sorted ("" for none).
    """

    institution_id: str
    platform: str
    post_id: str
    posted_at: dt.datetime
    collected_at: dt.datetime
    author_key: str
    language: str | None = None
    tone: str | None = None
    tone_score: float | None = None
    themes: str = ""


@dataclass(slots=True)
class MentionSearch:
    """That a search for an institution's mentions ran on a platform and saw back to `since`:
    the days from since to searched_at are searched, so no mention there means none, not unknown."""

    institution_id: str
    platform: str
    since: dt.datetime
    searched_at: dt.datetime
    found: int  # mentions kept (after the local check)
    requests: int | None = None


@dataclass(slots=True)
class Account:
    """An account as resolved by a run: its platform id, display name and status."""

    institution_id: str
    platform: str
    handle: str
    observed_at: dt.datetime
    url: str | None = None
    platform_id: str | None = None
    display_name: str | None = None
    found_via: str = "collected"
    found_on: str | None = None
    status: str = "active"


@dataclass(slots=True)
class RunError:
    """A per-account failure of a run, with its kind (one of ERROR_KINDS)."""

    institution_id: str | None
    platform: str
    handle: str | None
    kind: str
    message: str
    occurred_at: dt.datetime
    http_status: int | None = None


@dataclass(slots=True)
class AudienceSample:
    """The aggregates of one weekly sample of an account's followers: counts only, never who.

    The sample is the newest followers the platform lists first, up to the requested size.
    """

    institution_id: str
    platform: str
    handle: str
    sample_date: dt.date
    collected_at: dt.datetime
    drawn: int  # followers listed in the pages read
    sample_size: int  # of those, with a public follower count of their own
    influencers: int  # with >= 1,000 followers
    small: int  # with <= 50 followers
    median_followers: float | None = None
    median_low: int | None = None  # a 95% interval for the median, from order statistics
    median_high: int | None = None
    activity_known: int | None = None  # with a last-post date the profile shows; None: none shows it
    inactive: int | None = None  # of those, no post in the 90 days before sample_date
    followers_total: int | None = None  # the account's own follower count when sampled
    requests: int | None = None


_TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "snapshots": pa.schema(
        [
            ("institution_id", pa.string()),
            ("platform", pa.string()),
            ("handle", pa.string()),
            ("snapshot_date", pa.date32()),
            ("collected_at", _TS),
            ("followers", pa.int64()),
            ("following", pa.int64()),
            ("posts_total", pa.int64()),
            ("likes_total", pa.int64()),
            ("views_total", pa.int64()),
            ("platform_id", pa.string()),
            ("precision", pa.string()),
            ("method", pa.string()),
            ("posts_observed", pa.bool_()),
            ("source", pa.string()),
        ]
    ),
    "posts": pa.schema(
        [
            ("institution_id", pa.string()),
            ("platform", pa.string()),
            ("handle", pa.string()),
            ("post_id", pa.string()),
            ("posted_at", _TS),
            ("collected_at", _TS),
            ("url", pa.string()),
            ("text", pa.string()),
            ("likes", pa.int64()),
            ("comments", pa.int64()),
            ("shares", pa.int64()),
            ("quotes", pa.int64()),
            ("views", pa.int64()),
            ("comments_closed", pa.bool_()),
            ("reactions_angry", pa.int64()),
        ]
    ),
    "comments": pa.schema(
        [
            ("institution_id", pa.string()),
            ("platform", pa.string()),
            ("handle", pa.string()),
            ("post_id", pa.string()),
            ("comment_id", pa.string()),
            ("parent_id", pa.string()),
            ("created_at", _TS),
            ("collected_at", _TS),
            ("is_institution", pa.bool_()),
            ("thread_complete", pa.bool_()),
            ("tone", pa.string()),
            ("tone_score", pa.float64()),
            ("language", pa.string()),
            ("empty_reply", pa.bool_()),
        ]
    ),
    "mentions": pa.schema(
        [
            ("institution_id", pa.string()),
            ("platform", pa.string()),
            ("post_id", pa.string()),
            ("posted_at", _TS),
            ("collected_at", _TS),
            ("author_key", pa.string()),
            ("language", pa.string()),
            ("tone", pa.string()),
            ("tone_score", pa.float64()),
            ("themes", pa.string()),
        ]
    ),
    "mention_searches": pa.schema(
        [
            ("institution_id", pa.string()),
            ("platform", pa.string()),
            ("since", _TS),
            ("searched_at", _TS),
            ("found", pa.int64()),
            ("requests", pa.int64()),
        ]
    ),
    "accounts": pa.schema(
        [
            ("institution_id", pa.string()),
            ("platform", pa.string()),
            ("handle", pa.string()),
            ("observed_at", _TS),
            ("url", pa.string()),
            ("platform_id", pa.string()),
            ("display_name", pa.string()),
            ("found_via", pa.string()),
            ("found_on", pa.string()),
            ("status", pa.string()),
        ]
    ),
    "errors": pa.schema(
        [
            ("institution_id", pa.string()),
            ("platform", pa.string()),
            ("handle", pa.string()),
            ("kind", pa.string()),
            ("message", pa.string()),
            ("occurred_at", _TS),
            ("http_status", pa.int64()),
        ]
    ),
    "audience": pa.schema(
        [
            ("institution_id", pa.string()),
            ("platform", pa.string()),
            ("handle", pa.string()),
            ("sample_date", pa.date32()),
            ("collected_at", _TS),
            ("drawn", pa.int64()),
            ("sample_size", pa.int64()),
            ("influencers", pa.int64()),
            ("small", pa.int64()),
            ("median_followers", pa.float64()),
            ("median_low", pa.int64()),
            ("median_high", pa.int64()),
            ("activity_known", pa.int64()),
            ("inactive", pa.int64()),
            ("followers_total", pa.int64()),
            ("requests", pa.int64()),
        ]
    ),
}

RECORD_TABLES: dict[type, str] = {
    Snapshot: "snapshots",
    Post: "posts",
    Comment: "comments",
    Mention: "mentions",
    MentionSearch: "mention_searches",
    Account: "accounts",
    RunError: "errors",
    AudienceSample: "audience",
}


def to_table(kind: str, records: list) -> pa.Table:
    """Records of one kind as an Arrow table with the landing schema (None stays null)."""
    schema = SCHEMAS[kind]
    rows = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else dict(r) for r in records]
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)


# The largest count the warehouse takes: a hundred trillion, some 300 times the largest any platform
# shows (a YouTube channel's views). The build sums counts in BIGINT (an institution's accounts, a
# post's likes + comments + shares + quotes, 28 days of interactions): under this bound no sum of
# fewer than 92,000 of them can pass int64, where two counts near 2**63 overflowed every build.
MAX_COUNT = 10**14


def count_columns(kind: str) -> list[str]:
    """The integer columns of a record kind's landing schema: the counts MAX_COUNT bounds."""
    return [f.name for f in SCHEMAS[kind] if pa.types.is_int64(f.type)]


def conform(kind: str, table: pa.Table) -> pa.Table:
    """An Arrow table in the landing schema of `kind`: its columns in order, cast, and a column
    added to the schema since the table's producer was written null (bulk writers: demo, benchmarks)."""
    schema = SCHEMAS[kind]
    columns = [
        table[name].cast(f.type) if name in table.column_names else pa.nulls(len(table), f.type)
        for name, f in zip(schema.names, schema, strict=True)
    ]
    return pa.Table.from_arrays(columns, schema=schema)


_PY_TYPES = {
    pa.types.is_string: str,
    pa.types.is_int64: int,
    pa.types.is_boolean: bool,
    pa.types.is_date32: dt.date,
    pa.types.is_timestamp: dt.datetime,
    pa.types.is_float64: float,
}


def landing_problem(record: object) -> str | None:
    """Why a record could not be landed (a field of the wrong type, a count past MAX_COUNT), or None.

    A payload that puts a list where a string belongs must fail that account, not the run.
    """
    schema = SCHEMAS[RECORD_TABLES[type(record)]]
    for f in schema:
        value = getattr(record, f.name)
        if value is None:
            continue
        wanted = next(t for check, t in _PY_TYPES.items() if check(f.type))
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            return f"{f.name} is {value!r:.60}, not {wanted.__name__}"
        if wanted is int and not -MAX_COUNT <= value <= MAX_COUNT:
            return f"{f.name} is {value}, past the largest count the warehouse takes ({MAX_COUNT:,})"
    return None
