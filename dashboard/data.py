"""The dashboard's reads: one named, typed function per warehouse query, cached per warehouse version."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from warehouse.domain.posts import Period
from warehouse.infra.paths import DataPaths
from warehouse.read import queries

P = ParamSpec("P")
R = TypeVar("R")


def db_path() -> Path:
    """The warehouse the dashboard reads: $FINSOCIAL_DB, else data/finsocial.duckdb."""
    return DataPaths.resolve().db


# FINSOCIAL_PULL_EVERY=SECONDS: a dashboard replica pulls the newest published warehouse from the
# landing zone (FINSOCIAL_LANDING) on its first read and then at most that often (`finsocial pull`)
PULL_EVERY_ENV = "FINSOCIAL_PULL_EVERY"
_pull_lock = threading.Lock()
_pulled_at: list[float] = []


def pull_if_due() -> None:
    """Pull the newest published warehouse when FINSOCIAL_PULL_EVERY is set and that long has
    passed; a failed pull is logged and the warehouse at hand goes on being served."""
    every = os.environ.get(PULL_EVERY_ENV)
    if not every:
        return
    with _pull_lock:
        now = time.monotonic()
        if _pulled_at and now - _pulled_at[-1] < float(every):
            return
        _pulled_at.append(now)
        del _pulled_at[:-1]
        from warehouse.build.publish import pull
        from warehouse.landing.store import landing_store

        paths = DataPaths.resolve()
        try:
            pull(paths, landing_store(paths), log=logging.getLogger("dashboard").info)
        except Exception:
            logging.getLogger("dashboard").exception("pulling the published warehouse failed")


def version(db: Path) -> str | None:
    """A key that changes whenever a build replaces the file (os.replace gives a new inode)."""
    return queries.identity(db)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(_read: Callable, name: str, db: str, key: str, args: tuple, kwargs: tuple) -> object:
    # `_read` is not hashed (the leading underscore), `name` stands for it; `key` is only hashed:
    # a new build means a new cache entry. cache_data hands every caller its own copy.
    with queries.connect(Path(db), shared=True) as con:
        return _read(con, *args, **dict(kwargs))


def _read(
    read: Callable[Concatenate[duckdb.DuckDBPyConnection, P], R], *args: P.args, **kwargs: P.kwargs
) -> R:
    """read(con, *args, **kwargs) on its own short-lived read-only connection to the current
    warehouse (a build swaps the file; the dashboard must never hold a lock), cached by the file's
    identity (inode, mtime, size) so that a new build shows without a restart."""
    pull_if_due()
    db = db_path()
    key = version(db)
    if key is None:
        raise queries.NoWarehouse(f"no warehouse at {db}")
    name = f"{read.__module__}.{read.__qualname__}"
    return _cached(read, name, str(db), key, tuple(args), tuple(sorted(kwargs.items())))  # type: ignore[return-value]


# ---- the warehouse as a whole -------------------------------------------------------------------


def info() -> dict[str, str | None]:
    """The build's facts: build_id, built_at, demo, data_from, data_to."""
    return _read(queries.info)


def summary() -> dict[str, object]:
    """Headline counts: institutions, accounts, accounts_with_data, platforms, posts, last_day."""
    return _read(queries.summary)


def filter_options() -> dict[str, list]:
    """The values the filters can take: platforms with data, countries, kinds, groups, days."""
    return _read(queries.filter_options)


@dataclass(frozen=True)
class Warehouse:
    """What every page needs to know about the warehouse it reads."""

    db: Path
    info: dict
    summary: dict
    options: dict

    @property
    def demo(self) -> bool:
        return self.info.get("demo") == "true"

    @property
    def last_day(self) -> dt.date | None:
        return self.options.get("last_day")

    @property
    def first_day(self) -> dt.date | None:
        return self.options.get("first_day")

    @property
    def has_institutions(self) -> bool:
        return bool(self.summary.get("institutions"))

    @property
    def has_metrics(self) -> bool:
        return self.last_day is not None


def warehouse() -> Warehouse:
    """The current warehouse's facts; raises queries.NoWarehouse when there is no file."""
    return Warehouse(db=db_path(), info=info(), summary=summary(), options=filter_options())


