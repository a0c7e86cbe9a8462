"""The nightly cost: land one more night after another on a scale landing zone, then time each
nightly (incremental) build against a full rebuild, each build in a child process of its own.

    python -m benchmarks.nightly L [--nights 3] [--no-full-after] [--before SRC] [--root DIR --built]

A night is what a nightly collect lands: every account's counts of the next day, the posts of that
day, and the posts of the 7 days before seen again with grown counts. The first nightly build has
no previous file kept and copies the serving one; the next ones bring the file the serving one
replaced up to date in place (the steady state). `--before SRC` times the same builds with the
warehouse package of another tree (e.g. `git archive <rev> | tar -x -C SRC`) for a before/after
measured on the same data and machine. Results: benchmarks/results/nightly_<size>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks import scale
from warehouse.infra.paths import DataPaths
from warehouse.landing.runs import LandingRun, complete_runs
from warehouse.landing.store import landing_store

RESEEN_DAYS = 7


def _last_day_rows(runs, kind: str, column: str, since: dt.date) -> pa.Table:
    """The rows of `kind` whose `column` (a date, or a timestamp cast to its day) is on or after since."""
    tables = []
    for run in runs:
        path = run.file(kind)
        if path is None or dt.date.fromisoformat(run.manifest["run_date"]) < since - dt.timedelta(days=31):
            continue
        table = pq.read_table(path)
        day = table[column] if kind == "snapshots" else pc.cast(table[column], pa.date32())
        tables.append(table.filter(pc.greater_equal(day, pa.scalar(since, pa.date32()))))
    return pa.concat_tables(tables, promote_options="default")


def _with(table: pa.Table, name: str, values) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, values)


def add_night(paths: DataPaths) -> dt.date:
    """One more collect run: the accounts of the last day seen again the day after, that day's posts,
    and the posts of the 7 days before seen again with more interactions."""
    store = landing_store(paths)  # a local folder, or s3:// (benchmarks/xl.py)
    runs = complete_runs(store)
    last = max(dt.date.fromisoformat(r.manifest["run_date"]) for r in runs)
    day = last + dt.timedelta(days=1)
    stamp = dt.datetime.combine(day, dt.time(2, 15), dt.UTC)
    snapshots = _last_day_rows(runs, "snapshots", "snapshot_date", last)
    snapshots = snapshots.filter(pc.equal(snapshots["snapshot_date"], pa.scalar(last, pa.date32())))
    # one snapshot per account (the scale data lands reruns of a night too)
    keys = pc.binary_join_element_wise(
        snapshots["institution_id"], snapshots["platform"], pc.fill_null(snapshots["handle"], "-"), "/"
    )
    first = pc.equal(pc.index_in(keys, pc.unique(keys)), pa.array(range(len(keys)), pa.int32()))
    snapshots = snapshots.filter(first)
    snapshots = _with(snapshots, "snapshot_date", pa.array([day] * snapshots.num_rows, pa.date32()))
    snapshots = _with(
        snapshots, "collected_at", pa.array([stamp] * snapshots.num_rows, snapshots["collected_at"].type)
    )
    snapshots = _with(snapshots, "followers", pc.add(snapshots["followers"], 3))
    run = LandingRun(store, "collect", day, run_id=f"{day:%Y%m%d}T021500Z-scale-night", started_at=stamp)
    run.add_table("snapshots", snapshots)
    recent = _last_day_rows(runs, "posts", "posted_at", last - dt.timedelta(days=RESEEN_DAYS - 1))
    if recent.num_rows:
        # a post id is seen once per run: keep each post's latest landed observation
        recent = recent.sort_by([("collected_at", "descending")])
        ids = pc.binary_join_element_wise(
            recent["institution_id"], recent["platform"], recent["post_id"], "/"
        )
        keep = pc.equal(pc.index_in(ids, pc.unique(ids)), pa.array(range(len(ids)), pa.int32()))
        recent = recent.filter(keep)
        recent = _with(
            recent, "collected_at", pa.array([stamp] * recent.num_rows, recent["collected_at"].type)
        )
        seen_again = _with(recent, "likes", pc.add(recent["likes"], 1))
        last_day = pc.equal(pc.cast(recent["posted_at"], pa.date32()), pa.scalar(last, pa.date32()))
        new = recent.filter(last_day)
        new = _with(
            new, "post_id", pc.binary_join_element_wise(new["post_id"], pa.scalar(f"n{day:%m%d}"), "")
        )
        new = _with(new, "posted_at", pc.add(new["posted_at"], pa.scalar(dt.timedelta(days=1))))
        run.add_table("posts", pa.concat_tables([seen_again, new]))
    run.commit("complete", {"scale": True, "night": True})
    return day


CHILD = """
import json, resource, sys, time
from pathlib import Path
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
t0 = time.perf_counter()
steps = []
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return round(u.ru_utime + u.ru_stime, 2)
# each step: wall seconds since the start, CPU seconds so far, what began
r = build(DataPaths(Path(sys.argv[1])), full=sys.argv[2] == "full",
          log=lambda m: steps.append([round(time.perf_counter() - t0, 2), cpu(), m]))
