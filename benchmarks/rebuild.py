"""The full rebuild and the warehouse's weight: a full build of a size's landing zone by this tree
and, for a before/after in the same run, by the warehouse package of a git revision; each build in
a child process of its own (its CPU time and peak memory), then the file against the landing zone.

    python -m benchmarks.rebuild S [--before REV] [--root DIR]
    python -m benchmarks.rebuild data --root DIR [--before REV]   # the landing zone at DIR as it is

The landing zone's Parquet is what was collected; the goal is a warehouse at most 6x its size.
Each table's share of the file is counted in blocks (`pragma_storage_info`). Results:
benchmarks/results/rebuild_<size>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from benchmarks import nightly, scale

REPO = Path(__file__).resolve().parent.parent


def landing_mb(landing: Path) -> float:
    """The landing zone's Parquet files (what was collected), in MB."""
    return sum(f.stat().st_size for f in landing.rglob("*.parquet")) / 1e6


def table_mb(db: Path) -> dict[str, float]:
    """Each table's blocks in the file, in MB (a block is counted for the table holding it)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        block = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
        names = [
            r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
        ]
        sizes = {}
        for name in names:
            blocks = con.execute(
                f"SELECT count(DISTINCT block_id) FROM pragma_storage_info('{name}') WHERE block_id >= 0"
            ).fetchone()[0]
            sizes[name] = round(blocks * block / 1e6, 1)
        return dict(sorted(sizes.items(), key=lambda kv: -kv[1]))
    finally:
        con.close()


def _tree(rev: str) -> Path:
    """The files of git revision rev, in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix=f"fs-rebuild-{rev[:8]}-"))
    archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def full_build(db: Path, source: Path | None = None) -> dict:
    """A full build of db's landing zone in a child process, by this tree or by source's."""
    for stale in (db, db.with_name(db.name + ".prev"), db.with_name(db.name + ".next")):
        stale.unlink(missing_ok=True)
        stale.with_name(stale.name + ".sha256").unlink(missing_ok=True)
    load = os.getloadavg()
    result = nightly._build(db, True, source)
    result["file_mb"] = round(db.stat().st_size / 1e6, 1)
    result["tables_mb"] = table_mb(db)
    result["load_avg_before"] = [round(x, 2) for x in load]
    return result


def main(size: str, before: str | None = None, root: Path | None = None) -> dict:
    """size "data": the landing zone and registry already at root (the demo's, say), used as they are."""
    paths = scale.paths_for(size, root) if size == "data" else scale.ensure(size, root)[0]
    collected = landing_mb(paths.landing)
    builds = {}
    if before:
        tree = _tree(before)
        try:
            builds[f"before ({before})"] = full_build(paths.db, tree)
        finally:
            shutil.rmtree(tree, ignore_errors=True)
        print(f"before: {builds[f'before ({before})']['seconds']:.1f} s", file=sys.stderr)
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    builds[f"now ({rev.stdout.strip()} + work tree)"] = full_build(paths.db)
    for build in builds.values():
        build["times_landing"] = round(build["file_mb"] / collected, 2)
    result = {
        "size": size,
        "spec": str(root) if size == "data" else repr(scale.SIZES[size]),
        "landing_parquet_mb": round(collected, 1),
        "builds": builds,
    }
    name = Path(root).name if size == "data" else size
    target = Path(__file__).parent / "results" / f"rebuild_{name}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="S")
    parser.add_argument("--before", default=None, help="a git revision whose warehouse package to time too")
    parser.add_argument(
        "--root", type=Path, default=None, help="the data folder (default benchmarks/data/<size>)"
    )
    args = parser.parse_args()
    out = main(args.size, args.before, args.root)
    for name, b in out["builds"].items():
        print(
            f"{name}: {b['seconds']:.1f} s, CPU {b['cpu_seconds']:.1f} s, peak {b['peak_rss_mb']:.0f} MB, "
            f"file {b['file_mb']:.0f} MB = {b['times_landing']}x the landing zone's {out['landing_parquet_mb']} MB"
        )
