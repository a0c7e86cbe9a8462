"""What an analyst would write instead: pandas over the landing Parquet files, no warehouse.

Each function reads the run files it needs, keeps the latest observation of each snapshot and
post (as the staging views do), takes as-of values with pandas and ranks. The answers must
equal the warehouse's; tests/benchmarks/test_scale.py keeps them honest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.infra.paths import DataPaths
from warehouse.landing.runs import complete_runs

ACCOUNT = ["institution_id", "platform", "handle"]


def _files(landing: Path, kind: str) -> list[str]:
    return [str(f) for run in complete_runs(landing) if (f := run.file(kind)) is not None]


def _filters(platform: str | None, institution_ids: list[str] | None) -> list | None:
    filters = []
    if platform not in (None, "all"):
        filters.append(("platform", "==", platform))
    if institution_ids is not None:
        filters.append(("institution_id", "in", list(institution_ids)))
    return filters or None


def read_snapshots(
    landing: Path, platform: str | None = None, institution_ids: list[str] | None = None
) -> pd.DataFrame:
    """Every snapshot, the latest collected of each account and day."""
    columns = [*ACCOUNT, "snapshot_date", "collected_at", "followers"]
    filters = _filters(platform, institution_ids)
    frame = pd.read_parquet(_files(landing, "snapshots"), columns=columns, filters=filters)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    frame = frame.sort_values(["collected_at"], kind="stable")
    return frame.drop_duplicates([*ACCOUNT, "snapshot_date"], keep="last")


def read_posts(
    landing: Path, platform: str | None = None, institution_ids: list[str] | None = None
) -> pd.DataFrame:
    """Every post once, with its counts as last observed, and its interactions."""
    columns = [*ACCOUNT, "post_id", "posted_at", "collected_at", "likes", "comments", "shares", "quotes"]
    filters = _filters(platform, institution_ids)
    frame = pd.read_parquet(_files(landing, "posts"), columns=columns, filters=filters)
    frame = frame.sort_values("collected_at", kind="stable")
    frame = frame.drop_duplicates([*ACCOUNT, "post_id"], keep="last")
    counts = frame[["likes", "comments", "shares", "quotes"]]
    frame["interactions"] = counts.sum(axis=1, min_count=1)
    frame["day"] = frame["posted_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    return frame


def read_registry(paths: DataPaths) -> pd.DataFrame:
    frame = pd.read_csv(paths.registry, dtype=str, keep_default_na=False)
    return frame[["institution_id", "name", "country", "kind", "groups"]]


def as_of(snapshots: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Per account, the latest snapshot on or before `day` (accounts without one are absent)."""
    upto = snapshots[snapshots["snapshot_date"] <= day]
    latest = upto.sort_values("snapshot_date", kind="stable").drop_duplicates(ACCOUNT, keep="last")
    return latest.set_index(ACCOUNT)


def account_metrics(snapshots: pd.DataFrame, posts: pd.DataFrame | None, day: pd.Timestamp) -> pd.DataFrame:
    """followers, growth_30d(_pct), interactions_per_post and engagement_rate of each account."""
    now = as_of(snapshots, day)
    frame = pd.DataFrame({"followers": now["followers"]})
    base = as_of(snapshots, day - pd.Timedelta(days=30))
    fresh = base[base["snapshot_date"] >= day - pd.Timedelta(days=37)]
    frame["baseline_followers"] = fresh["followers"].reindex(frame.index)
    frame["growth_30d"] = frame["followers"] - frame["baseline_followers"]
    frame["growth_30d_pct"] = (frame["growth_30d"] * 100.0 / frame["baseline_followers"]).where(
        frame["baseline_followers"] > 0
    )
    if posts is not None:
        window = posts[(posts["day"] > day - pd.Timedelta(days=28)) & (posts["day"] <= day)]
        per = window.groupby(ACCOUNT).agg(
            counted=("interactions", "count"), interactions=("interactions", "sum")
        )
        per = per.reindex(frame.index)
        ipp = (per["interactions"] / per["counted"]).where(per["counted"] > 0)
        frame["interactions_per_post"] = ipp
        frame["engagement_rate"] = (ipp * 100.0 / frame["followers"]).where(frame["followers"] > 0)
    return frame.reset_index()