from benchmarks.memory import peak_rss_mb
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": r.seconds, "cpu_seconds": u.ru_utime + u.ru_stime,
                  "peak_rss_mb": peak_rss_mb(), "steps": steps}))
"""


def _build(db: Path, full: bool, source: Path | None = None) -> dict:
    env = dict(os.environ)
    if source is not None:  # another tree's warehouse package
        env["PYTHONPATH"] = str(source)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), "full" if full else "nightly"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=source or None,
    )
    if out.returncode != 0:
        raise RuntimeError(f"build (full={full}) failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    result["file_mb"] = db.stat().st_size / 1e6
    result["load_avg"] = os.getloadavg()
    return result


def main(
    size: str,
    nights: int = 3,
    full_after: bool = True,
    source: Path | None = None,
    root: Path | None = None,
    built: bool = False,
) -> dict:
    """`built`: the warehouse at `root` was already built from this landing zone by the code under
    test (e.g. a before tree's full build, kept): time the nights only."""
    paths, _ = scale.ensure(size, root)
    if built:
        full_before = None
    else:
        for stale in (paths.db, paths.prev_db, paths.next_db):
            stale.unlink(missing_ok=True)
        full_before = _build(paths.db, True, source)
        print(f"full build: {full_before['seconds']:.1f} s", file=sys.stderr)
    night_builds = []
    for _ in range(nights):
        started = time.perf_counter()
        day = add_night(paths)
        landed_s = time.perf_counter() - started
        night = _build(paths.db, False, source)
        night_builds.append({"night": day.isoformat(), "land_night_s": landed_s, **night})
        print(f"night {day}: {night['seconds']:.1f} s", file=sys.stderr)
    after = _build(paths.db, True, source) if full_after else None
    # the extra nights stay out of the scale data: the next `ensure` regenerates it
    (paths.root / "scale-spec.txt").unlink(missing_ok=True)
    if built:
        full_before = {"note": "built before, by the code under test, on the same landing zone"}
    result = {
        "size": size,
        "spec": repr(scale.SIZES[size]),
        "source": str(source) if source else "this tree",
        "full_build_before_the_nights": full_before,
        "nightly_builds": night_builds,
        "full_build_after_the_nights": after,
    }
    name = f"nightly_{size}" + ("_before" if source else "")
    target = Path(__file__).parent / "results" / f"{name}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="S")
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--no-full-after", action="store_true")
    parser.add_argument("--before", type=Path, default=None, help="a tree whose warehouse package to time")
    parser.add_argument(
        "--root", type=Path, default=None, help="the data folder (default benchmarks/data/<size>)"
    )
    parser.add_argument(
        "--built", action="store_true", help="time the nights on the warehouse already at --root"
    )
    args = parser.parse_args()
    result = main(args.size, args.nights, not args.no_full_after, args.before, args.root, args.built)
    print(json.dumps(result, indent=2))
