"""Named queries over the warehouse: what the dashboard and the command line read."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.metrics import check_metric

ALL = "all"


class NoWarehouse(Exception):
    """There is no warehouse file yet at the path."""


@contextmanager
def connect(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection. Builds swap the file, so never hold one for long."""
    if not Path(db).exists():
        raise NoWarehouse(f"no warehouse at {db}: run `finsocial init` or `finsocial demo` first")
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield con
    finally:
        con.close()


@functools.cache
def query_sql(name: str) -> str:
    """The text of warehouse/sql/queries/<name>.sql."""
    return (resources.files("warehouse") / "sql" / "queries" / f"{name}.sql").read_text("utf-8")


def info(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The build's facts: build_id, built_at, demo, data_from, data_to."""
    return dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    return info(con).get("demo") == "true"


def latest_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    return con.execute("SELECT max(day) FROM institution_metrics").fetchone()[0]


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
) -> pd.DataFrame:
    """Institutions ranked by `metric` on `platform` (or 'all') as of a day, with the rank
    `period_days` earlier. as_of defaults to the last day with data."""
    check_metric(metric)
    as_of = as_of or latest_day(con)
    columns = ["rank", "previous_rank", "institution_id", "name", "country", "kind", "value",
               "followers", "rounded", "accounts"]  # fmt: skip
    if as_of is None:
        return pd.DataFrame(columns=columns)
    params = {
        "platform": platform,
        "as_of": as_of,
        "previous": as_of - dt.timedelta(days=period_days),
        "country": country,
        "kind": kind,
        "group": group,
        "limit": limit if limit is not None else 2**62,
    }
    frame = con.execute(query_sql("league_table").format(metric=metric), params).df()
    frame.insert(6, "platform", platform)
    frame.insert(7, "metric", metric)
    frame.attrs["as_of"] = as_of
    return frame


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """The values the filters can take: platforms with data, countries, kinds, groups, days."""
    platforms = [r[0] for r in con.execute(
        "SELECT DISTINCT platform FROM account_snapshots ORDER BY platform").fetchall()]  # fmt: skip
    countries = [r[0] for r in con.execute(
        "SELECT DISTINCT country FROM institutions ORDER BY country").fetchall()]  # fmt: skip
    kinds = [r[0] for r in con.execute(
        "SELECT DISTINCT kind FROM institutions ORDER BY kind").fetchall()]  # fmt: skip
    groups = [r[0] for r in con.execute(
        "SELECT DISTINCT group_name FROM institution_groups ORDER BY group_name").fetchall()]  # fmt: skip
    first, last = con.execute("SELECT min(day), max(day) FROM institution_metrics").fetchone()
    return {"platforms": platforms, "countries": countries, "kinds": kinds, "groups": groups,
            "first_day": first, "last_day": last}  # fmt: skip


def last_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pd.DataFrame:
    """The latest runs, newest first, with their counts."""
    return con.execute(query_sql("last_runs"), {"limit": limit}).df()


def freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per platform: accounts known, with data, the last snapshot day and its age in hours."""
    return con.execute(query_sql("freshness")).df()


def run_failures(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> pd.DataFrame:
    """Failures of a run (the latest collecting run by default), counted by platform and kind."""
    return con.execute(query_sql("run_failures"), {"run_id": run_id}).df()


def snapshot_anomalies(
    con: duckdb.DuckDBPyConnection, since: dt.date | None = None, limit: int = 50
) -> pd.DataFrame:
    """Overnight jumps and drops beyond the plausible bound, newest first, with their status:
    'flagged' (kept out of growth metrics) or 'confirmed' (the next snapshot agreed)."""
    return con.execute(query_sql("snapshot_anomalies"), {"since": since, "limit": limit}).df()