def institution_values(accounts: pd.DataFrame, platform: str, metric: str) -> pd.DataFrame:
    """Per institution on `platform` (or 'all'): summed counts, audience-weighted rates."""
    if platform != "all":
        accounts = accounts[accounts["platform"] == platform]
    grouped = accounts.groupby("institution_id")
    out = pd.DataFrame({"accounts": grouped.size(), "followers": grouped["followers"].sum(min_count=1)})
    if metric in ("followers", "growth_30d"):
        out["value"] = grouped[metric].sum(min_count=1) if metric != "followers" else out["followers"]
    elif metric == "growth_30d_pct":
        base = accounts["baseline_followers"].where(accounts["growth_30d"].notna())
        sums = accounts.assign(base=base).groupby("institution_id")[["growth_30d", "base"]].sum(min_count=1)
        out["value"] = (sums["growth_30d"] * 100.0 / sums["base"]).where(sums["base"] > 0)
    elif metric in ("engagement_rate", "interactions_per_post"):
        weight = accounts["followers"].where(accounts[metric].notna())
        parts = accounts.assign(w=weight, wv=accounts[metric] * weight)
        sums = parts.groupby("institution_id")[["w", "wv"]].sum(min_count=1)
        out["value"] = (sums["wv"] / sums["w"]).where(sums["w"] > 0)
    else:
        raise ValueError(f"the baseline does not compute {metric}")
    return out.reset_index()


def league_table(
    paths: DataPaths,
    platform: str,
    metric: str,
    day: dt.date,
    kind: str | None = None,
    country: str | None = None,
    limit: int = 10,
    period_days: int = 30,
) -> pd.DataFrame:
    """The league table, from the landing files: rank, previous_rank, institution_id, value."""
    snapshots = read_snapshots(paths.landing, platform)
    needs_posts = metric in ("engagement_rate", "interactions_per_post")
    posts = read_posts(paths.landing, platform) if needs_posts else None
    registry = read_registry(paths)
    if kind:
        registry = registry[registry["kind"] == kind]
    if country:
        registry = registry[registry["country"] == country]
    ranked = []
    for when in (day, day - dt.timedelta(days=period_days)):
        accounts = account_metrics(snapshots, posts, pd.Timestamp(when))
        values = institution_values(accounts, platform, metric)
        values = values.merge(registry, on="institution_id")
        values["rank"] = values["value"].rank(method="min", ascending=False, na_option="bottom")
        ranked.append(values)
    cur, prev = ranked
    prev = prev[prev["value"].notna()][["institution_id", "rank"]]
    cur = cur.merge(prev.rename(columns={"rank": "previous_rank"}), on="institution_id", how="left")
    cur = cur.sort_values(["rank", "name", "institution_id"]).head(limit)
    cur["rank"] = cur["rank"].astype("int64")
    return cur[["rank", "previous_rank", "institution_id", "name", "value", "followers", "accounts"]]


