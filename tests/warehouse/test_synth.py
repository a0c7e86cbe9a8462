"""The synthetic-data generator: what a spec plants lands as the spec says, and extras plug in."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from synth import DEMO, DEMO_NOTICE, ExtraRecords, World, generate
from warehouse.infra.paths import DataPaths
from warehouse.landing.runs import complete_runs

END = dt.date(2026, 3, 31)
SMALL = DEMO.replace(institutions=8, days=63, end=END)


def landed(paths: DataPaths, kind: str) -> list[dict]:
    rows = []
    for run in complete_runs(paths.landing):
        if run.file(kind):
            for row in pq.read_table(run.file(kind)).to_pylist():
                rows.append({**row, "_run_date": run.manifest["run_date"]})
    return rows


def make(tmp_path, spec, name="w") -> DataPaths:
    paths = DataPaths(tmp_path / name / "finsocial.duckdb")
    generate(paths, spec)
    return paths


def test_the_demo_spec_plants_what_it_promises(tmp_path):
    paths = make(tmp_path, SMALL)
    runs = complete_runs(paths.landing)
    assert len(runs) == 63 and all(r.manifest["demo"] for r in runs)
    assert all(r.manifest["stats"]["demo"] == DEMO_NOTICE for r in runs)
    snaps = landed(paths, "snapshots")
    first = END - dt.timedelta(days=62)
    # the X outage: no X snapshot, and no error either, on its four days
    outage = {first + dt.timedelta(days=int(63 * 4 / 9) + i) for i in range(4)}
    assert not [s for s in snaps if s["platform"] == "x" and s["snapshot_date"] in outage]
    assert {s["snapshot_date"] for s in snaps if s["platform"] == "x"}  # X is there on other days
    # imported counts come once a week, with their source; YouTube's are rounded
    manual = [s for s in snaps if s["method"] == "manual"]
    by_account: dict[tuple, list] = {}
    for s in manual:
        by_account.setdefault((s["platform"], s["handle"]), []).append(s["snapshot_date"])
    assert manual and all(
        (b - a).days == 7
        for dates in by_account.values()
        for a, b in zip(sorted(dates)[:-1], sorted(dates)[1:], strict=True)
    )
    assert all(s["source"] == "demo: published figures" for s in manual)
    youtube = [s for s in snaps if s["platform"] == "youtube"]
    assert youtube and all(s["precision"] == "rounded" for s in youtube)
    assert all(len(str(s["followers"]).rstrip("0")) <= 3 for s in youtube)
    # posts are landed two days after they were posted, and say they are fictional
    posts = landed(paths, "posts")
    assert posts and all(
        (dt.date.fromisoformat(p["_run_date"]) - p["posted_at"].date()).days == 2 for p in posts
    )
    assert all("fictional" in p["text"] for p in posts)
    # missed nights are run errors
    assert landed(paths, "errors")


def test_an_extra_lands_its_rows_on_their_day_and_changes_nothing_else(tmp_path):
    def first_posts(world: World, rng: np.random.Generator) -> list[ExtraRecords]:
        """An error row for each account's first post (a stand-in for a new record kind)."""
        _, first = np.unique(world.post_acc, return_index=True)
        acc, day = world.post_acc[first], world.post_day[first]
        n = len(acc)
        table = pa.table(
            {
                **world.account_columns(acc),
                "kind": pa.array(["not_found"] * n),
                "message": pa.array([f"extra {rng.integers(1000)}" for _ in range(n)]),
                "occurred_at": pa.array(world.post_seconds[first] * 1_000_000, pa.timestamp("us", tz="UTC")),
                "http_status": pa.nulls(n, pa.int64()),
            }
        )
        return [ExtraRecords("errors", day, table)]

    plain = make(tmp_path, SMALL, "plain")
    extra = make(tmp_path, SMALL.replace(extras=(*SMALL.extras, first_posts)), "extra")
    rows = [e for e in landed(extra, "errors") if e["message"].startswith("extra")]
    assert all(r["_run_date"] == r["occurred_at"].date().isoformat() for r in rows)
    first_post: dict[tuple, dt.date] = {}
    for p in landed(plain, "posts"):
        key = (p["platform"], p["handle"])
        first_post[key] = min(first_post.get(key, p["posted_at"].date()), p["posted_at"].date())
    extra_at = {(r["platform"], r["handle"]): r["occurred_at"].date() for r in rows}
    assert first_post and all(extra_at[k] == v for k, v in first_post.items())
    for kind in ("snapshots", "posts"):
        assert landed(plain, kind) == landed(extra, kind)
    assert plain.registry.read_text() == extra.registry.read_text()
