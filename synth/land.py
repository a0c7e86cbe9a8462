"""Land a generated world through the landing zone's run writer, one run per window of days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from synth.draw import ExtraRecords, counts, ints, timestamps
from synth.practices import SAYS_CLOSED
from synth.world import FIRST_SEEN, World
from warehouse.domain.platforms import PLATFORM_BY_NAME
from warehouse.infra.paths import DataPaths
from warehouse.landing.runs import LandingRun
from warehouse.landing.store import landing_store

DEMO_NOTICE = "Demo data: fictional institutions with generated numbers, not real figures."
SNAPSHOT_SECONDS = 2 * 3600 + 15 * 60  # a night's collection runs at 02:15 UTC
RERUN_SECONDS = 23 * 3600
LIKES_AND_COMMENTS = 0.85  # of a post's interactions; shares 0.12 and quotes 0.03 where counted


def land(
    paths: DataPaths,
    world: World,
    extras: list[ExtraRecords],
    rng: np.random.Generator,
    log=None,
) -> tuple[int, int]:
    """Write the world's runs into paths.landing; return (runs, snapshots)."""
    spec = world.spec
    n_days = world.n_days
    windows = [(lo, min(lo + spec.run_days, n_days)) for lo in range(0, n_days, spec.run_days)]
    posts = _Posts(world, rng)
    extras_by_day = [_by_day(e) for e in extras]
    n_runs = n_snaps = 0
    for w, (lo, hi) in enumerate(windows):
        run_date = world.first_day + dt.timedelta(days=hi - 1)
        started = dt.datetime.combine(run_date, spec.run_time, dt.UTC)
        stamp = f"{run_date:%Y%m%d}T{spec.run_time:%H%M%S}Z-{spec.name}"
        parts = [("demo", None)] if spec.demo else [("collect", True), ("import", False)]
        for kind, api_only in parts:
            run = LandingRun(
                landing_store(paths),
                kind,
                run_date,
                demo=spec.demo,
                run_id=f"{stamp}-{kind}-{w:04d}",
                started_at=started,
            )
            accounts = world.api if api_only else (~world.api if api_only is False else None)
            snaps = _snapshots(world, lo, hi, accounts, rerun=spec.reruns and w > 0 and api_only is not False)
            if snaps.num_rows:
                run.add_table("snapshots", snaps)
            failed = 0
            if api_only is not False:
                posts.add(run, lo, hi)
                failed = _add_errors(run, world, lo, hi)
                for kind_, days, table in extras_by_day:
                    a, b = np.searchsorted(days, [lo, hi])
                    if b > a:
                        run.add_table(kind_, table.slice(a, b - a))
                if spec.land_accounts and w == 0:
                    run.add_table("accounts", _accounts(world, run_date))
            elif not snaps.num_rows:
                continue
            stats = {
                "accounts_tried": snaps.num_rows + failed,
                "accounts_collected": snaps.num_rows,
                "accounts_failed": failed,
            }
            stats["demo" if spec.demo else "synthetic"] = DEMO_NOTICE if spec.demo else spec.name
            run.count_request("api" if api_only is not False else "manual", 0)
            run.commit(status="partial" if failed else "complete", stats=stats)
            n_runs += 1
            n_snaps += snaps.num_rows
        if log and ((w + 1) % max(1, len(windows) // 5) == 0 or w + 1 == len(windows)):
            log(f"landed {w + 1} of {len(windows)} {spec.name} runs")
    return n_runs, n_snaps


def _by_day(extra: ExtraRecords) -> tuple[str, np.ndarray, pa.Table]:
    order = np.argsort(extra.day, kind="stable")
    return extra.kind, np.asarray(extra.day)[order], extra.table.take(pa.array(order))


def _snapshots(world: World, lo: int, hi: int, accounts: np.ndarray | None, rerun: bool) -> pa.Table:
    """The snapshots of days [lo, hi) of `accounts` (all when None); with `rerun`, the night before
    collected again late that day, with a changed count (staging keeps the latest collected_at)."""
    sub = world.observed[:, lo:hi]
    if accounts is not None:
        sub = sub & accounts[:, None]
    a_idx, d_idx = np.nonzero(sub)
    d_idx = d_idx + lo
    seconds = (world.day0 + d_idx) * 86400 + SNAPSHOT_SECONDS
    bump = np.zeros(len(a_idx), dtype=np.int64)
    if rerun:
        again = np.flatnonzero(world.observed[:, lo - 1] & (accounts if accounts is not None else True))
        a_idx = np.concatenate([a_idx, again])
        d_idx = np.concatenate([d_idx, np.full(len(again), lo - 1)])
        seconds = np.concatenate(
            [seconds, (world.day0 + lo - 1) * 86400 + np.full(len(again), RERUN_SECONDS)]
        )
        bump = np.concatenate([bump, np.ones(len(again), dtype=np.int64)])
    n = len(a_idx)
    rounded = np.array([PLATFORM_BY_NAME[p].rounds for p in world.platforms])[world.acc_plat[a_idx]]
    api = world.api[a_idx]
    followers = world.followers[a_idx, d_idx] + bump
    posts_total = world.posts_total[a_idx, d_idx]
    return pa.table(
        {
            **world.account_columns(a_idx),
            "snapshot_date": pa.array((world.day0 + d_idx).astype(np.int32), pa.date32()),
            "collected_at": timestamps(seconds),
            "followers": ints(followers),
            "following": ints(world.following[a_idx], ~world.reports("following", a_idx)),
            "posts_total": ints(posts_total, ~world.reports("posts_total", a_idx)),
            "likes_total": ints(followers * world.likes_ratio[a_idx], ~world.reports("likes_total", a_idx)),
            "views_total": ints(
                world.followers[a_idx, 0] * 60 + posts_total * 500, ~world.reports("views_total", a_idx)
            ),
            "platform_id": pa.nulls(n, pa.string()),
            "precision": pa.array(np.where(rounded, "rounded", "exact"), pa.string()),
            "method": pa.array(np.where(api, "api", "manual"), pa.string()),
            "posts_observed": pa.array(api),
            "source": pa.array(np.where(api, None, f"{world.spec.name}: published figures"), pa.string()),
        }
    )


class _Posts:
    """Posts are first landed `post_lag` days after they were posted (the last `reseen_days` of the
    previous window are landed again); counts first seen within a week are FIRST_SEEN of the final."""

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        self.world = world
        order = np.argsort(world.post_day, kind="stable")
        self.order = order
        self.day = world.post_day[order]
        spec = world.spec
        profiles = [spec.platforms[p] for p in world.platforms]
        plat = world.acc_plat[world.post_acc[order]]
        self.no_shares = ~np.array([p.post_shares for p in profiles])[plat]
        self.no_quotes = ~np.array([p.post_quotes for p in profiles])[plat]
        self.no_views = ~np.array([p.post_views for p in profiles])[plat]
        # where the platform says whether a post's replies are closed, the demo's posts are open
        self.says_closed = np.isin(np.array(world.platforms), SAYS_CLOSED)[plat]
        self.rng = rng
        self.texts = None
        if spec.demo:
            self.texts = pa.array(
                [f"Demo post from a fictional institution ({p})." for p in world.platforms], pa.string()
            ).take(pa.array(plat))

    def add(self, run: LandingRun, lo: int, hi: int) -> None:
        spec = self.world.spec
        a, b = np.searchsorted(self.day, [lo - spec.post_lag - spec.reseen_days, hi - spec.post_lag])
        if b <= a:
            return
        idx = self.order[a:b]
        world = self.world
        day = self.day[a:b]
        total = world.post_interactions[idx] * np.where(hi - 1 - day < 7, FIRST_SEEN, 1.0)
        n = b - a
        rng = self.rng
        acc = world.post_acc[idx]
        # likes and comments are LIKES_AND_COMMENTS of the interactions, split by the post's own
        # comments per like (synth/world.py); shares, quotes and views are fixed shares
        ratio = world.post_comments_per_like[idx]
        likes = total * LIKES_AND_COMMENTS / (1 + ratio)
        run.add_table(
            "posts",
            pa.table(
                {
                    **world.account_columns(acc),
                    "post_id": world.post_ids.take(pa.array(idx)),
                    "posted_at": timestamps(world.post_seconds[idx]),
                    "collected_at": timestamps(np.full(n, (world.day0 + hi - 1) * 86400) + _seconds(spec)),
                    "url": pa.nulls(n, pa.string()),
                    "text": self.texts.slice(a, n) if self.texts is not None else pa.nulls(n, pa.string()),
                    "likes": ints(counts(rng, likes)),
                    "comments": ints(counts(rng, likes * ratio)),
                    "shares": ints(counts(rng, total * 0.12), self.no_shares[a:b]),
                    "quotes": ints(counts(rng, total * 0.03), self.no_quotes[a:b]),
                    "views": ints(counts(rng, total * 40), self.no_views[a:b]),
                    "comments_closed": pa.array(np.zeros(n, bool), mask=~self.says_closed[a:b]),
                }
            ),
        )


def _seconds(spec) -> int:
    return spec.run_time.hour * 3600 + spec.run_time.minute * 60 + spec.run_time.second


def _add_errors(run: LandingRun, world: World, lo: int, hi: int) -> int:
    """A run error for each API account missing on a night it existed, outside platform outages."""
    missing = world.alive[:, lo:hi] & ~world.observed[:, lo:hi] & world.api[:, None]
    outage = np.zeros_like(missing)
    for platform, where, length in world.spec.outages:
        if platform in world.platforms:
            first = int(world.n_days * where)
            cols = np.arange(max(first, lo), min(first + length, hi)) - lo
            outage[np.ix_(world.acc_plat == world.platforms.index(platform), cols)] = True
    a_idx, d_rel = np.nonzero(missing & ~outage)
    n = len(a_idx)
    if n == 0:
        return 0
    kinds = np.array(["rate_limited", "timeout", "http_error"])[(a_idx + d_rel) % 3]
    run.add_table(
        "errors",
        pa.table(
            {
                **world.account_columns(a_idx),
                "kind": pa.array(kinds, pa.string()),
                "message": pa.array(np.full(n, f"{world.spec.name}: simulated failure"), pa.string()),
                "occurred_at": timestamps((world.day0 + lo + d_rel) * 86400 + SNAPSHOT_SECONDS),
                "http_status": pa.nulls(n, pa.int64()),
            }
        ),
    )
    return n


def _accounts(world: World, day: dt.date) -> pa.Table:
    n = len(world.handles)
    seconds = ((day - world.first_day).days + world.day0) * 86400
    return pa.table(
        {
            **world.account_columns(np.arange(n)),
            "observed_at": timestamps(np.full(n, seconds)),
            "url": pa.nulls(n, pa.string()),
            "platform_id": pc.cast(pa.array(np.arange(n) + 5 * 10**8), pa.string()),
            "display_name": pa.array([i.name for i in world.institutions], pa.string()).take(
                pa.array(world.acc_inst)
            ),
            "found_via": pa.array(np.full(n, "collected"), pa.string()),
            "found_on": pa.nulls(n, pa.string()),
            "status": pa.array(np.full(n, "active"), pa.string()),
        }
    )