# ---- institutions and rankings ------------------------------------------------------------------


def institutions() -> pd.DataFrame:
    """Every institution: institution_id, name, kind, country, website, groups, accounts."""
    return _read(queries.institutions)


def institution_names() -> dict[str, str]:
    """institution_id -> name, in name order."""
    frame = institutions()
    return dict(zip(frame["institution_id"], frame["name"], strict=True))


def peer_ids(frame: pd.DataFrame, institution_id: str, mode: str, value: object = None) -> list[str]:
    """The institution's peers in `frame` (institutions()): by 'country', 'kind', 'group' (value:
    the group's name) or 'picked' (value: a list of ids). The institution itself is left out."""
    me = frame.loc[frame["institution_id"] == institution_id]
    if me.empty:
        return []
    me = me.iloc[0]
    if mode == "country":
        chosen = frame["country"] == me["country"]
    elif mode == "kind":
        chosen = frame["kind"] == me["kind"]
    elif mode == "group":
        chosen = frame["groups"].map(lambda gs: value in list(gs))
    else:
        chosen = frame["institution_id"].isin(list(value or []))
    return [i for i in frame.loc[chosen, "institution_id"] if i != institution_id]


def league_table(
    platform: str,
    metric: str,
    as_of: dt.date | None,
    country: str | None,
    kind: str | None,
    group: str | None,
    limit: int | None,
    minimum: int | None = None,
    institutions: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Institutions ranked by `metric` on `platform` as of a day, with the rank 30 days earlier;
    attrs['as_of'] is the day ranked, attrs['left_out'] how many the minimum left out.
    `institutions` (a peer set's members) ranks those among themselves."""
    frame = _read(
        queries.league_table,
        platform,
        metric,
        as_of,
        country,
        kind,
        group,
        limit,
        minimum=minimum,
        institutions=_ids(institutions),
    )
    frame.attrs["as_of"] = frame.attrs.get("as_of") or as_of
    return frame


def _ids(institutions) -> tuple[str, ...] | None:
    """A selection's ids as a hashable cache key (None: everyone)."""
    return None if institutions is None else tuple(institutions)


def peer_benchmark(institution_id: str, peers: list[str], as_of: dt.date) -> pd.DataFrame:
    """Per platform and metric: the institution against the median, top quartile and leader of peers."""
    return _read(queries.peer_benchmark, institution_id, list(peers), as_of)


def peer_values(institution_id: str, peers: list[str], as_of: dt.date) -> pd.DataFrame:
    """Each of the institution's and its peers' values per platform and metric on a day."""
    return _read(queries.peer_values, institution_id, list(peers), as_of)


def suggested_peers(institution_id: str, as_of: dt.date | None, count: int = 5) -> list[str]:
    """Peers for an institution as `finsocial peers suggest` finds them: the same kind, the same
    country first, then the nearest audiences (followers on all platforms on the day)."""
    from warehouse.inputs.peers import suggest_peers

    frame = institutions()
    ranked = league_table("all", "followers", as_of, None, None, None, None)
    followers = dict(zip(ranked["institution_id"], ranked["value"], strict=True))
    population = [
        {
            "institution_id": i,
            "kind": k,
            "country": c,
            "followers": None if pd.isna(followers.get(i)) else followers.get(i),
        }
        for i, k, c in zip(frame["institution_id"], frame["kind"], frame["country"], strict=True)
    ]
    return suggest_peers(institution_id, population, count)


def save_peer_set(name: str, institution_id: str, peers: list[str]) -> None:
    """Save a named peer set to the file `finsocial peers` reads (PeerSetError when the name or an
    id is not valid)."""
    from warehouse.inputs.peers import PeerSet
    from warehouse.inputs.peers import save_peer_set as save

    save(DataPaths.resolve(), PeerSet(name, institution_id, tuple(peers)), set(institution_names()))


def account_day(platform: str, as_of: dt.date) -> pd.DataFrame:
    """Every account of a platform on a day with its followers, rates and expected interactions."""
    return _read(queries.account_day, platform, as_of)


# ---- one institution ----------------------------------------------------------------------------


def institution_accounts(institution_id: str, as_of: dt.date | None) -> pd.DataFrame:
    """An institution's accounts (handle, url, status, how found) with their metrics on a day."""
    return _read(queries.institution_accounts, institution_id, as_of)


def posting_rhythm(institution_id: str, as_of: dt.date, days: int = 91) -> pd.DataFrame:
    """An institution's posts per platform and ISO weekday over the last `days` days."""
    return _read(queries.posting_rhythm, institution_id, as_of, days)


def top_posts(
    institution_id: str, as_of: dt.date, order_by: str = "interactions", days: int = 91, limit: int = 10
) -> pd.DataFrame:
    """An institution's posts of the last `days` days with the most `order_by` (queries.POST_ORDERS)."""
    return _read(queries.top_posts, institution_id, as_of, order_by, days, limit)


# ---- over time ----------------------------------------------------------------------------------


def metric_history(
    institution_ids: list[str], platforms: list[str], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Institutions' followers, growth, posting and engagement per platform and day."""
    return _read(queries.metric_history, list(institution_ids), list(platforms), start, end)


def audience_share(
    platform: str,
    start: dt.date,
    end: dt.date,
    country: str | None,
    kind: str | None,
    group: str | None,
    top: int = 8,
    institutions: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The `top` largest institutions' share (%) of the population's followers per day."""
    return _read(
        queries.audience_share,
        platform,
        start,
        end,
        country,
        kind,
        group,
        top,
        institutions=_ids(institutions),
    )


def rank_history(
    platform: str,
    metric: str,
    institution_ids: list[str],
    start: dt.date,
    end: dt.date,
    country: str | None,
    kind: str | None,
    group: str | None,
    population: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The chosen institutions' rank by `metric` on `platform` within the population (a peer set's
    members when given), per day."""
    return _read(
        queries.rank_history,
        platform,
        metric,
        list(institution_ids),
        start,
        end,
        country,
        kind,
        group,
        population=_ids(population),
    )


# ---- data health and method ---------------------------------------------------------------------


def freshness() -> pd.DataFrame:
    """Per platform: accounts known, with data, the last snapshot day and its age in hours."""
    return _read(queries.freshness)


def last_runs(limit: int = 10) -> pd.DataFrame:
    """The latest runs, newest first, with their counts."""
    return _read(queries.last_runs, limit)


def run_failures(run_id: str | None = None) -> pd.DataFrame:
    """Failures of a run (the latest collecting run by default), counted by platform and kind."""
    return _read(queries.run_failures, run_id)


def quarantined_runs() -> pd.DataFrame:
    """Runs moved aside from the landing zone (damaged or retracted), newest first."""
    return _read(queries.quarantined_runs)


def coverage() -> pd.DataFrame:
    """Per platform: accounts known, active, fresh (last 7 days of data), rounded, manual."""
    return _read(queries.coverage)


def failures_by_day(days: int = 90) -> pd.DataFrame:
    """Per-account failures per run day, platform and kind over the last `days` days of runs."""
    return _read(queries.failures_by_day, days)


def snapshot_anomalies(since: dt.date | None = None, limit: int = 50) -> pd.DataFrame:
    """Overnight jumps and drops beyond the plausible bound, newest first, with their status."""
    return _read(queries.snapshot_anomalies, since, limit)


def power_weights() -> pd.DataFrame:
    """The power-score weights the warehouse was built with: platform, measure, units_per_point."""
    return _read(queries.power_weights)


# ---- top posts and audience samples -------------------------------------------------------------


def industry_posts(
    period: Period,
    by: str,
    platform: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institution_id: str | None = None,
    flagged: bool = False,
    limit: int | None = 10,
    institutions: tuple[str, ...] | None = None,
    min_followers: int | None = None,
) -> pd.DataFrame:
    """The period's top posts by `by` (POST_MEASURES), ranked, with their signals; a ranking by a
    rate lists only posts of accounts with at least `min_followers` (attrs: the minimums applied
    and how many posts they left out)."""
    return _read(
        queries.industry_posts,
        period,
        by,
        platform=platform,
        country=country,
        kind=kind,
        group=group,
        institution_id=institution_id,
        flagged=flagged,
        limit=limit,
        institutions=_ids(institutions),
        min_followers=min_followers,
    )


def latest_post_day() -> dt.date | None:
    """The day of the newest post in the warehouse."""
    return _read(queries.latest_post_day)


def audience_accounts(institution_id: str, as_of: dt.date | None) -> pd.DataFrame:
    """An institution's accounts' latest follower samples: shares with their margins, the median."""
    return _read(queries.audience_accounts, institution_id, as_of)


# ---- webcare ------------------------------------------------------------------------------------


def webcare_overview(
    platform: str,
    as_of: dt.date,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institutions: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Each institution's webcare on a platform (or 'all') as of a day, with the target."""
    return _read(
        queries.webcare_overview, platform, as_of, country, kind, group, institutions=_ids(institutions)
    )


def webcare_reply_times(platform: str, as_of: dt.date, institution_ids: list[str]) -> pd.DataFrame:
    """Minutes to the first answer of each answered question of the 28 days to as_of."""
    return _read(queries.webcare_reply_times, platform, as_of, tuple(institution_ids))


def institution_webcare(institution_id: str, as_of: dt.date) -> pd.DataFrame:
    """An institution's webcare metrics per platform and on 'all' on a day."""
    return _read(queries.institution_webcare, institution_id, as_of)


# ---- mentions -----------------------------------------------------------------------------------


def latest_mention_day() -> dt.date | None:
    """The last day a mention search covered (None: no search ever ran)."""
    return _read(queries.latest_mention_day)


def selection(
    country: str | None, kind: str | None, group: str | None, institutions: tuple[str, ...] | None = None
) -> list[str]:
    """The ids of the institutions the filters select (of a peer set's members, when given)."""
    return _read(queries.selection, country, kind, group, institutions=_ids(institutions))


def mention_history(platform: str, institution_ids: list[str], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Per institution of the selection and day: 28-day mentions, tone and share of voice."""
    return _read(queries.mention_history, platform, tuple(institution_ids), start, end)


def mention_themes(platform: str, institution_ids: list[str], as_of: dt.date) -> pd.DataFrame:
    """Each theme's share of the 28 days' mentions, per institution and pooled."""
    return _read(queries.mention_themes, platform, tuple(institution_ids), as_of)


def storms(
    start: dt.date,
    end: dt.date,
    platform: str = "all",
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institution_id: str | None = None,
    institutions: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Storm days in [start, end] with the default thresholds (FINSOCIAL_STORM_* may change them)."""
    from warehouse.domain.mentions import storm_rule

    found = _read(
        queries.storms,
        start,
        end,
        platform,
        storm_rule(),
        country,
        kind,
        group,
        institution_id,
        institutions=_ids(institutions),
    )
    columns = [
        "day",
        "institution_id",
        "name",
        "platform",
        "mentions",
        "baseline_median",
        "multiple",
        "negative_share",
        "baseline_negative_share",
        "top_theme",
        "jumped",
    ]
    return pd.DataFrame(found, columns=columns)


def institution_mentions(institution_id: str, as_of: dt.date) -> pd.DataFrame:
    """An institution's mention metrics per searched platform and on 'all' on a day."""
    return _read(queries.institution_mentions, institution_id, as_of)


# ---- the monthly report -------------------------------------------------------------------------


def monthly_report(period: Period | None, chosen) -> object:
    """The month's report (warehouse.read.monthly.Report) for a selection; ReportError when it cannot be made."""
    from warehouse.read.monthly import monthly_report as make

    return _read(make, period, chosen)


# ---- practices ----------------------------------------------------------------------------------


def practices_scorecard(
    as_of: dt.date,
    window_days: int = 28,
    platform: str = "all",
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institution_id: str | None = None,
    institutions: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Each institution's practices over the window to as_of, with each measure's state."""
    return _read(
        queries.practices_scorecard,
        as_of,
        window_days,
        platform,
        country,
        kind,
        group,
        institution_id,
        institutions=_ids(institutions),
    )


def peer_sets() -> dict:
    """The reader's named peer sets (`finsocial peers`), read from the file beside the warehouse
    on each call (small, and saved from the command line while the dashboard runs)."""
    from warehouse.inputs.peers import PeerSetError, load_peer_sets

    try:
        return load_peer_sets(DataPaths.resolve())
    except PeerSetError:
        return {}
