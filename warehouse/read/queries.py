"""Named queries over the warehouse: what the dashboard and the command line read."""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from warehouse.domain import practices as practice_rules
from warehouse.domain.audience import SAMPLE_MAX_AGE_DAYS
from warehouse.domain.kinds import KIND_LABELS
from warehouse.domain.mentions import StormRule
from warehouse.domain.metrics import (
    MENTIONS_SOURCE,
    METRICS,
    MIN_FOLLOWERS,
    MIN_QUESTIONS,
    check_metric,
    check_platform_metric,
    minimum_of,
)
from warehouse.domain.platforms import IMPORT_PLATFORMS, display_sorted, switched_off
from warehouse.domain.posts import (
    BACKLASH_MIN_COMMENTS,
    BACKLASH_MULTIPLE,
    POST_MEASURES,
    Period,
    post_minimum_applies,
    previous_day,
)

if TYPE_CHECKING:  # pandas loads only when a frame is asked for: `finsocial top --format json` needs none
    import pandas as pd

ALL = "all"


class NoWarehouse(Exception):
    """There is no warehouse file yet at the path, or the file is not a finsocial warehouse."""


class FilterError(ValueError):
    """A filter value no institution has; the message names the filter and what it can be."""


# Freshness: API platforms are collected nightly; import platforms are typed in on their own cadence.
API_MAX_AGE_HOURS = 36.0  # a nightly run plus slack for a late or slow night
IMPORT_MAX_AGE_HOURS = 8 * 24.0  # weekly imports plus a day; monthly importers pass their own


def attach_read_only(con: duckdb.DuckDBPyConnection, db: Path, alias: str) -> None:
    """Attach a warehouse file read-only under `alias` (a path is quoted, not bound: ATTACH takes
    no parameters)."""
    quoted = str(db).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {alias} (READ_ONLY)")


def identity(db: Path) -> str | None:
    """A key that changes whenever a build replaces the file (os.replace gives a new inode), or
    None where there is no file."""
    try:
        stat = os.stat(db)
    except FileNotFoundError:
        return None
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


# The dashboard's reads (connect(shared=True)) go through one in-memory DuckDB instance per warehouse
# file and process, with the file attached read-only, kept while the file's identity stays: a
# connection is a cursor on it (its own session), so a page pays the attach and the cold first reads
# once per build, not once per read. A new build (a new identity) gets a new instance on the next
# connect; the old one goes when its last cursor closes (it is dropped, never closed under a reader:
# closing it would close their cursors). Other readers (a command: one process, a read or two) get
# an instance of their own, closed after the read: a process that also writes the file (tests, a
# tool) could not open it read-write while an instance of its own held it attached.
_instances: dict[str, tuple[str, duckdb.DuckDBPyConnection]] = {}
_instances_lock = threading.Lock()


