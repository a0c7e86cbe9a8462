"""The generated world of a spec: institutions, accounts, daily audiences and posts, in numpy."""

from __future__ import annotations

import datetime as dt
import math
import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from synth.spec import KINDS, Spec
from warehouse.domain.platforms import PLATFORM_BY_NAME
from warehouse.inputs.registry import Institution

EPOCH = dt.date(1970, 1, 1)
WEEKDAY_RHYTHM = np.array([1.25, 1.2, 1.15, 1.1, 1.0, 0.35, 0.25])  # Monday to Sunday
# Comments per like, post by post: lognormal around each account's own median, itself lognormal
# around the industry's (2 comments to 15 likes, the first demo's). Over an account's posts with
# enough likes to leave rounding out, comments per like then vary with a coefficient of variation of
# sqrt(exp(POST_SPREAD²) − 1) ≈ 0.53, and accounts' medians with a 90th-to-10th percentile ratio of
# exp(2 × 1.2816 × ACCOUNT_SPREAD) ≈ 3.6. A few posts draw a heated thread: HEAT times their comments
# (their likes as they were; shares and quotes grow with the thread), so the backlash flag and "reaction against usual" have real cases.
COMMENTS_PER_LIKE = 0.1 / 0.75
ACCOUNT_SPREAD = 0.5
POST_SPREAD = 0.5
HEATED_SHARE = 0.003
HEAT = (6.0, 15.0)
# the counts of an imported platform's published figures (the import may carry more; these do)
IMPORTED_COUNTS = ("followers", "following", "posts_total")
FIRST_SEEN = 0.9  # share of its final interactions a post has when first seen, within its first week
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
_SUFFIX = {
    "bank": "Bank",
    "insurer": "Assurance",
    "credit_union": "Credit Union",
    "neobank": "",
    "card_issuer": "Card Services",
    "investment": "Capital",
}


@dataclass
class World:
    """What the generator made; extra generators read it (arrays are indexed [account] or
    [account, day], days counted from first_day)."""

    spec: Spec
    first_day: dt.date
    n_days: int
    platforms: tuple[str, ...]
    institutions: list[Institution]  # with their handles
    acc_inst: np.ndarray  # the institution (index into institutions) of each account
    acc_plat: np.ndarray  # the platform (index into platforms) of each account
    handles: list[str]
    api: np.ndarray  # the account's counts and posts are collected (not imported)
    start: np.ndarray  # the first day the account exists
    alive: np.ndarray  # [account, day]
    observed: np.ndarray  # [account, day]: a snapshot is landed
    followers: np.ndarray  # [account, day]
    posts_total: np.ndarray  # [account, day]
    following: np.ndarray  # how many accounts the account follows (constant)
    likes_ratio: np.ndarray  # page likes per follower, where the platform counts page likes
    quality: np.ndarray  # how well the account engages against its size (lognormal around 1)
    # one entry a post, for accounts collected through an API (their posts are fetched)
    post_acc: np.ndarray
    post_day: np.ndarray
    post_seconds: np.ndarray  # posted_at, seconds since the epoch
    post_interactions: np.ndarray  # final interactions (likes + comments + shares + quotes)
    post_comments_per_like: np.ndarray  # how the post's likes and comments split (see COMMENTS_PER_LIKE)
    post_ids: pa.Array

    @property
    def day0(self) -> int:
        """first_day as days since the epoch."""
        return (self.first_day - EPOCH).days

    def reports(self, count: str, acc: np.ndarray) -> np.ndarray:
        """Whether each of accounts `acc` has `count` in its snapshots (warehouse.domain.platforms)."""
        given = np.array([count in reported_counts(p) for p in self.platforms])
        return given[self.acc_plat[acc]]

    def account_columns(self, acc: np.ndarray) -> dict[str, pa.Array]:
        """institution_id, platform and handle of accounts `acc`, as Arrow columns."""
        take = pa.array(np.asarray(acc, dtype=np.int64))
        return {
            "institution_id": self._inst_col.take(take),
            "platform": self._plat_col.take(take),
            "handle": self._handle_col.take(take),
        }

    def __post_init__(self) -> None:
        ids = [inst.institution_id for inst in self.institutions]
        self._inst_col = pa.array(ids, pa.string()).take(pa.array(self.acc_inst))
        self._plat_col = pa.array(self.platforms, pa.string()).take(pa.array(self.acc_plat))
        self._handle_col = pa.array(self.handles, pa.string())


