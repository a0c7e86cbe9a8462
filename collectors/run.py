"""`finsocial collect`: every platform's collector over the registry's accounts, into one run."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from collectors import COLLECTOR_BY_PLATFORM, SEARCH_SOURCES
from collectors.audience import AudienceOutcome, sample_audiences
from collectors.base import EXIT_CODES, Collector, Outcome
from collectors.http import HttpClient
from warehouse.domain.audience import DEFAULT_SAMPLE_SIZE
from warehouse.domain.platforms import OFF_ENV, switched_off
from warehouse.domain.text import load_lists
from warehouse.infra.files import is_no_space, require_free_space
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import load_registry
from warehouse.inputs.targets import Target, collection_targets
from warehouse.landing.records import API_PLATFORMS, RunError
from warehouse.landing.runs import LandingRun
from warehouse.landing.shards import shard_of
from warehouse.landing.store import StoreError, landing_store

# Facts about an account rather than failures of the run.
ACCOUNT_FACTS = frozenset({"not_found", "private"})


@dataclass
class CollectResult:
    """What a collect run did: its id (None when there was nothing to do), status and stats."""

    run_id: str | None
    status: str
    stats: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


class _RunSink:
    """Thread-safe access to the LandingRun for collectors running side by side."""

    def __init__(self, run: LandingRun):
        self.run = run
        self.lock = threading.Lock()

    def keep_raw(self, platform: str, name: str, text: str) -> None:
        with self.lock:
            self.run.add_raw(platform, name, text)

    def count_request(self, platform: str | None) -> None:
        with self.lock:
            self.run.count_request(platform or "other")


def _secrets(env: Mapping[str, str]) -> list[str]:
    names = {n for c in COLLECTOR_BY_PLATFORM.values() for n in c.credential_envs}
    return [env[n] for n in names if env.get(n)]


def _targets_by_platform(
    paths: DataPaths,
    platforms: list[str],
    institution_ids: list[str] | None,
    shard: tuple[int, int] | None = None,
) -> dict[str, list[Target]]:
    """The registry's and discovered accounts on each chosen platform that has any (of `shard`'s share)."""
    institutions = load_registry(paths.registry)
    chosen = set(institution_ids) if institution_ids else None
    targets = collection_targets(institutions, landing_store(paths), set(platforms), chosen)
    if shard is not None:
        targets = [t for t in targets if shard_of(t.platform, t.handle, shard[1]) == shard[0]]
    by_platform = {p: [t for t in targets if t.platform == p] for p in platforms}
    return {p: ts for p, ts in by_platform.items() if ts}


def collect_platform(collector: Collector, targets: list[Target]) -> list[Outcome]:
    """One platform's outcomes; accounts that failed for a passing reason get one more try."""
    outcomes = collector.collect(targets)
    again = [o.target for o in outcomes if o.retryable]
    if again:
        retried = {(o.target.institution_id, o.target.handle): o for o in collector.collect(again)}
        outcomes = [retried.get((o.target.institution_id, o.target.handle), o) for o in outcomes]
    return outcomes


def _skipped(collector_cls: type[Collector], targets: list[Target], missing: list[str]) -> list[Outcome]:
    now = dt.datetime.now(dt.UTC)
    message = f"{collector_cls.platform} skipped: {', '.join(missing)} not set"
    return [
        Outcome(t, error=RunError(t.institution_id, t.platform, t.handle, "auth_missing", message, now))
        for t in targets
    ]


def platforms_off(env: Mapping[str, str], platforms: list[str]) -> dict[str, str]:
    """Of these platforms, those that are off, each with why: switched off, or a credential not set."""
    off: dict[str, str] = {}
    switched = switched_off(env)
    for platform in platforms:
        if platform in switched:
            off[platform] = f"switched off in {OFF_ENV}"
        elif missing := COLLECTOR_BY_PLATFORM[platform].missing_credentials(env):
            off[platform] = f"{' and '.join(missing)} not set"
    return off


