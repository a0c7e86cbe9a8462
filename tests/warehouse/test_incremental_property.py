"""Incremental = full, as a property: random sequences of nights after a shared history, each built
night by night, give the warehouse a full build of the same landing zone gives, table for table.

A sequence mixes runs out of order, re-runs with new values and methods, posts seen again with
changed fields, back-fills, retractions and restores, compaction, registry changes, thread items
without their posts, and builds under other time zones. Each is tiny (three accounts, a few
nights). FINSOCIAL_PROPERTY_EXAMPLES sets how many sequences (default 60; `make property` runs
more, see README "Development"): half run here, half in test_incremental_property_more.py, so that
make test's two workers share them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.warehouse.conftest import REGISTRY
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import parse_registry, save_registry
from warehouse.landing.compact import compact
from warehouse.landing.quarantine import RunNotFound, list_runs, restore, retract
from warehouse.landing.records import Comment, Post, Snapshot
from warehouse.landing.runs import LandingRun

EXAMPLES = int(os.environ.get("FINSOCIAL_PROPERTY_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=-(-EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck), database=None
)
# every table a page or command reads; warehouse_info by the keys that describe the data
TABLES = (
    "accounts",
    "account_spans",
    "account_snapshots",
    "account_sightings",
    "account_metrics",
    "institution_metrics",
    "snapshot_anomalies",
    "posts",
    "post_signals",
    "comments",
    "comment_observations",
    "webcare_questions",
    "account_webcare",
    "institution_webcare",
    "audience_samples",
    "institutions",
    "institution_groups",
    "import_handles",
    "runs",
    "account_latest",
    "warehouse_counts",
    "run_errors",
    "quarantined_runs",
)
INFO_KEYS = ("data_from", "data_to", "runs", "demo", "metrics_version", "power_formula")

ACCOUNTS = {
    "A": ("alpha-bank", "x", "alpha"),
    "B": ("alpha-bank", "instagram", "alpha"),
    "C": ("bravo-ins", "x", "bravo"),
}
# the registry as it changes: Alpha Bank gains a LinkedIn page (where handle-less LinkedIn
# imports go), Bravo loses its X handle


def _with_linkedin(text: str) -> str:
    header, *rows = text.strip().splitlines()
    rows = [row + (",company/alpha" if row.startswith("alpha-bank,") else ",") for row in rows]
    return "\n".join([header + ",linkedin", *rows]) + "\n"


REGISTRIES = (
    REGISTRY,
    _with_linkedin(REGISTRY),
    REGISTRY.replace("https://bravo.example/,,bravo,,", "https://bravo.example/,,,,"),
)
START = dt.date(2026, 3, 1)
BASE_NIGHTS = 4
TIME_ZONES = ("UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati")


def stamp(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC)


def night(paths: DataPaths, day: dt.date, hour: int, accounts, posts, items, kind: str = "collect") -> None:
    """One run: counts for `accounts` {key: (followers, method, posts_observed)}, posts and thread items."""
    seen = stamp(day, hour)
    run = LandingRun(paths.landing, kind, day, started_at=seen)
    for key, (followers, method, observed) in accounts.items():
        iid, platform, handle = ACCOUNTS[key] if key != "L" else ("alpha-bank", "linkedin", None)
        run.add(
            Snapshot(
                iid, platform, handle, day, seen, followers=followers, method=method, posts_observed=observed
            )
        )
    for key, post_id, posted, likes, comments in posts:
        run.add(Post(*ACCOUNTS[key], post_id, posted, seen, likes=likes, comments=comments))
    for key, post_id, comment_id, parent, created, bank in items:
        run.add(Comment(*ACCOUNTS[key], post_id, comment_id, parent, created, seen, is_institution=bank))
    run.commit()


def set_registry(paths: DataPaths, text: str) -> None:
    source = paths.root / "registry-source.csv"
    source.write_text(text)
    save_registry(parse_registry(source), paths.registry)


def set_time_zone(name: str) -> None:
    os.environ["TZ"] = name
    time.tzset()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> DataPaths:
    """Four nights of three accounts, built night by night (so that a kept .prev exists)."""
    paths = DataPaths(tmp_path_factory.mktemp("property-base") / "data" / "finsocial.duckdb")
    paths.ensure()
    set_registry(paths, REGISTRIES[0])
    for n in range(BASE_NIGHTS):
        day = START + dt.timedelta(days=n)
        accounts = {"A": (1000 + 10 * n, "api", True), "B": (500 + n, "api", False), "C": (200, "api", True)}
        posts = [("A", f"p{n}", stamp(day, 9), 5 * n, n), ("C", f"c{n}", stamp(day, 23), 2, None)]
        items = [
            ("A", f"p{n}", f"p{n}", None, stamp(day, 9), True),
            ("A", f"p{n}", f"q{n}", f"p{n}", stamp(day, 10 + n), False),
        ]
        night(paths, day, 4, accounts, posts, items)
        build(paths)
    return paths


days = st.integers(-6, 8).map(lambda n: START + dt.timedelta(days=n))
counts = st.none() | st.integers(0, 5000)
account_keys = st.sampled_from(sorted(ACCOUNTS))
post_ids = st.sampled_from(["p0", "p1", "p2", "p9", "c1", "n1"])
item_ids = st.sampled_from(["q0", "q1", "q9", "a0", "a1", "p0", "p9"])
hours = st.integers(0, 23)


@st.composite
def nights(draw):
    day = draw(days)
    accounts = draw(
        st.dictionaries(
            account_keys,
            st.tuples(counts, st.sampled_from(["api", "manual"]), st.booleans()),
            max_size=3,
        )
    )
    posts = draw(
        st.lists(
            st.tuples(
                account_keys,
                post_ids,
                st.builds(stamp, days, hours),
                counts,
                counts,
            ),
            max_size=3,
        )
    )
    items = draw(
        st.lists(
            st.tuples(
                st.just("A") | account_keys,
                post_ids,
                item_ids,
                st.none() | item_ids | post_ids,
                st.builds(stamp, days, hours),
                st.booleans(),
            ),
            max_size=3,
        )
    )
    return ("night", day, draw(hours), accounts, posts, items)


imports = st.builds(
    lambda day, followers, key: ("import", day, key, followers),
    days,
    st.integers(0, 5000),
    st.sampled_from(["L", "A"]),
)
steps = st.one_of(
    nights(),
    nights(),
    imports,
    st.tuples(st.just("retract"), st.integers(0, 20)),
    st.tuples(st.just("restore"), st.integers(0, 20)),
    st.tuples(st.just("compact"), st.sampled_from([dt.date(2026, 3, 1), dt.date(2026, 4, 1)])),
    st.tuples(st.just("registry"), st.integers(0, len(REGISTRIES) - 1)),
    st.tuples(st.just("tz"), st.sampled_from(TIME_ZONES)),
)


def apply(paths: DataPaths, step: tuple) -> None:
    match step:
        case ("night", day, hour, accounts, posts, items):
            night(paths, day, hour, accounts, posts, items)
        case ("import", day, key, followers):
            night(paths, day, 6, {key: (followers, "manual", False)}, [], [], kind="import")
        case ("retract", k):
            listed = [r for r in list_runs(paths.landing) if not r.where.startswith("quarantine")]
            if listed:
                chosen = listed[k % len(listed)]
                where = chosen.run_id if chosen.where == "landing" else chosen.where.split("/")[1]
                retract(paths.landing, where, "property test")
        case ("restore", k):
            held = [r for r in list_runs(paths.landing) if r.where.startswith("quarantine")]
            if held:
                # a month restored with its run, or a run whose folder is back: nothing to restore
                with contextlib.suppress(RunNotFound, ValueError):
                    restore(paths.landing, held[k % len(held)].run_id)
        case ("compact", before):
            compact(paths.landing, before=before, log=lambda message: None)
        case ("registry", variant):
            set_registry(paths, REGISTRIES[variant])
        case ("tz", name):
            set_time_zone(name)


def contents(db: Path) -> dict[str, object]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: dict[str, object] = {
            "info": con.execute(
                "SELECT key, value FROM warehouse_info WHERE key IN (SELECT unnest(?::VARCHAR[])) ORDER BY key",
                [list(INFO_KEYS)],
            ).fetchall()
        }
        for table in TABLES:
            # where a quarantined run lies differs between the two folders; the rest must not
            columns = "* EXCLUDE (path)" if table == "quarantined_runs" else "*"
            rows = con.sql(f"SELECT {columns} FROM {table}").fetchall()
            out[table] = sorted(
                (tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows), key=repr
            )
        return out
    finally:
        con.close()


# a build after a step a quarter of the time, and always after the last: nights pile up or are built
# one by one, and the cost stays at about two builds a sequence
SEQUENCES = st.lists(st.tuples(steps, st.sampled_from([False, False, False, True])), min_size=1, max_size=3)


def check_sequence(base: DataPaths, sequence) -> None:
    """Apply the steps to a copy of the base, building where a step says so and after the last;
    the warehouse equals a full build of the same landing zone, table for table."""
    work = Path(tempfile.mkdtemp(prefix="property-", dir=base.root.parent.parent))
    zone = os.environ.get("TZ")
    try:
        paths = DataPaths(work / "data" / "finsocial.duckdb")
        shutil.copytree(base.root, paths.root)
        for n, (step, build_after) in enumerate(sequence):
            apply(paths, step)
            if build_after or n == len(sequence) - 1:
                build(paths)
        set_time_zone("UTC")
        full = DataPaths(work / "full" / "finsocial.duckdb")
        shutil.copytree(paths.root, full.root, ignore=shutil.ignore_patterns("*.duckdb*"))
        build(full, full=True)
        assert contents(paths.db) == contents(full.db)
    finally:
        if zone is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = zone
        time.tzset()
        shutil.rmtree(work, ignore_errors=True)


# at about a second a sequence on a quiet machine, 100 of them take minutes, not pytest's 300 s
@pytest.mark.timeout(3600)
@PROPERTY
@given(sequence=SEQUENCES)
def test_nightly_builds_equal_a_full_build(base, sequence):
    check_sequence(base, sequence)