def reported_counts(platform: str) -> tuple[str, ...]:
    """The counts a platform's snapshots carry: what its API reports, or its published figures."""
    row = PLATFORM_BY_NAME[platform]
    return row.counts if row.collected == "api" else IMPORTED_COUNTS


def _readable(rng: np.random.Generator, spec: Spec, n: int) -> list[Institution]:
    kinds = [k for k, _ in KINDS]
    weights = np.array([w for _, w in KINDS])
    names: set[str] = set()
    out = []
    while len(out) < n:
        stem = rng.choice(_FIRST) + rng.choice(_SECOND)
        kind = str(rng.choice(kinds, p=weights / weights.sum()))
        name = f"{stem} {_SUFFIX[kind]}".strip() if kind != "neobank" else stem[:-1] + "ly"
        if name in names:
            continue
        names.add(name)
        country = spec.countries[len(out) % len(spec.countries)][0]
        out.append(_institution(name.lower().replace(" ", "-"), name, kind, country))
    return out


def _numbered(rng: np.random.Generator, spec: Spec, n: int) -> list[Institution]:
    kinds = _pick(rng, KINDS, n)
    countries = _pick(rng, spec.countries, n)
    first = rng.integers(0, len(_FIRST), n)
    second = rng.integers(0, len(_SECOND), n)
    out = []
    for i in range(n):
        stem = _FIRST[first[i]] + _SECOND[second[i]]
        kind = str(kinds[i])
        name = f"{stem} {_SUFFIX[kind]} {i:05d}".replace("  ", " ")
        slug = f"{stem.lower()}-{kind.replace('_', '-')}-{i:05d}"
        out.append(_institution(slug, name, kind, str(countries[i])))
    return out


def _institution(slug: str, name: str, kind: str, country: str) -> Institution:
    banking = kind in ("bank", "neobank", "credit_union")
    groups = [f"{country.lower()}-{'banks' if banking else kind.replace('_', '-')}"]
    if kind == "neobank":
        groups.append("neobanks")
    return Institution(
        institution_id=slug,
        name=name,
        kind=kind,
        country=country,
        website=f"https://www.{slug}.example/",
        groups=tuple(groups),
    )


def _pick(rng: np.random.Generator, table: tuple, n: int) -> np.ndarray:
    names = np.array([k for k, _ in table])
    weights = np.array([w for _, w in table], dtype=float)
    return names[rng.choice(len(names), n, p=weights / weights.sum())]


def _handle(template: str, slug: str, short: str, tag: str) -> str:
    handle = template.format(slug=slug, short=short, tag=tag)
    if template.startswith("@") and len(handle) > 30:  # YouTube handles hold at most 30 characters
        handle = template.format(slug=short, short=short, tag=tag)
    return handle