def _crashed(targets: list[Target], message: str) -> list[Outcome]:
    now = dt.datetime.now(dt.UTC)
    return [
        Outcome(t, error=RunError(t.institution_id, t.platform, t.handle, "parse_error", message, now))
        for t in targets
    ]


def run_status(outcomes: list[Outcome]) -> str:
    if not outcomes:
        return "nothing"
    failures = [o for o in outcomes if o.error is not None and o.error.kind not in ACCOUNT_FACTS]
    collected = [o for o in outcomes if o.collected]
    if not failures:
        return "complete"
    return "partial" if collected else "failed"


def collect(
    paths: DataPaths,
    platforms: list[str] | None = None,
    institution_ids: list[str] | None = None,
    run_date: dt.date | None = None,
    log: Callable[[str], None] = print,
    progress: bool = False,
    *,
    client: HttpClient | None = None,
    now: dt.datetime | None = None,
    env: Mapping[str, str] | None = None,
    shard: tuple[int, int] | None = None,
) -> CollectResult:
    """Collect every registry account on the API platforms into one landing run (no build).

    `shard` (k, n): only the accounts whose key hashes to shard k of n (collect --shard k/n), in
    a run of their own; the night is the union of its shards' runs.
    """
    started = time.monotonic()
    env = os.environ if env is None else env
    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone(dt.UTC).date()
    run_date = run_date or today
    if run_date > today:
        # a count for a day not yet come would be today's count under a wrong date, as for imports
        raise ValueError(f"--date {run_date} is in the future (today is {today} UTC)")
    chosen = [p for p in (platforms or API_PLATFORMS) if p in API_PLATFORMS]
    for platform in platforms or []:
        if platform not in API_PLATFORMS:
            log(f"{platform}: no API collector (its counts come in through `finsocial import-counts`)")
    by_platform = _targets_by_platform(paths, chosen, institution_ids, shard)
    if shard is not None:
        n = sum(len(ts) for ts in by_platform.values())
        log(f"shard {shard[0]}/{shard[1]}: {n} account{'s' if n != 1 else ''}")
    # A platform the operator did not name is off when switched off (FINSOCIAL_PLATFORMS_OFF) or
    # without its credential: named once, not collected, not a failure. A platform named with
    # --platform is on, so a missing credential there still fails.
    off = {} if platforms else platforms_off(env, list(by_platform))
    for platform, reason in off.items():
        n = len(by_platform.pop(platform))
        log(f"{platform}: off, {reason} ({n} account{'s' if n != 1 else ''} not collected)")
    if not by_platform:
        if off:
            log(f"nothing to collect: every platform with accounts is off ({', '.join(off)})")
        else:
            log(
                "nothing to collect: no registry or discovered accounts on the chosen platforms. Next: "
                "add handles to the registry (finsocial registry import FILE) or find them with finsocial discover"
            )
        return CollectResult(
            None, "nothing", {"accounts_tried": 0, "accounts_collected": 0, "platforms_off": off}
        )

    # the user's phrase lists (empty replies) are read before any API call: a bad file stops here
    text_lists = load_lists(paths.text_lists) if paths.text_lists.exists() else None
    paths.ensure()
    # the API calls are spent only when the records can be kept: a full disk stops before them
    require_free_space(paths.landing, "collect")
    run = LandingRun(landing_store(paths), "collect", run_date, shard=shard)
    sink = _RunSink(run)
    client = client or HttpClient()
    client.on_request = sink.count_request
    for secret in _secrets(env):
        client.add_secret(secret)

    results: dict[str, list[Outcome]] = {}
    for platform, platform_targets in by_platform.items():
        cls = COLLECTOR_BY_PLATFORM[platform]
        if missing := cls.missing_credentials(env):
            n = len(platform_targets)
            log(f"{platform}: skipped, {' and '.join(missing)} not set ({n} account{'s' if n != 1 else ''})")
            results[platform] = _skipped(cls, platform_targets, missing)
    running = [p for p in by_platform if p not in results]

    # Webcare threads are read unless FINSOCIAL_WEBCARE=0; platforms that bill reads ask their own opt-in.
    webcare = env.get("FINSOCIAL_WEBCARE", "1") != "0"

    def work(platform: str) -> list[Outcome]:
        cls = COLLECTOR_BY_PLATFORM[platform]
        collector = cls(
            client, env=env, now=now, snapshot_date=run_date, keep_raw=sink.keep_raw, webcare=webcare
        )
        collector.text_lists = text_lists
        if collector.thread_posts and (note := collector.cost_note()):
            log(note)
        try:
            return collect_platform(collector, by_platform[platform])
        except Exception as exc:  # one failing platform never stops the others
            message = client.redact(f"collector failed: {type(exc).__name__}: {exc}")
            log(f"{platform}: {message}")
            return _crashed(by_platform[platform], message)

    # Each platform's records land as a part of the run as soon as it is done, not all at the end:
    # a disk that fills late in the night loses only what was collected after the last part.
    landing_full: list[str] = []

    def land_platform(platform: str) -> None:
        for outcome in results[platform]:
            if outcome.snapshot is not None:
                run.add(outcome.snapshot)
            run.extend(outcome.posts)
            run.extend(outcome.comments)
            if outcome.webcare_error is not None:
                run.add(outcome.webcare_error)
            if outcome.account is not None:
                run.add(outcome.account)
            if outcome.error is not None:
                run.add(outcome.error)
        if landing_full:
            return  # the records stay held: commit tries once more, then says what was lost
        try:
            run.flush()
        except OSError as exc:
            if not is_no_space(exc):
                raise
            landing_full.append(f"{platform}: {exc}")
            log(
                f"{platform}: no space left to land its records as it went ({exc}); the run lands what was written"
            )
        except StoreError as exc:  # the landing zone on S3 refused a part: commit tries once more
            landing_full.append(f"{platform}: {exc}")
            log(f"{platform}: the store refused its records as they went ({exc}); commit tries again")

    for platform in [p for p in by_platform if p in results]:  # the skipped ones
        land_platform(platform)
    reporter = _Reporter(log, progress, {p: len(by_platform[p]) for p in running})
    with (
        reporter,
        ThreadPoolExecutor(max_workers=max(1, len(running)), thread_name_prefix="collect") as pool,
    ):
        futures = {p: pool.submit(work, p) for p in running}
        for platform, future in futures.items():
            results[platform] = future.result()
            reporter.done(platform, results[platform], run.requests.get(platform, 0))
            land_platform(platform)

    # Mentions: every chosen institution searched on each platform whose search is on (shard 1 of
    # a sharded night searches: a search is per institution, not per account).
    mention_stats = {}
    if shard is None or shard[0] == 1:
        mention_stats = _search_mentions(paths, run, sink, client, chosen, institution_ids, now, env, log)

    outcomes = [o for p in by_platform for o in results[p]]
    status = run_status(outcomes)
    failed_by_kind = Counter(o.error.kind for o in outcomes if o.error is not None)
    stats = {
        "accounts_tried": len(outcomes),
        "accounts_collected": sum(o.collected for o in outcomes),
        "posts": sum(len(o.posts) for o in outcomes),
        "comments": sum(len(o.comments) for o in outcomes),
        "failed_by_kind": dict(failed_by_kind),
        "by_platform": {
            p: {
                "tried": len(results[p]),
                "collected": sum(o.collected for o in results[p]),
                "requests": run.requests.get(p, 0),
            }
            for p in by_platform
        },
        "requests": dict(run.requests),
        "platforms_off": off,
        "mentions": mention_stats,
        "duration_s": round(time.monotonic() - started, 3),
    }
    run.commit(status, stats)
    if run.landed_status and run.landed_status != status:  # the disk filled: parts landed, not all
        status = run.landed_status
        log(f"run {run.run_id}: {run.landed_note}")
    log(
        f"run {run.run_id}: {status}, {stats['accounts_collected']}/{stats['accounts_tried']} accounts collected, "
        f"{sum(run.requests.values())} requests"
        + (
            f", failures: {', '.join(f'{k} {v}' for k, v in sorted(failed_by_kind.items()))}"
            if failed_by_kind
            else ""
        )
    )
    return CollectResult(run.run_id, status, stats)


