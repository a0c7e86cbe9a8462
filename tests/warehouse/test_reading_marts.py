"""The small tables the pages' headlines, Data health and `status` read (account_latest,
warehouse_counts: migration 015, sql/marts/70_reading.sql) give what the scans of the history gave,
on the warehouse states users pass through; a warehouse built before them is still read (by the scans).
Incremental builds equal full builds for them: tests/warehouse/test_incremental*.py list them."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from warehouse.read import queries

STATES = ("empty", "failed_collect", "two_nights", "manual_only", "stale", "hidden_counts", "demo")


def _reads(db) -> tuple[dict, list, list]:
    with queries.connect(db) as con:
        return (
            queries.summary(con),
            queries.freshness(con, off_platforms=[]).to_dict("records"),
            queries.coverage(con).to_dict("records"),
        )


@pytest.fixture(scope="module")
def before_015(warehouse_state, tmp_path_factory):
    """state -> a copy of its warehouse without the tables of migration 015, as an older build left it."""

    def copy(state: str):
        folder = tmp_path_factory.mktemp(f"before-015-{state}")
        db = folder / "finsocial.duckdb"
        shutil.copy(warehouse_state(state), db)
        con = duckdb.connect(str(db))
        con.execute("DROP TABLE account_latest")
        con.execute("DROP TABLE warehouse_counts")
        con.close()
        return db

    return copy


@pytest.mark.parametrize("state", STATES)
def test_small_tables_read_what_the_history_gave(warehouse_state, before_015, state):
    now, scanned = _reads(warehouse_state(state)), _reads(before_015(state))
    # age_hours is now() minus the last collection: read a moment apart, it may move by 0.1
    for frame in (now[1], scanned[1]):
        for row in frame:
            row.pop("age_hours")
    assert now == scanned


def test_two_nights_by_hand(warehouse_state):
    """two_nights: 3 institutions, 5 accounts (Bluesky 3, Mastodon 2), every one counted on both
    nights but Northwind's Mastodon account, which fails the second night."""
    summary, freshness, coverage = _reads(warehouse_state("two_nights"))
    assert (
        summary["institutions"],
        summary["accounts"],
        summary["accounts_with_data"],
        summary["platforms"],
    ) == (
        3,
        5,
        5,
        2,
    )
    by_platform = {row["platform"]: row for row in freshness}
    assert {p: r["accounts_with_data"] for p, r in by_platform.items()} == {"bluesky": 3, "mastodon": 2}
    assert by_platform["mastodon"]["last_snapshot"] == by_platform["bluesky"]["last_snapshot"]
    assert {r["platform"]: (r["accounts_known"], r["fresh_7d"], r["manual"]) for r in coverage} == {
        "bluesky": (3, 3, 0),
        "mastodon": (2, 2, 0),
    }
