"""The nightly cost: land one more night on a scale landing zone, then time an incremental build
against a full one (each in a child process of its own)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks import scale
from warehouse.landing.runs import LandingRun, complete_runs
from warehouse.paths import DataPaths


def add_night(paths: DataPaths) -> dt.date:
    """One more collect run: every account seen on the last day, seen again the day after."""
    runs = complete_runs(paths.landing)
    last = max(dt.date.fromisoformat(r.manifest["run_date"]) for r in runs)
    tables = [
        pq.read_table(f, filters=[("snapshot_date", "==", last)])
        for r in runs
        if (f := r.file("snapshots")) is not None and dt.date.fromisoformat(r.manifest["run_date"]) == last
    ]
    night = pa.concat_tables(tables)
    day = last + dt.timedelta(days=1)
    night = night.set_column(
        night.schema.get_field_index("snapshot_date"),
        "snapshot_date",
        pa.array([day] * night.num_rows, pa.date32()),
    )
    stamp = dt.datetime.combine(day, dt.time(2, 15), dt.UTC)
    night = night.set_column(
        night.schema.get_field_index("collected_at"),
        "collected_at",
        pa.array([stamp] * night.num_rows, pa.timestamp("us", tz="UTC")),
    )
    night = night.set_column(
        night.schema.get_field_index("followers"), "followers", pc.add(night["followers"], 3)
    )
    run = LandingRun(
        paths.landing, "collect", day, run_id=f"{day:%Y%m%d}T021500Z-scale-night", started_at=stamp
    )
    run.add_table("snapshots", night)
    run.commit("complete", {"scale": True, "night": True})
    return day


def _build(db: Path, full: bool) -> dict:
    code = (
        "import json, resource, sys, time; from pathlib import Path; "
        "from warehouse.build import build; from warehouse.paths import DataPaths; "
        f"r = build(DataPaths(Path(sys.argv[1])), full={full}); "
        "u = resource.getrusage(resource.RUSAGE_SELF); "
        "print(json.dumps({'seconds': r.seconds, 'cpu_seconds': u.ru_utime + u.ru_stime, "
        "'peak_rss_mb': u.ru_maxrss / 1024}))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"build (full={full}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(size: str, full_after: bool = True) -> dict:
    paths, _ = scale.ensure(size)
    full_before = _build(paths.db, full=True)  # a warehouse of the current build's version
    started = time.perf_counter()
    day = add_night(paths)
    landed_s = time.perf_counter() - started
    incremental = _build(paths.db, full=False)
    after = _build(paths.db, full=True) if full_after else None
    # the extra night stays out of the scale data: the next `ensure` regenerates it
    (paths.root / "scale-spec.txt").unlink(missing_ok=True)
    result = {
        "size": size,
        "night": day.isoformat(),
        "land_night_s": landed_s,
        "full_build": after,
        "incremental_build": incremental,
        "full_build_before_the_night": full_before,
    }
    target = Path(__file__).parent / "results" / f"nightly_{size}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    size = sys.argv[1] if len(sys.argv) > 1 else "S"
    print(json.dumps(main(size, full_after="--no-full-after" not in sys.argv), indent=2))