def _search_mentions(
    paths: DataPaths,
    run: LandingRun,
    sink: _RunSink,
    client: HttpClient,
    platforms: list[str],
    institution_ids: list[str] | None,
    now: dt.datetime,
    env: Mapping[str, str],
    log: Callable[[str], None],
) -> dict[str, dict]:
    """Each search source that is on, over the chosen institutions: its mentions, the searches
    that ran and their errors into the run. A source without its credentials is off: said once,
    no failure. A failing search is a run error of its own (kind and message) and leaves the
    accounts' counts, and the run's status, as they are."""
    from collectors.mentions import SearchOutcome, search_mentions, search_targets, summary
    from warehouse.domain.text import load_lists, load_or_create_secret

    sources = [cls for cls in SEARCH_SOURCES if cls.platform in platforms]
    on = []
    for cls in sources:
        if reason := cls.off_reason(env):
            log(f"{cls.platform} mentions: off, {reason}")
        else:
            on.append(cls)
    if not on:
        return {}
    institutions = load_registry(paths.registry)
    if institution_ids:
        institutions = [i for i in institutions if i.institution_id in set(institution_ids)]
    accounts = collection_targets(institutions, landing_store(paths), set(platforms))
    secret = load_or_create_secret(paths.author_secret)
    lists = load_lists(paths.text_lists if paths.text_lists.exists() else None)
    stats = {}
    for cls in on:
        source = cls(client, env=env, now=now, keep_raw=sink.keep_raw)
        if note := source.cost_note():
            log(note)
        targets = search_targets(institutions, accounts, cls.platform, log)
        try:
            outcome = search_mentions(
                source, targets, secret, lists, lambda label=source.request_label: run.requests.get(label, 0)
            )
        except Exception as exc:  # a failing search never costs the night's counts
            message = client.redact(f"mentions: search failed: {type(exc).__name__}: {exc}")
            failed = dt.datetime.now(dt.UTC)
            outcome = SearchOutcome(cls.platform)
            outcome.errors = [
                RunError(t.institution_id, cls.platform, None, "parse_error", message, failed)
                for t in targets
            ]
        run.extend(outcome.mentions)
        run.extend(outcome.searches)
        run.extend(outcome.errors)
        run.extend(outcome.malformed_errors)
        log(
            summary(outcome)
            + (f"; {source.truncated} queries had more pages than a night reads" if source.truncated else "")
        )
        stats[cls.platform] = {
            "searched": len(outcome.searches),
            "mentions": len(outcome.mentions),
            "dropped": outcome.dropped,
            "malformed": outcome.malformed,
            "failed": len(outcome.errors),
            "requests": outcome.requests,
        }
    return stats


