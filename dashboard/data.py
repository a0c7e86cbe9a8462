"""The dashboard's reads: named warehouse queries, cached per warehouse version, each on its own
short-lived read-only connection (a build swaps the file; the dashboard must never hold a lock)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from warehouse import queries
from warehouse.paths import DataPaths


def db_path() -> Path:
    """The warehouse the dashboard reads: $FINSOCIAL_DB, else data/finsocial.duckdb."""
    return DataPaths.resolve().db


def version(db: Path) -> str | None:
    """A key that changes whenever a build replaces the file (os.replace gives a new inode)."""
    try:
        stat = os.stat(db)
    except FileNotFoundError:
        return None
    return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"


@st.cache_data(show_spinner=False, max_entries=512)
def _run(name: str, db: str, key: str, args: tuple, kwargs: tuple) -> object:
    # `key` is not used here, only hashed: a new build means a new cache entry.
    with queries.connect(Path(db)) as con:
        return getattr(queries, name)(con, *args, **dict(kwargs))


def query(name: str, *args: object, **kwargs: object) -> object:
    """queries.<name>(con, *args, **kwargs) on the current warehouse, cached by its version."""
    db = db_path()
    key = version(db)
    if key is None:
        raise queries.NoWarehouse(f"no warehouse at {db}")
    result = _run(name, str(db), key, tuple(args), tuple(sorted(kwargs.items())))
    # cached frames are shared between sessions: hand out copies
    return result.copy() if isinstance(result, pd.DataFrame) else result


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
    return Warehouse(
        db=db_path(),
        info=query("info"),
        summary=query("summary"),
        options=query("filter_options"),
    )


# Named reads, so that pages read like prose.
def league_table(
    platform: str,
    metric: str,
    as_of: dt.date | None,
    country: str | None,
    kind: str | None,
    group: str | None,
    limit: int | None,
) -> pd.DataFrame:
    frame = query("league_table", platform, metric, as_of, country, kind, group, limit)
    frame.attrs["as_of"] = frame.attrs.get("as_of") or as_of
    return frame


def institutions() -> pd.DataFrame:
    return query("institutions")


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