def same_league(ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[bool, str]:
    """Whether two league tables agree: ids, ranks, previous ranks, values (to 1e-9)."""
    if len(ours) != len(theirs):
        return False, f"{len(ours)} rows against {len(theirs)}"
    a, b = ours.reset_index(drop=True), theirs.reset_index(drop=True)
    if list(a["institution_id"]) != list(b["institution_id"]):
        return False, "different institutions or order"
    if list(a["rank"].astype(int)) != list(b["rank"].astype(int)):
        return False, "different ranks"
    pa_, pb = a["previous_rank"].astype("Float64"), b["previous_rank"].astype("Float64")
    if not pa_.fillna(-1).equals(pb.fillna(-1)):
        return False, "different previous ranks"
    va, vb = a["value"].astype(float).to_numpy(), b["value"].astype(float).to_numpy()
    if not np.allclose(va, vb, rtol=1e-9, atol=0, equal_nan=True):
        return False, f"different values: {va[:3]} against {vb[:3]}"
    return True, "equal"


def _accounts_where(
    paths: DataPaths,
    platform: str | None,
    institution_ids: list[str] | None,
    day: dt.date,
    posts: bool = True,
) -> pd.DataFrame:
    """Account metrics on `day` from the landing files, read only for a platform or institutions."""
    snapshots = read_snapshots(paths.landing, platform, institution_ids)
    post_frame = read_posts(paths.landing, platform, institution_ids) if posts else None
    return account_metrics(snapshots, post_frame, pd.Timestamp(day))


def engagement_vs_audience(paths: DataPaths, platform: str, day: dt.date) -> pd.DataFrame:
    """Every account of a platform on a day: followers, interactions per post, engagement rate and
    the interactions expected of its size (a log-log least-squares fit over the platform)."""
    accounts = _accounts_where(paths, platform, None, day)
    fit = accounts[(accounts["interactions_per_post"] > 0) & (accounts["followers"] > 0)]
    slope, intercept = np.polyfit(
        np.log(fit["followers"].astype(float)), np.log(fit["interactions_per_post"]), 1
    )
    accounts["expected_interactions"] = np.exp(
        intercept + slope * np.log(accounts["followers"].astype(float))
    ).where(accounts["followers"] > 0)
    accounts["account_id"] = (
        accounts["institution_id"] + "/" + accounts["platform"] + "/" + accounts["handle"]
    )
    return accounts.sort_values("account_id").reset_index(drop=True)


def profile(paths: DataPaths, institution_id: str, day: dt.date) -> pd.DataFrame:
    """An institution's accounts with their metrics on a day."""
    accounts = _accounts_where(paths, None, [institution_id], day)
    return accounts.sort_values(["platform", "handle"]).reset_index(drop=True)


def peer_medians(paths: DataPaths, institution_id: str, peers: list[str], day: dt.date) -> pd.DataFrame:
    """Per platform (and 'all') and metric, the median over the institution and its peers."""
    members = [institution_id, *peers]
    accounts = _accounts_where(paths, None, members, day)
    rows = []
    platforms = ["all", *sorted(accounts["platform"].unique())]
    for platform in platforms:
        for metric in ("followers", "growth_30d_pct", "engagement_rate"):
            values = institution_values(accounts, platform, metric)["value"].dropna()
            if len(values):
                rows.append(
                    {
                        "platform": platform,
                        "metric": metric,
                        "peer_median": values.median(),
                        "peers": len(values),
                    }
                )
    return pd.DataFrame(rows).sort_values(["platform", "metric"]).reset_index(drop=True)


def follower_history(
    paths: DataPaths, institution_ids: list[str], start: dt.date, end: dt.date, step: int
) -> pd.DataFrame:
    """Institutions' followers on all platforms together, every `step`-th day back from `end`:
    an as-of join (pandas merge_asof) of each account's snapshots onto the sampled days."""
    snapshots = read_snapshots(paths.landing, None, institution_ids)
    # every step-th day counted back from the end, as the dashboard samples a long span
    days = pd.to_datetime([end - dt.timedelta(days=k) for k in range(0, (end - start).days + 1, step)])
    accounts = snapshots[ACCOUNT].drop_duplicates()
    grid = accounts.merge(pd.DataFrame({"day": days}), how="cross").sort_values("day")
    snapshots = snapshots.sort_values("snapshot_date")
    joined = pd.merge_asof(
        grid,
        snapshots[[*ACCOUNT, "snapshot_date", "followers"]],
        left_on="day",
        right_on="snapshot_date",
        by=ACCOUNT,
    )
    joined = joined[joined["snapshot_date"].notna()]
    out = joined.groupby(["day", "institution_id"])["followers"].sum(min_count=1).reset_index()
    return out.sort_values(["day", "institution_id"]).reset_index(drop=True)


def same_columns(
    ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str], columns: list[str]
) -> tuple[bool, str]:
    """Whether two frames agree on `columns` (to 1e-9) row for row once sorted by `keys`."""
    a = ours.sort_values(keys).reset_index(drop=True)
    b = theirs.sort_values(keys).reset_index(drop=True)
    if len(a) != len(b):
        return False, f"{len(a)} rows against {len(b)}"

    def text(column: pd.Series) -> list[str]:
        if pd.api.types.is_datetime64_any_dtype(column):
            return list(column.dt.strftime("%Y-%m-%d"))
        return list(column.astype(str))

    for key in keys:
        if text(a[key]) != text(b[key]):
            return False, f"different {key}"
    for column in columns:
        va = pd.to_numeric(a[column], errors="coerce").astype(float).to_numpy()
        vb = pd.to_numeric(b[column], errors="coerce").astype(float).to_numpy()
        if not np.allclose(va, vb, rtol=1e-9, atol=1e-12, equal_nan=True):
            bad = np.flatnonzero(~np.isclose(va, vb, rtol=1e-9, atol=1e-12, equal_nan=True))
            return (
                False,
                f"different {column} on {len(bad)} rows, e.g. {va[bad[0]]} against {vb[bad[0]]}",
            )
    return True, "equal"