def _attached(db: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory instance with the file attached read-only as `warehouse`: duckdb.connect(path)
    would reuse the process's open instance of that path, which still reads the file a build replaced."""
    fresh = duckdb.connect(":memory:")
    try:
        attach_read_only(fresh, db, "warehouse")
        fresh.execute("USE warehouse")
        fresh.execute("SELECT 1 FROM warehouse_info LIMIT 0")
    except duckdb.Error as exc:
        fresh.close()
        first = str(exc).splitlines()[0]
        raise NoWarehouse(
            f"{db} is not a finsocial warehouse (a DuckDB file built by finsocial): {first}"
        ) from exc
    return fresh


def _shared(db: Path, key: str) -> duckdb.DuckDBPyConnection:
    with _instances_lock:
        cached = _instances.get(str(db))
    if cached is not None and cached[0] == key:
        return cached[1]
    fresh = _attached(db)
    with _instances_lock:
        _instances[str(db)] = (key, fresh)
    return fresh


@contextmanager
def connect(db: Path, shared: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the newest build of the file, for one read: builds swap the file,
    so never hold one for long. shared: a cursor on the process's instance of this build (see above)."""
    db = Path(db)
    key = identity(db)
    if key is None:
        raise NoWarehouse(f"no warehouse at {db}: run `finsocial init` or `finsocial demo` first")
    instance = _shared(db, key) if shared else _attached(db)
    con = instance.cursor() if shared else instance
    try:
        con.execute("USE warehouse")
        # a day is a UTC day, as the build counts it, whatever the reader's TZ
        con.execute("SET TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


@functools.cache
def query_sql(name: str) -> str:
    """The text of warehouse/read/sql/<name>.sql."""
    return (resources.files("warehouse.read") / "sql" / f"{name}.sql").read_text("utf-8")


def reading_sql(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """<name>.sql over the small tables of migration 015 (account_latest, warehouse_counts), or,
    on a warehouse built before them, over the same columns from the history (reading_history.sql)."""
    built = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'account_latest'"
    ).fetchone()[0]
    if built:
        return query_sql(name).format(account_latest="account_latest", warehouse_counts="warehouse_counts")
    sections = query_sql("reading_history").split("\n--- ")[1:]
    return query_sql(name).format(**dict(s.split("\n", 1) for s in sections))


def info(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The build's facts: build_id, built_at, demo, data_from, data_to."""
    return dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    return info(con).get("demo") == "true"


def latest_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    return con.execute("SELECT max(day) FROM institution_metrics").fetchone()[0]


LEAGUE_COLUMNS = (
    "rank",
    "previous_rank",
    "institution_id",
    "name",
    "country",
    "kind",
    "value",
    "followers",
    "rounded",
    "accounts",
)
# an audience league's columns after those: the sample behind each value and its 95% interval
AUDIENCE_COLUMNS = ("sample_size", "sample_date", "margin", "low", "high")


def league_sql(metric: str) -> str:
    """The league query of a checked metric: the one ranking (league_rank.sql) over the metric's
    population, the daily metrics (league_table.sql) or the audience samples (audience_league.sql)."""
    spec = METRICS[check_metric(metric)]
    population = {"audience_samples": "audience_league", MENTIONS_SOURCE: "mentions_league"}.get(
        spec.source, "league_table"
    )
    return query_sql("league_rank").format(
        population=query_sql(population).format(metric=metric), order=spec.sql_order
    )


def _league_params(
    platform: str,
    as_of: dt.date,
    period_days: int,
    country: str | None,
    kind: str | None,
    group: str | None,
    limit: int | None,
    institutions: list[str] | None = None,
) -> dict[str, object]:
    return {
        "platform": platform,
        "as_of": as_of,
        "previous": previous_day(as_of, period_days),
        "country": country,
        "kind": kind,
        "group": group,
        "institutions": members(institutions),
        "limit": limit if limit is not None else 2**62,
    }


def members(institutions: list[str] | tuple[str, ...] | None) -> list[str] | None:
    """A selection's list of institution ids as a query's $institutions: None selects everyone
    (no list given), an empty list no one."""
    return None if institutions is None else list(institutions)


def _minimum_params(metric: str, minimum: int | None) -> dict[str, object]:
    """The league's $min_followers and $min_questions: the metric's minimum (metrics.minimum_of),
    or NULL for a metric that takes none, or a minimum of 0 or None."""
    what = minimum_of(metric) if minimum else None
    return {
        "min_followers": minimum if what == "followers" else None,
        "min_questions": minimum if what == "questions" else None,
    }


def default_minimum(metric: str) -> int | None:
    """The minimum a ranking by `metric` applies unless told otherwise (None: it takes none)."""
    what = minimum_of(metric)
    return MIN_FOLLOWERS if what == "followers" else MIN_QUESTIONS if what == "questions" else None


def league_left_out(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    metric: str,
    as_of: dt.date | None,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    minimum: int | None = None,
    institutions: list[str] | None = None,
) -> int:
    """How many institutions with a value a league's minimum leaves out on the day (0 with none);
    `institutions` narrows the population to those ids (a saved peer set), as the league does."""
    check_metric(metric)
    if (
        as_of is None
        or not minimum
        or minimum_of(metric) is None
        or METRICS[metric].source != "institution_metrics"
    ):
        return 0
    params = _league_params(platform, as_of, 30, country, kind, group, None, institutions)
    del params["previous"], params["limit"]
    sql = query_sql("league_left_out").format(metric=metric)
    return int(con.execute(sql, params | _minimum_params(metric, minimum)).fetchone()[0])


def _league(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    metric: str,
    as_of: dt.date | None,
    country: str | None,
    kind: str | None,
    group: str | None,
    limit: int | None,
    period_days: int,
    minimum: int | None = None,
    institutions: list[str] | None = None,
) -> tuple[duckdb.DuckDBPyConnection | None, dt.date | None, tuple[str, ...]]:
    """The one league route of the command line and the dashboard: the league query executed
    (None when the warehouse has no day yet), its day, and its columns before platform and metric
    go in. as_of defaults to the last day with data (for an audience metric: the last sample day)."""
    check_metric(metric)
    check_platform_metric(platform, metric)
    audience = METRICS[metric].source == "audience_samples"
    columns = LEAGUE_COLUMNS + AUDIENCE_COLUMNS if audience else LEAGUE_COLUMNS
    if as_of is None and METRICS[metric].source == MENTIONS_SOURCE:
        as_of = latest_mention_day(con)  # mentions are searched on days of their own
    if as_of is None:
        as_of = (
            con.execute("SELECT max(sample_date) FROM audience_samples").fetchone()[0]
            if audience
            else latest_day(con)
        )
    if as_of is None:
        return None, None, columns
    params = _league_params(platform, as_of, period_days, country, kind, group, limit, institutions)
    if audience:
        params["max_age"] = SAMPLE_MAX_AGE_DAYS
    elif METRICS[metric].source == "institution_metrics":  # league_table.sql takes the minimums
        params |= _minimum_params(metric, minimum)
    return con.execute(league_sql(metric), params), as_of, columns


def league_table(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    metric: str,
    as_of: dt.date | None = None,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    limit: int | None = 10,
    period_days: int = 30,
    minimum: int | None = None,
    institutions: list[str] | None = None,
) -> pd.DataFrame:
    """Institutions ranked by `metric` on `platform` (or 'all') as of a day, with the rank
    `period_days` earlier, as a frame (the dashboard's). `institutions` (a saved peer set's ids)
    narrows the population before ranking: ranks among them. as_of defaults to the last day with data;
    attrs['as_of'] is the day ranked. An audience metric adds each value's sample_size,
    sample_date, margin, low and high. ValueError for a metric whose sum over platforms means
    nothing on 'all' (metrics.ALL_PLATFORMS_REFUSED)."""
    cursor, as_of, columns = _league(
        con, platform, metric, as_of, country, kind, group, limit, period_days, minimum, institutions
    )
    if cursor is None:
        import pandas as pd

        frame = pd.DataFrame(columns=list(columns))
    else:
        frame = cursor.df()
    frame.insert(6, "platform", platform)
    frame.insert(7, "metric", metric)
    without = accounts_without_data(con, platform, metric, as_of)
    frame["accounts_without_data"] = [
        without.get(i, 0) if without is not None else None for i in frame["institution_id"]
    ]
    frame.attrs["as_of"] = as_of
    frame.attrs["left_out"] = league_left_out(
        con, platform, metric, as_of, country, kind, group, minimum, institutions
    )
    if metric == "power_score":
        frame.attrs["power_formula"] = info(con).get("power_formula")
    return frame


def rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """A query's result as a list of dicts, without pandas."""
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def league_rows(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    metric: str,
    as_of: dt.date | None = None,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    limit: int | None = 10,
    period_days: int = 30,
    minimum: int | None = None,
    institutions: list[str] | None = None,
) -> tuple[list[dict[str, Any]], dt.date | None]:
    """league_table's rows as dicts, in its column order (no pandas: the command line's), and the
    day they are for."""
    cursor, as_of, _ = _league(
        con, platform, metric, as_of, country, kind, group, limit, period_days, minimum, institutions
    )
    if cursor is None:
        return [], None
    found = rows(cursor)  # before the next query: the cursor is the connection's one result
    without = accounts_without_data(con, platform, metric, as_of)
    return [
        {k: r[k] for k in LEAGUE_COLUMNS[:6]}
        | {"platform": platform, "metric": metric}
        | r
        | {"accounts_without_data": without.get(r["institution_id"], 0) if without is not None else None}
        for r in found
    ], as_of


def institution_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every institution id of the registry the warehouse was built from (a saved peer set is
    checked against them: an institution may have left the registry since)."""
    return {r[0] for r in con.execute("SELECT institution_id FROM institutions").fetchall()}


IMPORT_DAYS = round(IMPORT_MAX_AGE_HOURS / 24)  # an imported count stands for this many days


def accounts_without_data(
    con: duckdb.DuckDBPyConnection, platform: str, metric: str, as_of: dt.date | None
) -> dict[str, int] | None:
    """Honest totals: per institution, how many of the accounts its row on `platform` sums have no
    count of the day (a failed or missing night; for an imported platform, none in IMPORT_DAYS),
    so that a row can say "6 of 7 accounts without data" (league_coverage.sql); institutions
    missing from the dict have every count. None for a metric that is not a sum of the accounts'
    daily metrics (audience samples, mentions)."""
    if as_of is None or METRICS[metric].source != "institution_metrics":
        return None
    params = {
        "platform": platform,
        "as_of": as_of,
        "import_platforms": list(IMPORT_PLATFORMS),
        "import_days": IMPORT_DAYS,
    }
    return {
        r["institution_id"]: int(r["accounts_without_data"])
        for r in rows(con.execute(query_sql("league_coverage"), params))
        if r["accounts_without_data"]
    }


COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}  # common names that are not the ISO 3166-1 code


def check_filters(
    con: duckdb.DuckDBPyConnection,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
) -> None:
    """Raise FilterError naming the filter when no institution has that country, kind or group."""
    if country is not None:
        known = [r[0] for r in con.execute("SELECT DISTINCT country FROM institutions ORDER BY 1").fetchall()]
        if country not in known:
            alias = COUNTRY_ALIASES.get(country)
            hint = (
                f" (did you mean {alias}?)" if alias in known else f"; countries: {', '.join(known) or '–'}"
            )
            raise FilterError(f"--country: no institution in country {country}{hint}")
    if kind is not None and kind not in KIND_LABELS:
        raise FilterError(f"--kind: unknown kind {kind!r}; expected one of {', '.join(KIND_LABELS)}")
    if group is not None:
        known = [
            r[0]
            for r in con.execute("SELECT DISTINCT group_name FROM institution_groups ORDER BY 1").fetchall()
        ]
        if group not in known:
            raise FilterError(f"--group: no peer group {group!r}; groups: {', '.join(known) or 'none yet'}")


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """The values the filters can take: platforms with data, countries, kinds, groups, days."""
    platforms = display_sorted(
        [r[0] for r in con.execute("SELECT DISTINCT platform FROM account_snapshots").fetchall()]
    )
    countries = [
        r[0] for r in con.execute("SELECT DISTINCT country FROM institutions ORDER BY country").fetchall()
    ]
    kinds = [r[0] for r in con.execute("SELECT DISTINCT kind FROM institutions ORDER BY kind").fetchall()]
    groups = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT group_name FROM institution_groups ORDER BY group_name"
        ).fetchall()
    ]
    first, last = con.execute("SELECT min(day), max(day) FROM institution_metrics").fetchone()
    return {
        "platforms": platforms,
        "countries": countries,
        "kinds": kinds,
        "groups": groups,
        "first_day": first,
        "last_day": last,
    }


def last_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pd.DataFrame:
    """The latest runs, newest first, with their counts."""
    return con.execute(query_sql("last_runs"), {"limit": limit}).df()


def freshness_params(
    api_max_age_hours: float | None = None,
    import_max_age_hours: float | None = None,
    off_platforms: list[str] | None = None,
) -> dict[str, object]:
    return {
        "api_hours": API_MAX_AGE_HOURS if api_max_age_hours is None else api_max_age_hours,
        "import_hours": IMPORT_MAX_AGE_HOURS if import_max_age_hours is None else import_max_age_hours,
        "import_platforms": list(IMPORT_PLATFORMS),
        # the operator's switch as set where this reads (FINSOCIAL_PLATFORMS_OFF)
        "off_platforms": switched_off(os.environ) if off_platforms is None else list(off_platforms),
    }


def freshness(
    con: duckdb.DuckDBPyConnection,
    api_max_age_hours: float | None = None,
    import_max_age_hours: float | None = None,
    off_platforms: list[str] | None = None,
) -> pd.DataFrame:
    """Per platform: accounts known, with data, the last snapshot, its age in hours, the age its
    cadence allows (limit_hours: nightly for api platforms, the import cadence for import ones),
    state: 'fresh', 'stale', 'no data' or 'off', and off_reason. The one freshness rule for
    `status` and Data health. Off: switched off (`off_platforms`, default FINSOCIAL_PLATFORMS_OFF)
    or left off by the latest collect run (switched off, or its credential not set)."""
    params = freshness_params(api_max_age_hours, import_max_age_hours, off_platforms)
    return con.execute(reading_sql(con, "freshness"), params).df()


def quarantined_runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Runs moved aside from the landing zone (damaged or retracted), newest first."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'quarantined_runs'"
    ).fetchone()[0]
    if not exists:  # a warehouse built before migration 004
        import pandas as pd

        return pd.DataFrame(columns=["run_id", "state", "reason", "quarantined_at", "path"])
    return con.execute(query_sql("quarantined_runs")).df()


def run_failures(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> pd.DataFrame:
    """Failures of a run (the latest collecting run by default), counted by platform and kind."""
    return con.execute(query_sql("run_failures"), {"run_id": run_id}).df()


# ---- the dashboard's views ------------------------------------------------------------------

POST_ORDERS = ("interactions", "likes", "comments", "shares", "views")


def history_step(start: dt.date, end: dt.date, points: int = 400) -> int:
    """Every how many days to sample a span so that a line keeps about `points` points."""
    return max(1, ((end - start).days + points) // points)


def summary(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Headline counts: institutions, accounts, accounts_with_data, platforms, posts, last_day."""
    cursor = con.execute(reading_sql(con, "summary"))
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


def institutions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every institution: institution_id, name, kind, country, website, groups, accounts."""
    return con.execute(query_sql("institutions")).df()


def account_day(con: duckdb.DuckDBPyConnection, platform: str, as_of: dt.date) -> pd.DataFrame:
    """Every account of a platform on a day with its followers, rates and expected interactions."""
    return con.execute(query_sql("account_day"), {"platform": platform, "as_of": as_of}).df()


# The metrics peer_values.sql unpivots, in its order: the Peer benchmark page offers these only.
PEER_METRICS = (
    "followers",
    "growth_30d",
    "growth_30d_pct",
    "posts_per_week",
    "interactions_per_post",
    "engagement_rate",
    "overperformance",
    "presence_index",
    "power_score",
    "questions",
    "answered_pct",
    "reply_time_median",  # lower is better: the benchmark ranks it the other way round
    "within_target_pct",
    "mentions",
    "share_of_voice",
    "net_tone",  # higher is better (the negative share, lower is better, is in the league tables)
)


def peer_values(
    con: duckdb.DuckDBPyConnection, institution_id: str, peers: list[str], as_of: dt.date
) -> pd.DataFrame:
    """Per institution (the one and its peers), platform and metric of PEER_METRICS: its value on
    the day (institution_id, name, platform, rounded, metric, value); a value that cannot be
    computed is not there."""
    params = {"institution_id": institution_id, "peers": list(peers), "as_of": as_of}
    return con.execute(query_sql("peer_values"), params).df()


def peer_benchmark(
    con: duckdb.DuckDBPyConnection, institution_id: str, peers: list[str], as_of: dt.date
) -> pd.DataFrame:
    """Per platform and metric: the institution's value, the peer median, top quartile, leader,
    percentile (0–100: 100 leads) and gap to the median, among `peers` and the institution itself;
    for a metric where lower is better (reply time) the leader is the lowest."""
    params = {
        "institution_id": institution_id,
        "peers": list(peers),
        "as_of": as_of,
        "lower": [m for m in PEER_METRICS if METRICS[m].lower_is_better],
    }
    sql = query_sql("peer_benchmark").format(values=query_sql("peer_values"))
    return con.execute(sql, params).df()


def institution_accounts(
    con: duckdb.DuckDBPyConnection, institution_id: str, as_of: dt.date | None
) -> pd.DataFrame:
    """An institution's accounts (handle, url, status, how found) with their metrics on a day."""
    params = {"institution_id": institution_id, "as_of": as_of}
    return con.execute(query_sql("institution_accounts"), params).df()


def metric_history(
    con: duckdb.DuckDBPyConnection,
    institution_ids: list[str],
    platforms: list[str],
    start: dt.date,
    end: dt.date,
    step: int | None = None,
) -> pd.DataFrame:
    """Institutions' followers, growth, posting and engagement per platform and day."""
    params = {
        "institutions": list(institution_ids),
        "platforms": list(platforms),
        "start": start,
        "end": end,
        "step": step or history_step(start, end),
    }
    return con.execute(query_sql("metric_history"), params).df()


def posting_rhythm(
    con: duckdb.DuckDBPyConnection, institution_id: str, as_of: dt.date, days: int = 91
) -> pd.DataFrame:
    """An institution's posts per platform and ISO weekday over the last `days` days."""
    params = {"institution_id": institution_id, "as_of": as_of, "days": days}
    return con.execute(query_sql("posting_rhythm"), params).df()


def top_posts(
    con: duckdb.DuckDBPyConnection,
    institution_id: str,
    as_of: dt.date,
    order_by: str = "interactions",
    days: int = 91,
    limit: int = 10,
) -> pd.DataFrame:
    """An institution's posts of the last `days` days with the most `order_by` (POST_ORDERS)."""
    if order_by not in POST_ORDERS:
        raise ValueError(f"unknown post order {order_by!r}; known: {', '.join(POST_ORDERS)}")
    params = {"institution_id": institution_id, "as_of": as_of, "days": days, "limit": limit}
    return con.execute(query_sql("top_posts").format(order_by=order_by), params).df()


def audience_share(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    start: dt.date,
    end: dt.date,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    top: int = 8,
    step: int | None = None,
    institutions: list[str] | None = None,
) -> pd.DataFrame:
    """Each of the `top` largest institutions' share (%) of the population's followers per day;
    the others together in one row whose institution_id and name are empty."""
    params = {
        "platform": platform,
        "start": start,
        "end": end,
        "country": country,
        "kind": kind,
        "group": group,
        "institutions": members(institutions),
        "top": top,
        "step": step or history_step(start, end),
    }
    return con.execute(query_sql("audience_share"), params).df()


def rank_history(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    metric: str,
    institution_ids: list[str],
    start: dt.date,
    end: dt.date,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    step: int | None = None,
    population: list[str] | None = None,
) -> pd.DataFrame:
    """The chosen institutions' rank by `metric` on `platform` within the population (narrowed to
    `population`'s ids when given: a saved peer set), per day."""
    check_metric(metric)
    check_platform_metric(platform, metric)
    params = {
        "platform": platform,
        "institutions": list(institution_ids),
        "start": start,
        "end": end,
        "country": country,
        "kind": kind,
        "group": group,
        "population": members(population),
        "step": step or history_step(start, end),
    }
    sql = query_sql("rank_history").format(metric=metric, order=METRICS[metric].sql_order)
    return con.execute(sql, params).df()


def coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per platform: accounts known, active, fresh (last 7 days of data), rounded, manual."""
    return con.execute(reading_sql(con, "coverage")).df()


def failures_by_day(con: duckdb.DuckDBPyConnection, days: int = 90) -> pd.DataFrame:
    """Per-account failures per run day, platform and kind over the last `days` days of runs."""
    return con.execute(query_sql("failures_by_day"), {"days": days}).df()


def power_weights(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The power-score formula the warehouse was built with, a term a row: formula (its name), term,
    platform, measure, units_per_point or weight."""
    return con.execute(query_sql("power_weights")).df()


def snapshot_anomalies(
    con: duckdb.DuckDBPyConnection, since: dt.date | None = None, limit: int = 50
) -> pd.DataFrame:
    """Overnight jumps and drops beyond the plausible bound, newest first, with their status:
    'flagged' (kept out of growth metrics) or 'confirmed' (the next snapshot agreed)."""
    return con.execute(query_sql("snapshot_anomalies"), {"since": since, "limit": limit}).df()


def latest_post_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    return con.execute("SELECT max(CAST(posted_at AS DATE)) FROM posts").fetchone()[0]


def industry_posts(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    by: str = "likes",
    platform: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institution_id: str | None = None,
    flagged: bool = False,
    multiple: float = BACKLASH_MULTIPLE,
    min_comments: int = BACKLASH_MIN_COMMENTS,
    limit: int | None = 10,
    institutions: list[str] | None = None,
    min_followers: int | None = None,
) -> pd.DataFrame:
    """The period's posts with the most `by` (POST_MEASURES), ranked (ties share a rank, the
    earlier post first); `flagged` keeps only posts that drew an unusual reaction; `institutions`
    (a saved peer set's ids) keeps their posts only. A reaction multiple is given only for posts
    with at least `min_comments` comments; a ranking by a rate (posts.POST_RATE_MEASURES) with
    `min_followers`, flagged posts aside, lists only posts of accounts with at least that many
    followers that day. attrs: min_followers and min_comments as applied (None: none),
    left_out_followers and left_out_comments (how many posts each left out)."""
    if by not in POST_MEASURES:
        raise ValueError(f"unknown post measure {by!r}; known: {', '.join(POST_MEASURES)}")
    if platform == "all":
        platform = None
    # a flagged post is a thread to read whatever the audience (the flag asks its own comments),
    # so only a ranking of every post by a rate takes the minimum audience; the comments a multiple
    # needs leave posts out only of a ranking by the multiple
    min_followers = (min_followers or None) if post_minimum_applies(by) and not flagged else None
    comments_rule = int(min_comments) if by == "reaction_multiple" and not flagged and min_comments else None
    params = {
        "start": period.start,
        "end": period.end,
        "platform": platform,
        "country": country,
        "kind": kind,
        "group": group,
        "institution_id": institution_id,
        "institutions": members(institutions),
        "flagged": flagged,
        "multiple": float(multiple),
        "min_comments": int(min_comments),
        **backlash_params(),
        "limit": limit if limit is not None else 2**62,
        "min_followers": min_followers,
        "multiple_min_comments": int(min_comments) if min_comments else None,
    }
    sql = query_sql("industry_posts").format(by=by)
    frame = con.execute(sql, params).df()
    frame.attrs["period"] = period
    frame.attrs["by"] = by
    frame.attrs["min_followers"] = min_followers
    frame.attrs["min_comments"] = comments_rule
    under_followers = under_comments = 0
    if min_followers or comments_rule:
        everything = params | {"min_followers": None, "multiple_min_comments": None, "limit": 2**62}
        under_followers, under_comments = con.execute(
            query_sql("posts_left_out").format(posts=sql),
            everything | {"left_out_followers": min_followers, "left_out_comments": comments_rule},
        ).fetchone()
    frame.attrs["left_out_followers"] = int(under_followers)
    frame.attrs["left_out_comments"] = int(under_comments)
    return frame


def audience_accounts(
    con: duckdb.DuckDBPyConnection, institution_id: str, as_of: dt.date | None = None
) -> pd.DataFrame:
    """An institution's accounts' latest follower samples on or before as_of, with each share's
    95% margin (percentage points) and the median's interval."""
    params = {"institution_id": institution_id, "as_of": as_of}
    return con.execute(query_sql("audience_accounts"), params).df()


# ---- webcare ------------------------------------------------------------------------------------


def webcare_overview(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    as_of: dt.date,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institutions: list[str] | None = None,
) -> pd.DataFrame:
    """Each institution's questions, answered share, reply times and replies on a platform (or
    'all') as of a day, with the platform's target in minutes (NULL on 'all')."""
    params = {
        "platform": platform,
        "as_of": as_of,
        "country": country,
        "kind": kind,
        "group": group,
        "institutions": members(institutions),
    }
    return con.execute(query_sql("webcare_overview"), params).df()


def webcare_reply_times(
    con: duckdb.DuckDBPyConnection, platform: str, as_of: dt.date, institution_ids: list[str]
) -> pd.DataFrame:
    """The minutes to the first answer of each answered question of the 28 days to as_of."""
    params = {"platform": platform, "as_of": as_of, "institutions": list(institution_ids)}
    return con.execute(query_sql("webcare_reply_times"), params).df()


def institution_webcare(con: duckdb.DuckDBPyConnection, institution_id: str, as_of: dt.date) -> pd.DataFrame:
    """An institution's webcare metrics per platform and on 'all' on a day."""
    frame = con.execute(
        query_sql("institution_webcare"), {"institution_id": institution_id, "as_of": as_of}
    ).df()
    order = {p: i for i, p in enumerate(["all", *display_sorted(list(frame["platform"]))])}
    return frame.sort_values("platform", key=lambda s: s.map(order)).reset_index(drop=True)


# ---- mentions -----------------------------------------------------------------------------------


def latest_mention_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day a mention search covered, or None when no search ever ran."""
    return con.execute("SELECT max(day) FROM institution_mentions").fetchone()[0]


def storms(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    platform: str = ALL,
    rule: StormRule | None = None,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institution_id: str | None = None,
    institutions: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The storm days in [start, end] on a platform (or 'all'), newest first: each with its
    mentions, the baseline median, the multiple, the negative shares, the day's top theme and what
    jumped ('mentions', 'negative share' or both)."""
    rule = rule or StormRule()
    params = {
        "platform": platform,
        "start": start,
        "end": end,
        "multiple": rule.multiple,
        "minimum": rule.minimum,
        "baseline_days": rule.baseline_days,
        "institution": institution_id,
        "country": country,
        "kind": kind,
        "group": group,
        "institutions": members(institutions),
    }
    return rows(con.execute(query_sql("storms"), params))


def mention_history(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    institution_ids: list[str],
    start: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """Per institution of the selection and day: 28-day mentions, tone, and share of voice among
    the selection; the day's own mentions as mentions_day."""
    params = {"platform": platform, "institutions": list(institution_ids), "start": start, "end": end}
    return con.execute(query_sql("mention_history"), params).df()


def mention_themes(
    con: duckdb.DuckDBPyConnection, platform: str, institution_ids: list[str], as_of: dt.date
) -> pd.DataFrame:
    """Each theme's share of the 28 days' mentions per institution and pooled (institution_id NULL)."""
    params = {"platform": platform, "institutions": list(institution_ids), "as_of": as_of}
    return con.execute(query_sql("mention_themes"), params).df()


def institution_mentions(con: duckdb.DuckDBPyConnection, institution_id: str, as_of: dt.date) -> pd.DataFrame:
    """An institution's mention metrics per searched platform and on 'all' on a day."""
    frame = con.execute(
        query_sql("institution_mentions"), {"institution_id": institution_id, "as_of": as_of}
    ).df()
    order = {
        p: i for i, p in enumerate(["all", *display_sorted([p for p in frame["platform"] if p != "all"])])
    }
    return frame.sort_values("platform", key=lambda s: s.map(order)).reset_index(drop=True)


def selection(
    con: duckdb.DuckDBPyConnection,
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institutions: list[str] | None = None,
) -> list[str]:
    """The ids of the institutions a reader's filters select (of `institutions` only, when given)."""
    return [
        r[0]
        for r in con.execute(
            "SELECT institution_id FROM institutions WHERE ($country IS NULL OR country = $country)"
            " AND ($kind IS NULL OR kind = $kind) AND ($group IS NULL OR list_contains(groups, $group))"
            " AND ($institutions IS NULL OR list_contains($institutions, institution_id))"
            " ORDER BY institution_id",
            {"country": country, "kind": kind, "group": group, "institutions": members(institutions)},
        ).fetchall()
    ]


# ---- practices ----------------------------------------------------------------------------------


def backlash_params() -> dict[str, float | int]:
    """The backlash reasons' thresholds (warehouse/domain/practices.toml) as query parameters."""
    b = practice_rules.load().backlash
    return {
        "negative_multiple": b.negative_multiple,
        "min_toned": b.min_toned,
        "negative_norm": b.negative_norm_default,
        "norm_min_toned": b.norm_min_toned,
        "negative_floor": b.negative_norm_floor,
        "angry_multiple": b.angry_multiple,
        "angry_min_share": b.angry_min_share,
        "min_reactions": b.min_reactions,
    }


def with_states(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a <measure>_state column (green, amber, red or None) for each scorecard measure."""
    import pandas as pd

    def number(value: Any) -> float | None:
        return None if pd.isna(value) else float(value)

    for name, rule in practice_rules.load().measures.items():
        states = [rule.state(number(v), number(n)) for v, n in zip(frame[name], frame[rule.n], strict=True)]
        frame[f"{name}_state"] = pd.Series(states, index=frame.index, dtype=object)
    return frame


def practices_day(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> dt.date | None:
    """The latest day with practices on or before as_of (None: none)."""
    return con.execute(
        "SELECT max(day) FROM institution_practices WHERE $as_of IS NULL OR day <= $as_of", {"as_of": as_of}
    ).fetchone()[0]


def practices_scorecard(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    window_days: int = 28,
    platform: str = "all",
    country: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    institution_id: str | None = None,
    institutions: list[str] | None = None,
) -> pd.DataFrame:
    """Every institution's practices over the window ending on as_of, with each measure's state."""
    if window_days not in practice_rules.WINDOWS:
        raise ValueError(f"window {window_days} days; expected one of {practice_rules.WINDOWS}")
    params = {
        "as_of": as_of,
        "window_days": window_days,
        "platform": platform,
        "country": country,
        "kind": kind,
        "group": group,
        "institution_id": institution_id,
        "institutions": members(institutions),
    }
    return with_states(con.execute(query_sql("practices_scorecard"), params).df())
