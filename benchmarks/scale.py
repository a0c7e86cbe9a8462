"""A seeded scale generator: a registry and a landing zone of S, M or L size, built in numpy."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.demo import ENGAGEMENT_AT_10K
from warehouse.landing.records import SCHEMAS
from warehouse.landing.runs import LandingRun
from warehouse.paths import DataPaths
from warehouse.platforms import DISPLAY_ORDER
from warehouse.registry import Institution, save_registry

DATA_ROOT = Path(__file__).parent / "data"
PLATFORMS = DISPLAY_ORDER  # from the platform table
# share of institutions present, audience relative to Facebook, posts a week, method
PROFILE = {
    "facebook": (0.95, 1.0, 3.0, "api"),
    "x": (0.9, 0.45, 5.0, "api"),
    "instagram": (0.85, 0.6, 3.0, "api"),
    "youtube": (0.75, 0.12, 0.5, "api"),
    "linkedin": (0.95, 0.7, 2.0, "manual"),
    "tiktok": (0.4, 0.35, 2.0, "manual"),
    "bluesky": (0.35, 0.012, 2.0, "api"),
    "mastodon": (0.15, 0.004, 1.5, "api"),
    "threads": (0.3, 0.1, 2.0, "manual"),
}
MONTHLY_GROWTH_PCT = {"bluesky": 4.0, "x": -0.4, "tiktok": 3.0, "threads": 2.0}
KINDS = (
    ("bank", 0.55),
    ("insurer", 0.18),
    ("credit_union", 0.1),
    ("neobank", 0.08),
    ("card_issuer", 0.04),
    ("investment", 0.05),
)
COUNTRIES = (
    ("US", 0.3),
    ("GB", 0.08),
    ("DE", 0.08),
    ("FR", 0.06),
    ("CA", 0.05),
    ("AU", 0.04),
    ("NL", 0.04),
    ("ES", 0.04),
    ("IT", 0.04),
    ("IN", 0.05),
    ("BR", 0.04),
    ("JP", 0.03),
    ("NG", 0.03),
    ("ZA", 0.03),
    ("MX", 0.03),
    ("SE", 0.02),
    ("CH", 0.02),
    ("PL", 0.02),
)
_STEMS = (
    "vel",
    "quor",
    "zan",
    "bril",
    "ost",
    "mar",
    "tyr",
    "lun",
    "kes",
    "dra",
    "fen",
    "wyn",
    "cal",
    "hol",
    "ester",
    "jun",
    "nor",
    "pell",
)
_ENDS = ("dora", "mere", "vale", "holt", "wick", "stone", "fjord", "lyn", "crest", "brook")
_WEEKDAY = np.array([1.25, 1.2, 1.15, 1.1, 1.0, 0.35, 0.25])
END = dt.date(2026, 3, 31)
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class ScaleSpec:
    """How much to generate: accounts, days of history, days per landing run."""

    accounts: int
    days: int = 1095
    end: dt.date = END
    run_days: int = 31  # one landing run a month: bulk runs, not one per day
    seed: int = 20260331


SIZES: dict[str, ScaleSpec] = {
    "S": ScaleSpec(accounts=1_000),
    "M": ScaleSpec(accounts=10_000),
    "L": ScaleSpec(accounts=20_000),
    "tiny": ScaleSpec(accounts=60, days=120),
}


@dataclass(frozen=True)
class Generated:
    institutions: int
    accounts: int
    snapshots: int
    posts: int
    runs: int
    seconds: float
    landing_bytes: int


def _handle(platform: str, slug: str, short: str) -> str:
    return {
        "facebook": f"{slug}.scale",
        "x": f"{short}_sc",
        "instagram": f"{short}.scale",
        "youtube": f"@{short}-scale",
        "linkedin": f"company/{slug}-scale",
        "tiktok": f"{short}.scale",
        "bluesky": f"{slug}.scale.example",
        "mastodon": f"{short}@social.example",
        "threads": f"{short}.scale",
    }[platform]


def _pick(rng: np.random.Generator, table: tuple, n: int) -> np.ndarray:
    names = np.array([k for k, _ in table])
    weights = np.array([w for _, w in table], dtype=float)
    return names[rng.choice(len(names), n, p=weights / weights.sum())]


def _strings(values: np.ndarray | list, index: np.ndarray) -> pa.Array:
    """values[index] as an Arrow string column, without a Python loop per row."""
    return pa.array(values, pa.string()).take(pa.array(index))


def _dates(day0: int, day_index: np.ndarray) -> pa.Array:
    return pa.array((day0 + day_index).astype(np.int32), pa.date32())


def _timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype(np.int64) * 1_000_000, pa.timestamp("us", tz="UTC"))


def _ints(values: np.ndarray, null: np.ndarray | bool = False) -> pa.Array:
    mask = np.broadcast_to(np.asarray(null, dtype=bool), values.shape)
    return pa.array(values.astype(np.int64), pa.int64(), mask=mask if mask.any() else None)


def generate(paths: DataPaths, spec: ScaleSpec, log=None) -> Generated:
    """Write a registry and a landing zone for `spec` under paths.root, replacing what is there."""
    started = time.perf_counter()
    if paths.landing.exists():
        shutil.rmtree(paths.landing)
    paths.registry.unlink(missing_ok=True)
    paths.ensure()
    rng = np.random.default_rng(spec.seed)
    n_days = spec.days
    first_day = spec.end - dt.timedelta(days=n_days - 1)
    day0 = (first_day - _EPOCH).days
    weekday = (np.arange(n_days) + first_day.weekday()) % 7

    # institutions and their accounts: about 5.6 platforms each, trimmed to exactly `accounts`
    n_inst = math.ceil(spec.accounts / 5.0) + 2
    shares = np.array([PROFILE[p][0] for p in PLATFORMS])
    present = rng.random((n_inst, len(PLATFORMS))) < shares
    present[:, 0] |= ~present.any(axis=1)
    inst_of, plat_of = np.nonzero(present)
    inst_of, plat_of = inst_of[: spec.accounts], plat_of[: spec.accounts]
    n_inst = int(inst_of[-1]) + 1
    n_acc = len(inst_of)
    kinds = _pick(rng, KINDS, n_inst)
    countries = _pick(rng, COUNTRIES, n_inst)
    stems = rng.integers(0, len(_STEMS), n_inst)
    ends = rng.integers(0, len(_ENDS), n_inst)
    suffix = {
        "bank": "Bank",
        "insurer": "Assurance",
        "credit_union": "Credit Union",
        "neobank": "",
        "card_issuer": "Card Services",
        "investment": "Capital",
    }
    inst_ids, names, shorts = [], [], []
    for i in range(n_inst):
        stem = (_STEMS[stems[i]] + _ENDS[ends[i]]).title()
        name = f"{stem} {suffix[kinds[i]]} {i:05d}".replace("  ", " ")
        inst_ids.append(f"{stem.lower()}-{kinds[i].replace('_', '-')}-{i:05d}")
        names.append(name)
        shorts.append(f"{stem.lower()[:6]}{i:05d}")
    # audiences over four orders of magnitude and more: a long tail of small credit unions
    # up to a few national champions
    base = 10 ** rng.uniform(2.0, 6.0, n_inst)
    base[rng.random(n_inst) < 0.005] *= 10
    institutions = []
    handles_of = [[] for _ in range(n_inst)]
    acc_handle = []
    for a in range(n_acc):
        i, platform = int(inst_of[a]), PLATFORMS[plat_of[a]]
        handle = _handle(platform, inst_ids[i], shorts[i])
        handles_of[i].append((platform, handle))
        acc_handle.append(handle)
    for i in range(n_inst):
        kind, country = str(kinds[i]), str(countries[i])
        banking = kind in ("bank", "neobank", "credit_union")
        groups = [f"{country.lower()}-{'banks' if banking else kind.replace('_', '-')}"]
        if kind == "neobank":
            groups.append("neobanks")
        institutions.append(
            Institution(
                institution_id=inst_ids[i],
                name=names[i],
                kind=kind,
                country=country,
                website=f"https://www.{inst_ids[i]}.example/",
                groups=tuple(groups),
                handles={p: (h,) for p, h in handles_of[i]},
            )
        )
    save_registry(institutions, paths.registry)

    # per account: starting audience, trend, engagement quality, start day, posting habit
    rel = np.array([PROFILE[p][1] for p in PLATFORMS])[plat_of]
    f0 = np.maximum(20.0, base[inst_of] * rel * rng.lognormal(0, 0.6, n_acc))
    trend = np.array([MONTHLY_GROWTH_PCT.get(p, 0.9) for p in PLATFORMS])[plat_of]
    growth = rng.normal(trend, 1.2) / 100 / 30
    quality = rng.lognormal(0, 0.5, n_acc)
    start = np.zeros(n_acc, dtype=np.int64)
    young = rng.random(n_acc) < 0.05
    start[young] = rng.integers(60, max(61, n_days - 120), young.sum())
    api = np.array([PROFILE[p][3] == "api" for p in PLATFORMS])[plat_of]
    youtube = plat_of == PLATFORMS.index("youtube")
    days = np.arange(n_days)
    alive = days[None, :] >= start[:, None]

    walk = np.cumsum(rng.normal(0, 0.002, (n_acc, n_days)).astype(np.float32), axis=1)
    walk -= walk[np.arange(n_acc), start][:, None]
    log_f = np.log(f0)[:, None] + growth[:, None] * (days[None, :] - start[:, None]) + walk
    del walk
    purged = rng.choice(n_acc, max(1, n_acc // 200), replace=False)  # fake-follower clean-outs
    for a in purged:
        log_f[a, int(rng.integers(start[a] + 1, n_days)) :] += np.log(rng.uniform(0.75, 0.85))
    followers = np.rint(np.exp(log_f)).astype(np.int64)
    del log_f
    # YouTube rounds subscribers to 3 significant figures
    yt = followers[youtube]
    digits = np.maximum(0, np.floor(np.log10(np.maximum(yt, 1))) - 2)
    followers[youtube] = (np.rint(yt / 10**digits) * 10**digits).astype(np.int64)
    observed = alive & (rng.random((n_acc, n_days), dtype=np.float32) > 0.01)

    # posting: per-account habit, weekday rhythm, bursts (campaigns), quiet spells
    posts_week = np.array([PROFILE[p][2] for p in PLATFORMS])[plat_of]
    habit = posts_week / 7 * rng.gamma(2.0, 0.5, n_acc)
    quiet = rng.random(n_acc) < 0.05  # accounts that rarely post at all
    habit[quiet] *= 0.05
    rate = habit[:, None] * _WEEKDAY[weekday][None, :]
    rate = rate * (1 + 2 * (rng.random((n_acc, n_days), dtype=np.float32) < 0.03))
    n_posts = (rng.poisson(rate) * alive).astype(np.int32)
    del rate
    posts_total = rng.integers(50, 3000, n_acc)[:, None] + np.cumsum(n_posts, axis=1)
    following = rng.integers(10, 900, n_acc)
    views_base = (f0 * 60).astype(np.int64)

    # one row a post, for accounts collected through an API (their posts are fetched)
    post_acc, post_day = np.nonzero(n_posts * api[:, None])
    reps = n_posts[post_acc, post_day]
    post_acc, post_day = np.repeat(post_acc, reps), np.repeat(post_day, reps)
    n_all_posts = len(post_acc)
    eng = np.array([ENGAGEMENT_AT_10K[p] for p in PLATFORMS])[plat_of]
    # interactions per post ∝ followers^0.72: engagement rate falls with audience size
    expected = eng[post_acc] * 100 / 758.6 * quality[post_acc]
    expected *= np.maximum(followers[post_acc, post_day], 1) ** 0.72
    interactions = expected * rng.lognormal(0, 0.8, n_all_posts)
    posted_s = (day0 + post_day) * 86400 + rng.integers(7 * 3600, 20 * 3600, n_all_posts)
    post_plat = plat_of[post_acc]
    no_shares = np.isin(post_plat, [PLATFORMS.index("instagram"), PLATFORMS.index("youtube")])
    has_quotes = np.isin(post_plat, [PLATFORMS.index("x"), PLATFORMS.index("bluesky")])
    has_views = np.isin(post_plat, [PLATFORMS.index("x"), PLATFORMS.index("youtube")])
    post_ids = pc.cast(pa.array(np.arange(n_all_posts) + 10**9), pa.string())

    acc_inst = np.array(inst_ids, dtype=object)[inst_of]
    acc_plat = np.array(PLATFORMS, dtype=object)[plat_of]
    inst_col = pa.array(acc_inst.tolist(), pa.string())
    plat_col = pa.array(acc_plat.tolist(), pa.string())
    handle_col = pa.array(acc_handle, pa.string())
    post_cols = {
        "post_acc": post_acc,
        "post_day": post_day,
        "interactions": interactions,
        "posted_s": posted_s,
        "no_shares": no_shares,
        "has_quotes": has_quotes,
        "has_views": has_views,
        "post_ids": post_ids,
        "inst_col": inst_col,
        "plat_col": plat_col,
        "handle_col": handle_col,
        "day0": day0,
    }
    if log:
        log(f"generated {n_acc} accounts, {int(observed.sum())} snapshots, {n_all_posts} posts")

    windows = [(lo, min(lo + spec.run_days, n_days)) for lo in range(0, n_days, spec.run_days)]
    n_runs = n_snaps = 0
    for w, (lo, hi) in enumerate(windows):
        run_date = first_day + dt.timedelta(days=hi - 1)
        for method in ("api", "manual"):
            rows_acc = api if method == "api" else ~api
            sub = observed[:, lo:hi] & rows_acc[:, None]
            a_idx, d_rel = np.nonzero(sub)
            d_idx = d_rel + lo
            collected = (day0 + d_idx) * 86400 + 2 * 3600 + 15 * 60
            if method == "api" and w > 0:
                # the night before this window is collected again later that day: a re-run
                # whose values replace the first (staging keeps the latest collected_at)
                ra = np.flatnonzero(observed[:, lo - 1] & api)
                a_idx = np.concatenate([a_idx, ra])
                d_idx = np.concatenate([d_idx, np.full(len(ra), lo - 1)])
                collected = np.concatenate([collected, (day0 + lo - 1) * 86400 + np.full(len(ra), 23 * 3600)])
            n = len(a_idx)
            if n == 0:
                continue
            values = followers[a_idx, d_idx] + (collected % 86400 == 23 * 3600)
            snaps = pa.table(
                {
                    "institution_id": inst_col.take(pa.array(a_idx)),
                    "platform": plat_col.take(pa.array(a_idx)),
                    "handle": handle_col.take(pa.array(a_idx)),
                    "snapshot_date": _dates(day0, d_idx),
                    "collected_at": _timestamps(collected),
                    "followers": _ints(values),
                    "following": _ints(following[a_idx], youtube[a_idx]),
                    "posts_total": _ints(posts_total[a_idx, d_idx]),
                    "likes_total": pa.nulls(n, pa.int64()),
                    "views_total": _ints(
                        views_base[a_idx] + posts_total[a_idx, d_idx] * 500, ~youtube[a_idx]
                    ),
                    "platform_id": pa.nulls(n, pa.string()),
                    "precision": pa.array(np.where(youtube[a_idx], "rounded", "exact"), pa.string()),
                    "method": pa.array(np.full(n, method), pa.string()),
                    "posts_observed": pa.array(np.full(n, method == "api")),
                    "source": pa.nulls(n, pa.string())
                    if method == "api"
                    else pa.array(np.full(n, "scale: published figures"), pa.string()),
                }
            )
            kind = "collect" if method == "api" else "import"
            run = LandingRun(
                paths.landing,
                kind,
                run_date,
                run_id=f"{run_date:%Y%m%d}T230000Z-scale-{method}-{w:03d}",
                started_at=dt.datetime.combine(run_date, dt.time(23), dt.UTC),
            )
            run.add_table("snapshots", snaps)
            n_snaps += n
            if method == "api":
                _add_posts(run, post_cols, lo, hi)
                _add_errors(run, observed, alive, api, lo, hi, inst_col, plat_col, handle_col, day0)
                if w == 0:
                    run.add_table(
                        "accounts", _accounts(inst_col, plat_col, handle_col, names, inst_of, day0 + hi - 1)
                    )
            run.count_request(method, 0)
            run.commit("complete", {"accounts_tried": int(rows_acc.sum()), "scale": True})
            n_runs += 1
        if log and (w + 1) % 6 == 0:
            log(f"landed {w + 1} of {len(windows)} months")
    size = sum(f.stat().st_size for f in paths.landing.rglob("*") if f.is_file())
    return Generated(n_inst, n_acc, n_snaps, n_all_posts, n_runs, time.perf_counter() - started, size)


def _add_posts(run: LandingRun, p: dict, lo: int, hi: int) -> None:
    """Posts of days [lo, hi), seen at the window's end; those of its last 7 days are seen again,
    with higher counts, by the next window's run (the latest observation wins)."""
    day = p["post_day"]
    first = (day >= lo) & (day < hi)
    again = (day >= lo - 7) & (day < lo)
    idx = np.flatnonzero(first | again)
    if len(idx) == 0:
        return
    young = (day[idx] >= hi - 7) & (day[idx] < hi)
    total = p["interactions"][idx] * np.where(young, 0.9, 1.0)
    collected = np.full(len(idx), (p["day0"] + hi - 1) * 86400 + 23 * 3600)
    acc = pa.array(p["post_acc"][idx])
    likes = total * 0.75
    run.add_table(
        "posts",
        pa.table(
            {
                "institution_id": p["inst_col"].take(acc),
                "platform": p["plat_col"].take(acc),
                "handle": p["handle_col"].take(acc),
                "post_id": p["post_ids"].take(pa.array(idx)),
                "posted_at": _timestamps(p["posted_s"][idx]),
                "collected_at": _timestamps(collected),
                "url": pa.nulls(len(idx), pa.string()),
                "text": pa.nulls(len(idx), pa.string()),
                "likes": _ints(likes),
                "comments": _ints(total * 0.1),
                "shares": _ints(total * 0.12, p["no_shares"][idx]),
                "quotes": _ints(total * 0.03, ~p["has_quotes"][idx]),
                "views": _ints(total * 40, ~p["has_views"][idx]),
            }
        ),
    )