# Platforms whose follower lists and their counts are public: those whose collector samples them.
AUDIENCE_PLATFORMS = tuple(
    p for p, cls in COLLECTOR_BY_PLATFORM.items() if cls.fetch_followers is not Collector.fetch_followers
)


def collect_audience(
    paths: DataPaths,
    platforms: list[str] | None = None,
    institution_ids: list[str] | None = None,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    run_date: dt.date | None = None,
    log: Callable[[str], None] = print,
    *,
    client: HttpClient | None = None,
    now: dt.datetime | None = None,
    env: Mapping[str, str] | None = None,
) -> CollectResult:
    """Sample up to `sample_size` of each account's newest followers into one 'audience' run.

    Only the aggregates land (AudienceSample); follower pages are neither kept nor logged.
    """
    if sample_size < 1:
        raise ValueError(f"sample size must be at least 1, not {sample_size}")
    started = time.monotonic()
    env = os.environ if env is None else env
    now = now or dt.datetime.now(dt.UTC)
    run_date = run_date or now.astimezone(dt.UTC).date()
    chosen = [p for p in (platforms or AUDIENCE_PLATFORMS) if p in AUDIENCE_PLATFORMS]
    for platform in platforms or []:
        if platform not in AUDIENCE_PLATFORMS:
            log(f"{platform}: no follower sample (its follower lists are not public)")
    by_platform = _targets_by_platform(paths, chosen, institution_ids)
    if not by_platform:
        log("nothing to sample: no Bluesky or Mastodon accounts in the registry")
        return CollectResult(None, "nothing", {"accounts_tried": 0, "accounts_collected": 0})
    paths.ensure()
    run = LandingRun(landing_store(paths), "audience", run_date)
    sink = _RunSink(run)
    client = client or HttpClient()
    client.on_request = sink.count_request

    def work(platform: str) -> list[AudienceOutcome]:
        cls = COLLECTOR_BY_PLATFORM[platform]
        collector = cls(client, env=env, now=now, snapshot_date=run_date, keep_raw=sink.keep_raw)
        log(f"{platform}: sampling the followers of {len(by_platform[platform])} accounts")
        return sample_audiences(
            collector, by_platform[platform], sample_size, lambda: run.requests.get(platform, 0)
        )

    with ThreadPoolExecutor(max_workers=len(by_platform), thread_name_prefix="audience") as pool:
        futures = {p: pool.submit(work, p) for p in by_platform}
        results = {p: f.result() for p, f in futures.items()}
    outcomes = [o for p in by_platform for o in results[p]]
    for outcome in outcomes:
        run.add(outcome.sample or outcome.error)
    sampled = [o.sample for o in outcomes if o.sample is not None]
    failures = [o for o in outcomes if o.error is not None and o.error.kind not in ACCOUNT_FACTS]
    status = "complete" if not failures else ("partial" if sampled else "failed")
    stats = {
        "accounts_tried": len(outcomes),
        "accounts_collected": len(sampled),
        "followers_sampled": sum(s.sample_size for s in sampled),
        "sample_size": sample_size,
        "failed_by_kind": dict(Counter(o.error.kind for o in outcomes if o.error is not None)),
        "requests": dict(run.requests),
        "duration_s": round(time.monotonic() - started, 3),
    }
    run.commit(status, stats)
    log(
        f"run {run.run_id}: {status}, {len(sampled)}/{len(outcomes)} accounts sampled, "
        f"{stats['followers_sampled']} followers, {sum(run.requests.values())} requests"
    )
    return CollectResult(run.run_id, status, stats)