def build_world(spec: Spec, rng: np.random.Generator) -> World:
    """Draw the institutions, their accounts, a daily audience and the posts of every account."""
    platforms = tuple(spec.platforms)
    profiles = [spec.platforms[p] for p in platforms]
    n_days = spec.days
    end = spec.end or dt.datetime.now(dt.UTC).date()
    first_day = end - dt.timedelta(days=n_days - 1)

    # institutions and their accounts; with spec.accounts, trimmed to exactly that many
    n_inst = math.ceil(spec.accounts / 5.0) + 2 if spec.accounts else spec.institutions
    institutions = (_readable if spec.readable_names else _numbered)(rng, spec, n_inst)
    base = 10 ** rng.uniform(*spec.audience_log10, n_inst)  # the institution's Facebook audience
    base[: len(spec.champions)] = spec.champions[:n_inst]
    base[rng.random(n_inst) < spec.giants_share] *= 10
    present = rng.random((n_inst, len(platforms))) < np.array([p.share for p in profiles])
    present[:, 0] |= ~present.any(axis=1)  # every institution is somewhere
    acc_inst, acc_plat = np.nonzero(present)
    if spec.accounts:
        acc_inst, acc_plat = acc_inst[: spec.accounts], acc_plat[: spec.accounts]
        n_inst = int(acc_inst[-1]) + 1
        institutions, base = institutions[:n_inst], base[:n_inst]
    n_acc = len(acc_inst)
    handles_of: list[dict[str, tuple[str, ...]]] = [{} for _ in range(n_inst)]
    handles = []
    for i, p in zip(acc_inst.tolist(), acc_plat.tolist(), strict=True):
        slug = institutions[i].institution_id
        short = slug.replace("-", "")[:10] if spec.readable_names else f"{slug[:4]}{i:05d}"
        handle = _handle(profiles[p].handle, slug, short, spec.name)
        handles_of[i][platforms[p]] = (handle,)
        handles.append(handle)
    institutions = [
        Institution(**{**inst.__dict__, "handles": handles_of[i]})  # type: ignore[arg-type]
        for i, inst in enumerate(institutions)
    ]

    # per account: starting audience, trend, engagement quality, start day, posting habit
    def per_account(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in profiles])[acc_plat]

    f0 = np.maximum(20.0, base[acc_inst] * per_account("audience") * rng.lognormal(0, 0.6, n_acc))
    growth = rng.normal(per_account("growth_pct_month"), 1.2) / 100 / 30
    quality = rng.lognormal(0, 0.5, n_acc)
    start = np.zeros(n_acc, dtype=np.int64)
    young = rng.random(n_acc) < per_account("young_share")
    start[young] = rng.integers(n_days // 8, max(n_days // 8 + 1, n_days - 120), young.sum())
    api = np.array([PLATFORM_BY_NAME[p].collected == "api" for p in platforms])[acc_plat]
    days = np.arange(n_days)
    alive = days[None, :] >= start[:, None]

    walk = np.cumsum(rng.normal(0, 0.002, (n_acc, n_days)).astype(np.float32), axis=1)
    walk -= walk[np.arange(n_acc), start][:, None]
    log_f = np.log(f0)[:, None] + growth[:, None] * (days[None, :] - start[:, None]) + walk
    del walk
    # fake-follower clean-outs: a lasting drop, well inside the account's history
    for a in rng.choice(n_acc, max(1, round(n_acc * spec.purge_share)), replace=False):
        lo = start[a] + (n_days - start[a]) // 4
        log_f[a, int(rng.integers(lo, max(lo + 1, n_days - (n_days - start[a]) // 8))) :] += np.log(
            rng.uniform(0.75, 0.85)
        )
    followers = np.rint(np.exp(log_f)).astype(np.int64)
    del log_f
    rounds = np.array([PLATFORM_BY_NAME[p].rounds for p in platforms])[acc_plat]
    if rounds.any():  # e.g. YouTube gives subscribers to 3 significant figures
        f = followers[rounds]
        digits = np.maximum(0, np.floor(np.log10(np.maximum(f, 1))) - 2)
        followers[rounds] = (np.rint(f / 10**digits) * 10**digits).astype(np.int64)

    observed = alive.copy()
    observed[api] &= rng.random((int(api.sum()), n_days), dtype=np.float32) >= spec.missed_nights
    if spec.manual_every > 1:  # published figures: one a week from the account's first day
        observed[~api] &= ((days[None, :] - start[~api, None]) % spec.manual_every) == 0
    for platform, where, length in spec.outages:
        if platform in platforms:
            lo = int(n_days * where)
            observed[
                np.ix_(acc_plat == platforms.index(platform), np.arange(lo, min(lo + length, n_days)))
            ] = False

    # posting: per-account habit, weekday rhythm, bursts (campaigns), quiet spells
    weekday = (days + first_day.weekday()) % 7
    habit = per_account("posts_week") / 7 * rng.gamma(2.0, 0.5, n_acc)
    habit[rng.random(n_acc) < spec.quiet_share] *= 0.05
    rate = habit[:, None] * WEEKDAY_RHYTHM[weekday][None, :]
    rate = rate * (1 + 2 * (rng.random((n_acc, n_days), dtype=np.float32) < 0.03))
    n_posts = (rng.poisson(rate) * alive).astype(np.int32)
    del rate
    posts_total = rng.integers(50, 3000, n_acc)[:, None] + np.cumsum(n_posts, axis=1)
    following = rng.integers(10, 900, n_acc)
    likes_ratio = rng.uniform(0.85, 1.0, n_acc)

    post_acc, post_day = np.nonzero(n_posts * api[:, None])
    reps = n_posts[post_acc, post_day]
    post_acc, post_day = np.repeat(post_acc, reps), np.repeat(post_day, reps)
    n_all = len(post_acc)
    eng = np.array([p.engagement_at_10k or np.nan for p in profiles])[acc_plat]
    exponent = per_account("engagement_exponent")[post_acc]
    # engagement rate (%) = eng at 10,000 followers × (followers / 10,000)^(exponent − 1)
    expected = eng[post_acc] / 100 * quality[post_acc]
    expected *= 10_000 * (np.maximum(followers[post_acc, post_day], 1) / 10_000) ** exponent
    interactions = expected * rng.lognormal(0, 0.8, n_all)
    interactions, comments_per_like = _comments_per_like(spec, n_acc, post_acc, interactions)
    post_seconds = (
        ((first_day - EPOCH).days + post_day) * 86400 + rng.integers(7 * 3600, 20 * 3600, n_all)
    ).astype(np.int64)
    return World(
        spec=spec,
        first_day=first_day,
        n_days=n_days,
        platforms=platforms,
        institutions=institutions,
        acc_inst=acc_inst,
        acc_plat=acc_plat,
        handles=handles,
        api=api,
        start=start,
        alive=alive,
        observed=observed,
        followers=followers,
        posts_total=posts_total,
        following=following,
        likes_ratio=likes_ratio,
        quality=quality,
        post_acc=post_acc,
        post_day=post_day,
        post_seconds=post_seconds,
        post_interactions=interactions,
        post_comments_per_like=comments_per_like,
        post_ids=pc.cast(pa.array(np.arange(n_all) + 10**9), pa.string()),
    )


def _comments_per_like(
    spec: Spec, n_acc: int, post_acc: np.ndarray, interactions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each post's comments per like, and its interactions with a heated thread's extra comments.
    Drawn from a generator of their own (the spec's seed and this name), so the world's other draws,
    and every number the demo had before, stay as they were."""
    rng = np.random.default_rng([spec.seed, zlib.crc32(b"synth.world.comments_per_like")])
    n_all = len(post_acc)
    usual = COMMENTS_PER_LIKE * rng.lognormal(0, ACCOUNT_SPREAD, n_acc)
    ratio = usual[post_acc] * rng.lognormal(0, POST_SPREAD, n_all)
    heat = np.where(rng.random(n_all) < HEATED_SHARE, rng.uniform(*HEAT, n_all), 1.0)
    # likes + comments are a fixed share of a post's interactions (synth/land.py): a heated thread
    # keeps its likes and adds comments, so its interactions grow by (1 + r × heat) / (1 + r)
    return interactions * (1 + ratio * heat) / (1 + ratio), ratio * heat
