"""Weekly follower samples: the newest followers' own counts, reduced to aggregates at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from collectors.base import Collector, Follower, chunks
from collectors.http import CollectError
from warehouse.domain.audience import aggregate
from warehouse.inputs.targets import Target
from warehouse.landing.records import AudienceSample, RunError


@dataclass
class AudienceOutcome:
    """What one audience run learnt about one account: a sample's aggregates, or an error."""

    target: Target
    sample: AudienceSample | None = None
    error: RunError | None = None


def summarize(
    collector: Collector,
    target: Target,
    followers: list[Follower],
    *,
    followers_total: int | None,
    requests: int | None,
) -> AudienceSample:
    """A sample's aggregates: the counts behind the shares, the median and its interval."""
    activity = [(f.shows_activity, f.last_post) for f in followers]
    return AudienceSample(
        institution_id=target.institution_id,
        platform=collector.platform,
        handle=target.handle,
        sample_date=collector.snapshot_date,
        collected_at=collector.now,
        followers_total=followers_total,
        requests=requests,
        **aggregate(
            [f.followers for f in followers],
            # only a platform whose profiles show a last-post date can say who is inactive
            activity if collector.profiles_show_activity else None,
            collector.snapshot_date,
        ),
    )


def sample_audiences(
    collector: Collector, targets: list[Target], size: int, requests_so_far: Callable[[], int]
) -> list[AudienceOutcome]:
    """Every target's follower sample of up to `size` followers, newest first.

    `requests_so_far` reads the platform's request counter: an account's requests are the
    difference across its sample (the platform's accounts are sampled one after another).
    """
    outcomes: list[AudienceOutcome] = []
    for batch in chunks(targets, collector.batch_size):
        try:
            profiles = collector.fetch_profiles([t.handle for t in batch])
        except CollectError as exc:
            outcomes.extend(AudienceOutcome(t, error=collector.run_error(t, exc)) for t in batch)
            continue
        for target in batch:
            found = profiles.get(target.handle)
            if found is None:
                found = CollectError("not_found", f"no {collector.platform} account {target.handle!r}")
            if isinstance(found, CollectError):
                outcomes.append(AudienceOutcome(target, error=collector.run_error(target, found)))
                continue
            before = requests_so_far()
            try:
                sampled = collector.fetch_followers(target, found, size)
                total = collector.followers_total(found)
                if total and not sampled:
                    raise CollectError("private", f"{target.handle} does not show its followers")
            except CollectError as exc:
                outcomes.append(AudienceOutcome(target, error=collector.run_error(target, exc)))
                continue
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                error = CollectError("parse_error", f"unexpected follower list format: {exc!r}")
                outcomes.append(AudienceOutcome(target, error=collector.run_error(target, error)))
                continue
            sample = summarize(
                collector, target, sampled, followers_total=total, requests=requests_so_far() - before
            )
            outcomes.append(AudienceOutcome(target, sample=sample))
    return outcomes


__all__ = ["AudienceOutcome", "Follower", "sample_audiences", "summarize"]
