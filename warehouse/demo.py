"""A deterministic demo: fictional institutions, landed through the collectors' landing path."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from warehouse.landing.records import SCHEMAS
from warehouse.landing.runs import LandingRun
from warehouse.paths import DataPaths
from warehouse.registry import Institution, save_registry

DEMO_NOTICE = "Demo data: fictional institutions with generated numbers, not real figures."
DEMO_DB = "data/demo/finsocial.duckdb"
SEED = 20261122

COUNTRIES = ("NL", "GB", "US", "DE", "FR", "ES", "CA", "AU", "IN", "NG")
_FIRST = (
    "Vel",
    "Quor",
    "Zan",
    "Bril",
    "Ost",
    "Mar",
    "Tyr",
    "Lun",
    "Kes",
    "Dra",
    "Fen",
    "Wyn",
    "Cal",
    "Hol",
    "Ester",
    "Jun",
    "Nor",
    "Pell",
)
_SECOND = ("dora", "mere", "vale", "holt", "wick", "stone", "fjord", "lyn", "crest", "brook", "moor", "haven")
_KINDS = (
    ("bank", 0.55, "Bank"),
    ("insurer", 0.18, "Assurance"),
    ("credit_union", 0.1, "Credit Union"),
    ("neobank", 0.08, ""),
    ("card_issuer", 0.04, "Card Services"),
    ("investment", 0.05, "Capital"),
)
# platform: (share of institutions present, audience relative to Facebook, posts a week, method)
PLATFORM_PROFILE = {
    "facebook": (0.95, 1.0, 4.0, "api"),
    "x": (0.9, 0.45, 8.0, "api"),
    "instagram": (0.85, 0.6, 3.0, "api"),
    "youtube": (0.75, 0.12, 0.7, "api"),
    "linkedin": (0.95, 0.7, 0.0, "manual"),
    "tiktok": (0.4, 0.35, 0.0, "manual"),
    "bluesky": (0.35, 0.012, 3.0, "api"),
    "mastodon": (0.15, 0.004, 2.0, "api"),
    "threads": (0.3, 0.1, 0.0, "manual"),
}
# engagement rate (%) of a typical account with 10,000 followers, per platform
ENGAGEMENT_AT_10K = {
    "facebook": 0.15,
    "x": 0.08,
    "instagram": 1.0,
    "youtube": 0.5,
    "bluesky": 1.5,
    "mastodon": 2.0,
    "linkedin": 0.5,
    "tiktok": 2.0,
    "threads": 0.5,
}
_WEEKDAY = np.array([1.25, 1.2, 1.15, 1.1, 1.0, 0.35, 0.25])


@dataclass(frozen=True)
class DemoSpec:
    institutions: int = 64
    days: int = 450
    end: dt.date | None = None  # the last day; today (UTC) by default


def _handle(platform: str, slug: str) -> str:
    short = slug.replace("-", "")[:10]
    return {
        "facebook": f"{slug}.demo",
        "x": f"{short}_demo",
        "instagram": f"{short}.demo",
        "youtube": f"@{slug}-demo",
        "linkedin": f"company/{slug}-demo",
        "tiktok": f"{short}.demo",
        "bluesky": f"{slug}.demo.example",
        "mastodon": f"{short}@social.example",
        "threads": f"{short}.demo",
    }[platform]


def demo_institutions(rng: np.random.Generator, n: int) -> list[Institution]:
    kinds = [k for k, _, _ in _KINDS]
    weights = np.array([w for _, w, _ in _KINDS])
    suffix = {k: s for k, _, s in _KINDS}
    names: set[str] = set()
    out = []
    while len(out) < n:
        stem = rng.choice(_FIRST) + rng.choice(_SECOND)
        kind = str(rng.choice(kinds, p=weights / weights.sum()))
        name = f"{stem} {suffix[kind]}".strip() if kind != "neobank" else stem[:-1] + "ly"
        if name in names:
            continue
        names.add(name)
        country = str(COUNTRIES[len(out) % len(COUNTRIES)])
        slug = name.lower().replace(" ", "-")
        groups = [f"{country.lower()}-{'banks' if kind in ('bank', 'neobank', 'credit_union') else kind}"]
        if kind == "neobank":
            groups.append("neobanks")
        out.append(
            Institution(
                institution_id=slug,
                name=name,
                kind=kind,
                country=country,
                website=f"https://www.{slug}.example/",
                groups=tuple(groups),
            )
        )
    return out


def generate(paths: DataPaths, spec: DemoSpec = DemoSpec(), log=None) -> int:
    """Write the demo registry and one landing run per day; return the number of runs."""
    rng = np.random.default_rng(SEED)
    end = spec.end or dt.datetime.now(dt.UTC).date()
    days = [end - dt.timedelta(days=spec.days - 1 - i) for i in range(spec.days)]
    institutions = demo_institutions(rng, spec.institutions)
    size = 10 ** rng.uniform(2.6, 6.3, len(institutions))  # Facebook audience, 400 to 2M
    size[:3] = [4.5e6, 2.8e6, 1.9e6]  # a few national champions
    accounts = []  # (inst, platform, handle, start_day, followers0, monthly_growth, quality)
    with_handles = []
    for inst, base in zip(institutions, size, strict=True):
        handles: dict[str, tuple[str, ...]] = {}
        for platform, (share, rel, _, _) in PLATFORM_PROFILE.items():
            if rng.random() > share:
                continue
            handle = _handle(platform, inst.institution_id)
            handles[platform] = (handle,)
            young = platform in ("bluesky", "threads") and rng.random() < 0.5
            start = (
                int(rng.integers(spec.days // 8, max(spec.days // 8 + 1, spec.days - 120))) if young else 0
            )
            followers0 = max(20.0, base * rel * rng.lognormal(0, 0.6))
            growth = rng.normal({"bluesky": 4.0, "x": -0.4, "tiktok": 3.0}.get(platform, 0.9), 1.2)
            quality = rng.lognormal(0, 0.5)
            accounts.append((inst, platform, handle, start, followers0, growth / 100, quality))
        with_handles.append(
            Institution(**{**inst.__dict__, "handles": handles})  # type: ignore[arg-type]
        )
    save_registry(with_handles, paths.registry)

    n_days = spec.days
    day_index = np.arange(n_days)
    snapshots: list[dict[str, np.ndarray | list]] = []
    posts: list[dict] = []
    errors_by_day: dict[int, list[dict]] = {}
    # platform outages, placed relative to the span so that any length has them
    outage = {
        "x": range(n_days * 4 // 9, n_days * 4 // 9 + 4),
        "instagram": range(n_days * 2 // 3, n_days * 2 // 3 + 2),
    }
    anomalous = set(rng.choice(len(accounts), 5, replace=False).tolist())
    for a_idx, (inst, platform, handle, start, f0, growth, quality) in enumerate(accounts):
        _, _, posts_week, method = PLATFORM_PROFILE[platform]
        walk = np.cumsum(rng.normal(0, 0.002, n_days))
        curve = f0 * np.exp(growth / 30 * (day_index - start) + walk - walk[start])
        if a_idx in anomalous:  # a platform cleaning out fake accounts: a lasting drop
            purge = int(rng.integers(start + (n_days - start) // 4, n_days - (n_days - start) // 8))
            curve[purge:] *= rng.uniform(0.75, 0.85)
        followers = np.round(curve).astype(np.int64)
        present = day_index >= start
        if method == "manual":
            present &= (day_index - start) % 7 == 0  # weekly published figures
        else:
            present &= rng.random(n_days) > 0.01  # a missed night now and then
            for day in outage.get(platform, ()):
                present[day] = False
        precision = "exact"
        if platform == "youtube":  # the API rounds subscribers to 3 significant figures
            digits = np.maximum(0, np.floor(np.log10(np.maximum(followers, 1))) - 2)
            followers = (np.round(followers / 10**digits) * 10**digits).astype(np.int64)
            precision = "rounded"
        idx = np.flatnonzero(present)
        for d in np.flatnonzero(~present & (day_index >= start)):
            if method == "api" and d not in outage.get(platform, ()):
                errors_by_day.setdefault(int(d), []).append(
                    {
                        "institution_id": inst.institution_id,
                        "platform": platform,
                        "handle": handle,
                        "kind": str(rng.choice(["rate_limited", "timeout", "http_error"])),
                        "message": "demo: simulated failure",
                        "http_status": None,
                    }
                )
        # posting: uneven weeks, weekday rhythm, engagement falling with audience size
        rate = posts_week / 7 * rng.gamma(2.0, 0.5) * _WEEKDAY[[(days[d].weekday()) for d in range(n_days)]]
        burst = 1 + 2 * (rng.random(n_days) < 0.03)
        n_posts = rng.poisson(rate * burst) * (day_index >= start)
        posts_total = int(rng.integers(50, 3000)) + np.cumsum(n_posts)
        views = None
        if platform == "youtube":
            views = (f0 * 60 + np.cumsum(rng.poisson(max(5.0, f0 * 0.3), n_days))).astype(np.int64)
        snapshots.append(
            {
                "institution_id": [inst.institution_id] * len(idx),
                "platform": [platform] * len(idx),
                "handle": [handle] * len(idx),
                "day": idx,
                "followers": followers[idx],
                "following": np.full(len(idx), None)
                if platform == "youtube"
                else (followers[idx] * 0 + int(rng.integers(10, 900))),
                "posts_total": posts_total[idx],
                "views_total": views[idx] if views is not None else np.full(len(idx), None),
                "precision": precision,
                "method": method,
                "posts_observed": method == "api",
            }
        )
        for d in np.flatnonzero(n_posts):
            for k in range(int(n_posts[d])):
                # interactions per post ∝ followers^0.72: engagement rate falls with audience
                expected = ENGAGEMENT_AT_10K[platform] * 100 / 758.6 * quality * max(followers[d], 1) ** 0.72
                total = expected * rng.lognormal(0, 0.8)
                posts.append(
                    {
                        "day": int(d),
                        "institution_id": inst.institution_id,
                        "platform": platform,
                        "handle": handle,
                        "post_id": f"{handle}-{d}-{k}",
                        "hour": int(rng.integers(7, 20)),
                        "likes": int(total * 0.75),
                        "comments": int(total * 0.1),
                        "shares": None if platform in ("instagram", "youtube") else int(total * 0.12),
                        "quotes": int(total * 0.03) if platform in ("x", "bluesky") else None,
                        "views": int(total * 40) if platform in ("youtube", "x") else None,
                    }
                )
    _write_runs(paths, days, snapshots, posts, errors_by_day, log)
    return n_days


def _write_runs(paths, days, snapshots, posts, errors_by_day, log) -> None:
    snap = {
        k: np.concatenate(
            [np.asarray(s[k]) if not np.isscalar(s[k]) else np.full(len(s["day"]), s[k]) for s in snapshots]
        )
        for k in snapshots[0]
    }
    post_days = np.array([p["day"] for p in posts])
    order = np.argsort(snap["day"], kind="stable")
    snap = {k: v[order] for k, v in snap.items()}
    bounds = np.searchsorted(snap["day"], np.arange(len(days) + 1))
    for i, day in enumerate(days):
        collected = dt.datetime.combine(day, dt.time(2, 15), dt.UTC)
        run = LandingRun(
            paths.landing,
            "demo",
            day,
            demo=True,
            run_id=f"{day:%Y%m%d}T021500Z-demo{i:04d}",
            started_at=collected,
        )
        lo, hi = bounds[i], bounds[i + 1]
        n = hi - lo
        if n:
            columns = {
                "institution_id": snap["institution_id"][lo:hi].tolist(),
                "platform": snap["platform"][lo:hi].tolist(),
                "handle": snap["handle"][lo:hi].tolist(),
                "snapshot_date": [day] * n,
                "collected_at": [collected] * n,
                "followers": snap["followers"][lo:hi].tolist(),
                "following": snap["following"][lo:hi].tolist(),
                "posts_total": snap["posts_total"][lo:hi].tolist(),
                "likes_total": [None] * n,
                "views_total": snap["views_total"][lo:hi].tolist(),
                "platform_id": [None] * n,
                "precision": snap["precision"][lo:hi].tolist(),
                "method": snap["method"][lo:hi].tolist(),
                "posts_observed": [bool(v) for v in snap["posts_observed"][lo:hi]],
                "source": [None if m == "api" else "demo: published figures" for m in snap["method"][lo:hi]],
            }
            run.add_table("snapshots", pa.Table.from_pydict(columns, schema=SCHEMAS["snapshots"]))
        # a post is landed by the run two days after it was posted, with its counts by then
        todays = [posts[j] for j in np.flatnonzero(post_days == i - 2)] if i >= 2 else []
        if todays:
            rows = [
                {
                    **{
                        k: p[k]
                        for k in (
                            "institution_id",
                            "platform",
                            "handle",
                            "post_id",
                            "likes",
                            "comments",
                            "shares",
                            "quotes",
                            "views",
                        )
                    },
                    "posted_at": dt.datetime.combine(days[p["day"]], dt.time(p["hour"]), dt.UTC),
                    "collected_at": collected,
                    "url": None,
                    "text": f"Demo post from a fictional institution ({p['platform']}, day {p['day']}).",
                }
                for p in todays
            ]
            run.add_table("posts", pa.Table.from_pylist(rows, schema=SCHEMAS["posts"]))
        errs = [{**e, "occurred_at": collected} for e in errors_by_day.get(i, [])]
        if errs:
            run.add_table("errors", pa.Table.from_pylist(errs, schema=SCHEMAS["errors"]))
        failed = len(errs)
        run.commit(
            status="partial" if failed else "complete",
            stats={
                "accounts_tried": int(n) + failed,
                "accounts_collected": int(n),
                "accounts_failed": failed,
                "demo": DEMO_NOTICE,
            },
        )
        if log and (i + 1) % 100 == 0:
            log(f"landed {i + 1} of {len(days)} demo days")


class NotADemoRoot(Exception):
    """The data folder holds real runs: the demo will not write there."""


def reset_demo_root(paths: DataPaths) -> None:
    """Empty a demo data folder; refuse one that holds runs that are not demo runs."""
    from warehouse.landing.compact import landing_runs, manifests_of

    real = [m for m in manifests_of(*landing_runs(paths.landing)) if not m.get("demo")]
    if real:
        raise NotADemoRoot(
            f"{paths.root} holds {len(real)} collected run(s); the demo writes only to a folder "
            f"of its own (default {DEMO_DB})"
        )
    if paths.landing.exists():
        shutil.rmtree(paths.landing)
    paths.registry.unlink(missing_ok=True)