class _Reporter:
    """A rich progress bar on a terminal, plain log lines otherwise."""

    def __init__(self, log: Callable[[str], None], progress: bool, totals: dict[str, int]):
        self.log = log
        self.totals = totals
        self.bar = None
        if progress and sys.stdout.isatty():
            from rich.progress import Progress

            self.bar = Progress(transient=False)
            self.tasks = {p: self.bar.add_task(p, total=n) for p, n in totals.items()}

    def __enter__(self) -> _Reporter:
        if self.bar is not None:
            self.bar.start()
        else:
            for platform, n in self.totals.items():
                self.log(f"{platform}: collecting {n} account{'s' if n != 1 else ''}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def done(self, platform: str, outcomes: list[Outcome], requests: int) -> None:
        collected = sum(o.collected for o in outcomes)
        kinds = Counter(o.error.kind for o in outcomes if o.error is not None)
        # each kind with the cause of its first failure, so the console line says why
        first = {}
        for o in outcomes:
            if o.error is not None:
                first.setdefault(o.error.kind, o.error.message)
        detail = "".join(f", {n} {k}: {first[k]}" for k, n in sorted(kinds.items()))
        line = f"{platform}: {collected}/{len(outcomes)} collected{detail} ({requests} requests)"
        if self.bar is not None:
            self.bar.update(self.tasks[platform], completed=len(outcomes), description=platform)
            self.bar.console.print(line)
        else:
            self.log(line)


__all__ = ["CollectResult", "collect", "collect_audience"]