def _add_errors(run, observed, alive, api, lo, hi, inst_col, plat_col, handle_col, day0) -> None:
    a_idx, d_rel = np.nonzero(alive[:, lo:hi] & ~observed[:, lo:hi] & api[:, None])
    if len(a_idx) == 0:
        return
    n = len(a_idx)
    acc = pa.array(a_idx)
    kinds = np.array(["rate_limited", "timeout", "http_error"])[a_idx % 3]
    run.add_table(
        "errors",
        pa.table(
            {
                "institution_id": inst_col.take(acc),
                "platform": plat_col.take(acc),
                "handle": handle_col.take(acc),
                "kind": pa.array(kinds, pa.string()),
                "message": pa.array(np.full(n, "scale: simulated failure"), pa.string()),
                "occurred_at": _timestamps((day0 + lo + d_rel) * 86400 + 2 * 3600 + 15 * 60),
                "http_status": pa.nulls(n, pa.int64()),
            }
        ),
    )


def _accounts(inst_col, plat_col, handle_col, names, inst_of, day) -> pa.Table:
    n = len(inst_col)
    return pa.table(
        {
            "institution_id": inst_col,
            "platform": plat_col,
            "handle": handle_col,
            "observed_at": _timestamps(np.full(n, day * 86400)),
            "url": pa.nulls(n, pa.string()),
            "platform_id": pc.cast(pa.array(np.arange(n) + 5 * 10**8), pa.string()),
            "display_name": pa.array(names, pa.string()).take(pa.array(inst_of)),
            "found_via": pa.array(np.full(n, "collected"), pa.string()),
            "found_on": pa.nulls(n, pa.string()),
            "status": pa.array(np.full(n, "active"), pa.string()),
        }
    )


def paths_for(size: str, root: Path | None = None) -> DataPaths:
    """Where a size's data lives: benchmarks/data/<size>/ unless another root is given."""
    return DataPaths((Path(root) if root else DATA_ROOT / size) / "finsocial.duckdb")


def ensure(size: str, root: Path | None = None, log=None) -> tuple[DataPaths, Generated | None]:
    """The data of a size, generated unless a complete one with the same spec is already there."""
    paths = paths_for(size, root)
    stamp = paths.root / "scale-spec.txt"
    want = repr(SIZES[size])
    if stamp.exists() and stamp.read_text() == want and paths.registry.exists():
        return paths, None
    stamp.unlink(missing_ok=True)
    made = generate(paths, SIZES[size], log)
    stamp.write_text(want)
    return paths, made


__all__ = ["SIZES", "SCHEMAS", "ScaleSpec", "generate", "ensure", "paths_for"]
