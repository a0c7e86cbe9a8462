"""Mentions: what others post about each institution, found through the platforms' public search."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from collectors.base import Collector
from collectors.http import CollectError, Fetched
from warehouse.domain.text import TermError, Terms, TextLists, author_key, classify_many, parse_terms, themes
from warehouse.inputs.registry import Institution
from warehouse.inputs.targets import Target
from warehouse.landing.records import Mention, MentionSearch, RunError, landing_problem

LOOKBACK_ENV = "FINSOCIAL_MENTIONS_DAYS"
PAGES_ENV = "FINSOCIAL_MENTIONS_PAGES"
# Each night looks back two days: yesterday whole (the day is known from then on) and today so far;
# a night missed is made up by the next one's overlap only for its last day.
DEFAULT_LOOKBACK_DAYS = 2
DEFAULT_PAGES = 5  # pages a query may read a night (a storm beyond them is cut, and says so)


@dataclass(frozen=True)
class SearchTarget:
    """An institution to search for: its terms, and its own accounts (their posts are not mentions)."""

    institution_id: str
    terms: Terms
    own: frozenset[str] = frozenset()  # lowercase handles and platform ids on the source's platform


@dataclass(frozen=True)
class Found:
    """A post a search returned, as a source reads it: what matching and tone need, nothing kept."""

    post_id: str
    author_id: str
    created_at: dt.datetime
    text: str
    author_names: tuple[str, ...] = ()  # handles and ids to tell the institution's own posts


@dataclass
class SearchOutcome:
    """What one source's night of searching gave: the mentions, the searches that ran, the errors."""

    platform: str
    mentions: list[Mention] = field(default_factory=list)
    searches: list[MentionSearch] = field(default_factory=list)
    errors: list[RunError] = field(default_factory=list)
    dropped: int = 0  # posts the search returned that do not name the institution by its terms
    requests: int = 0
    # posts the search returned that could not be read (a field missing or of the wrong type), and
    # per institution a parse_error saying which: landed in run_errors, not counted as failed searches
    malformed: int = 0
    malformed_errors: list[RunError] = field(default_factory=list)


class SearchSource(Collector):
    """A platform's public search. Off (not a failure) without its credentials or switch."""

    # the variable that must be set for the source to run at all (besides credential_envs), and
    # what it must hold ("" for any value)
    switch_env: ClassVar[str | None] = None
    switch_value: ClassVar[str] = ""

    @classmethod
    def off_reason(cls, env: Mapping[str, str]) -> str | None:
        """Why the source is off tonight, or None when it runs."""
        missing = cls.missing_credentials(env)
        if cls.switch_env and not (
            env.get(cls.switch_env) if not cls.switch_value else env.get(cls.switch_env) == cls.switch_value
        ):
            missing = [f"{cls.switch_env}{'=' + cls.switch_value if cls.switch_value else ''}", *missing]
        return f"{' and '.join(missing)} not set" if missing else None

    def __init__(self, client, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        days = self._setting(LOOKBACK_ENV, DEFAULT_LOOKBACK_DAYS)
        if days < 1:
            raise ValueError(f"{LOOKBACK_ENV} must be at least 1 day, not {days}")
        self.since = self.now - dt.timedelta(days=days)
        self.pages = max(1, self._setting(PAGES_ENV, DEFAULT_PAGES))
        self.truncated = 0  # queries whose pages ran out before the window's start
        self.malformed: Counter[str] = Counter()  # posts skipped as unreadable, by what was wrong

    def skip(self, what: str) -> None:
        """A post of an answer skipped: it lacks `what` (or it is not readable as the platform says)."""
        self.malformed[what] += 1

    def lacks(self, fields: dict[str, bool]) -> bool:
        """Whether a post lacks a field it needs (`fields`: name -> present and readable); a post
        that does is skipped and counted under the fields it lacks."""
        missing = [name for name, ok in fields.items() if not ok]
        if missing:
            self.skip(" and ".join(missing))
        return bool(missing)

    @property
    def request_label(self) -> str:
        return f"{self.platform}_mentions"  # apart from the accounts' requests in the manifest

    def open(self) -> None:
        """Start a session where the platform needs one (a login); CollectError when refused."""

    def search(self, target: SearchTarget) -> list[Found]:
        """The posts the platform's search returns for the target's terms since self.since."""
        raise NotImplementedError

    def post_json(self, url: str, body: Any, headers: dict[str, str] | None = None) -> Fetched:
        """POST a JSON body; the answer is not kept as a raw payload (a session's tokens)."""
        limit, bucket = self.limit_for(url)
        fetched = self.client.post(
            url,
            json_body=body,
            headers=headers or {},
            limit=limit,
            bucket=bucket,
            platform=self.request_label,
        )
        if fetched.status >= 400:
            try:
                payload = fetched.json()
            except CollectError:
                payload = None
            raise self.error_for(fetched, payload) or CollectError(
                "http_error", f"{fetched.url}: HTTP {fetched.status}", fetched.status
            )
        return fetched

    def cost_note(self) -> str | None:
        return None


def search_targets(
    institutions: Iterable[Institution], targets: Iterable[Target], platform: str, log: Callable[[str], None]
) -> list[SearchTarget]:
    """The institutions to search for on a platform, with their terms and own accounts there.

    An institution whose name is no usable term (one common word, "N26") and that gives no
    search_terms is searched by its handles alone, or not at all (said once)."""
    own: dict[str, set[str]] = {}
    for t in targets:
        if t.platform == platform:
            own.setdefault(t.institution_id, set()).add(t.handle.lower().lstrip("@"))
    found = []
    for inst in institutions:
        handles = [h for hs in inst.handles.values() for h in hs]
        try:
            terms = parse_terms(inst.search_terms, inst.name, handles)
        except TermError as exc:
            try:
                terms = parse_terms(None, "", handles)
            except TermError:
                log(f"mentions: {inst.institution_id} not searched: {exc} (give it search_terms)")
                continue
        found.append(SearchTarget(inst.institution_id, terms, frozenset(own.get(inst.institution_id, ()))))
    return found


def search_mentions(
    source: SearchSource,
    targets: list[SearchTarget],
    secret: bytes,
    lists: TextLists | None = None,
    requests: Callable[[], int] = lambda: 0,
) -> SearchOutcome:
    """Every target's mentions on one platform: each post the search returns is checked again
    locally (the terms as whole words, no excluded term), the institution's own posts are left
    out, and the rest get a tone, themes and an author key; the text goes no further."""
    outcome = SearchOutcome(source.platform)
    now = source.now
    try:
        source.open()
    except CollectError as exc:
        outcome.errors += [_error(source, t, exc) for t in targets]
        return outcome
    for target in targets:
        before = requests()
        skipped_before = Counter(source.malformed)
        try:
            posts = source.search(target)
        except CollectError as exc:
            outcome.errors.append(_error(source, target, exc))
            continue
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            outcome.errors.append(
                _error(source, target, CollectError("parse_error", f"unexpected search answer: {exc!r}"))
            )
            continue
        unique = {p.post_id: p for p in posts}.values()
        own = [p for p in unique if any(n.lower().lstrip("@") in target.own for n in p.author_names if n)]
        in_window = [p for p in unique if p not in own and source.since <= p.created_at <= now]
        kept = [p for p in in_window if target.terms.matches(p.text)]
        outcome.dropped += len(in_window) - len(kept)
        tones = classify_many([p.text for p in kept])
        found = 0
        for post, tone in zip(kept, tones, strict=True):
            mention = Mention(
                institution_id=target.institution_id,
                platform=source.platform,
                post_id=post.post_id,
                posted_at=post.created_at,
                collected_at=now,
                author_key=author_key(secret, source.platform, post.author_id),
                language=tone.language,
                tone=tone.label,
                tone_score=tone.score,
                themes=",".join(sorted(themes(post.text, tone.language, lists))),
            )
            if landing_problem(mention) is None:
                outcome.mentions.append(mention)
                found += 1
        outcome.searches.append(
            MentionSearch(
                target.institution_id, source.platform, source.since, now, found, requests() - before
            )
        )
        if skipped := source.malformed - skipped_before:
            outcome.malformed += skipped.total()
            outcome.malformed_errors.append(_malformed(source, target, skipped))
    outcome.requests = requests()
    return outcome


def _error(source: SearchSource, target: SearchTarget, exc: CollectError) -> RunError:
    return RunError(
        institution_id=target.institution_id,
        platform=source.platform,
        handle=None,
        kind=exc.kind,
        message=source.client.redact(f"mentions: {exc.message}"),
        occurred_at=dt.datetime.now(dt.UTC),
        http_status=exc.http_status,
    )


def _malformed(source: SearchSource, target: SearchTarget, skipped: Counter[str]) -> RunError:
    """The parse_error of an institution's search whose answer held posts that could not be read."""
    what = ", ".join(f"{why} ({n})" for why, n in sorted(skipped.items()))
    n = skipped.total()
    return _error(
        source,
        target,
        CollectError("parse_error", f"{n} post{'s' if n != 1 else ''} of the search answer skipped: {what}"),
    )


def summary(outcome: SearchOutcome) -> str:
    """One line of a source's night: institutions searched, mentions kept, loose matches dropped."""
    kinds = Counter(e.kind for e in outcome.errors)
    first = {}
    for e in outcome.errors:
        first.setdefault(e.kind, e.message)
    detail = "".join(f", {n} {k}: {first[k]}" for k, n in sorted(kinds.items()))
    searched = len(outcome.searches)
    return (
        f"{outcome.platform} mentions: {searched}/{searched + len(outcome.errors)} institutions searched, "
        f"{len(outcome.mentions)} mentions kept, {outcome.dropped} loose matches dropped"
        + (f", {outcome.malformed} malformed posts skipped (parse_error)" if outcome.malformed else "")
        + f"{detail} "
        f"({outcome.requests} requests)"
    )
