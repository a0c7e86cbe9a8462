"""The world on one machine: 250,000 accounts over 120 days landed on a local S3 server, then a full
build and the nights after it, each build in a child process of its own.

    nice -n 10 python -m benchmarks.xl --size XL25   # the dry run: 25,000 accounts
    nice -n 10 python -m benchmarks.xl --size XL     # the world: 250,000 accounts

SeaweedFS (localservers/seaweed.py) runs on 127.0.0.1 with its data under --root; the generator
(synth, the named size) lands its runs there through the landing zone's S3 store, as collect would.
Measured: the landing's wall time and the generating process's peak memory, the objects and bytes
on S3 (and on the server's disk), each build's wall and CPU time and peak memory (the child's
own high-water mark, benchmarks/memory.py), its log with the time of each step, the warehouse file,
the load average around each step, and the commit of the code measured. The goals (issue 24): a
night's build <= 60 s, a full build <= 10 min. Results: benchmarks/results/<size>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import nightly
from benchmarks.__main__ import machine
from benchmarks.memory import peak_rss_mb
from localservers.seaweed import BUCKET, SeaweedServer
from synth import SIZES
from synth import generate as generate_spec
from warehouse.infra.paths import DataPaths
from warehouse.landing import store as store_module
from warehouse.landing.store import landing_store

RESULTS = Path(__file__).parent / "results"
REPO = Path(__file__).resolve().parent.parent
GOALS = {"night_build_s": 60, "full_build_s": 600}

CHILD = r"""
import resource, sys, time
from pathlib import Path
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
t0 = time.perf_counter()
steps = open(sys.argv[4], "a", buffering=1)
def log(m):
    u = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process: DuckDB's too
    steps.write(f"{time.perf_counter() - t0:.2f}\t{u.ru_utime + u.ru_stime:.2f}\t{m}\n")
r = build(DataPaths(Path(sys.argv[1]), sys.argv[3]), full=sys.argv[2] == "full", log=log)
log(f"done: {r.seconds:.2f} s, {r.snapshots} snapshots, {r.posts} posts, {r.accounts} accounts, {r.runs} runs")
"""


def build(paths: DataPaths, full: bool, env: dict, deadline_s: float | None = None) -> dict:
    """One build in a child process: its wall time, CPU and peak memory (the child's own rusage,
    from wait4), its steps with the time of each (written as it goes, so a build stopped at the
    deadline still says where its time went), the warehouse file and the load around it."""
    load_before = os.getloadavg()
    steps_file = paths.root / f"build-{time.strftime('%H%M%S')}-{'full' if full else 'night'}.log"
    started = time.perf_counter()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(paths.db),
            "full" if full else "nightly",
            str(paths.landing_url),
            str(steps_file),
        ],
        stderr=open(steps_file.with_suffix(".err"), "w"),  # noqa: SIM115 (closed with the process)
        env={**os.environ, **env},
    )
    stopped = False
    peak = 0.0  # the child's own high-water mark, read each second (ru_maxrss carries ours over)
    while True:
        peak = max(peak, peak_rss_mb(child.pid) or 0.0)
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if deadline_s is not None and time.perf_counter() - started > deadline_s:
            child.send_signal(signal.SIGTERM)  # a build stopped anywhere leaves the serving file as it was
            pid, status, usage = os.wait4(child.pid, 0)
            stopped = True
            break
        time.sleep(1)
    child.returncode = os.waitstatus_to_exitcode(status)
    # [wall s, CPU s, what starts then], from the start of the process
    steps = [
        [float(t), float(c), m]
        for t, c, m in (line.split("\t", 2) for line in steps_file.read_text().splitlines())
    ]
    if child.returncode != 0 and not stopped:
        raise RuntimeError(
            f"build (full={full}) failed:\n{steps_file.with_suffix('.err').read_text()[-3000:]}"
        )
    return {
        "finished": not stopped,
        "stopped_after_s": round(deadline_s, 1) if stopped else None,
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(peak, 1),  # to the last second before it ended
        "warehouse_mb": round(paths.db.stat().st_size / 2**20, 1) if paths.db.exists() else None,
        "load_avg_before": load_before,
        "load_avg_after": os.getloadavg(),
        "steps": steps,
    }


def commit() -> str:
    """The commit measured, with '+changes' when the work tree's warehouse/ differs from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "warehouse"], cwd=REPO, capture_output=True, text=True
    )
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def on_s3(paths: DataPaths) -> dict:
    objects = landing_store(paths).list("")
    return {"objects": len(objects), "bytes": sum(objects.values())}


def disk_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def land(paths: DataPaths, spec, server: SeaweedServer, log) -> dict:
    """Generate the size and land it on the server: its time, the generator's peak memory, what landed."""
    load = os.getloadavg()
    started = time.perf_counter()
    made = generate_spec(paths, spec, log)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "generator_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load_avg_before": load,
        "load_avg_after": os.getloadavg(),
        "institutions": made.institutions,
        "accounts": made.accounts,
        "snapshots": made.snapshots,
        "posts": made.posts,
        "runs": made.runs,
        "on_s3": on_s3(paths),
        "server_disk_bytes": disk_bytes(server.data_dir / "data"),
    }


def main(
    size: str,
    root: Path,
    nights: int = 2,
    full_deadline_s: float | None = None,
    reuse: bool = False,
    log=print,
) -> dict:
    spec = SIZES[size]
    root.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{size}.json"
    result: dict = {
        "size": size,
        "spec": repr(spec),
        "commit": commit(),
        "machine": machine(),
        "memory_budget": os.environ.get("FINSOCIAL_BUILD_MEMORY", "2GB"),
        "nice": os.nice(0),
        "goals": GOALS,
    }

    def save() -> None:  # after each step: a run stopped later keeps what it measured
        target.write_text(json.dumps(result, indent=2) + "\n")

    with SeaweedServer(data_dir=root / "seaweed") as server:
        os.environ.update(server.env)  # the landing zone's client reads the standard AWS variables
        store_module._stores.clear()  # a client made for an earlier server (its ports) is no use
        paths = DataPaths(root / "warehouse" / "finsocial.duckdb", f"s3://{BUCKET}/{size.lower()}")
        for stale in (paths.db, paths.prev_db, paths.next_db):
            stale.unlink(missing_ok=True)
        landed_before = json.loads(target.read_text()).get("landing") if reuse and target.exists() else None
        if landed_before and on_s3(paths)["objects"] == landed_before["on_s3"]["objects"]:
            result["landing"] = {**landed_before, "reused": True}  # landed by an earlier run on this server
            landing_store(paths).delete("lease/build.json")  # a lease an earlier run's stopped build held
        else:
            result["landing"] = land(paths, spec, server, log)
        save()
        log(f"landed: {json.dumps(result['landing'])}")

        shutil.rmtree(paths.landing, ignore_errors=True)  # the build downloads every file it reads
        result["full_build"] = build(paths, True, server.env, full_deadline_s)
        result["landing_cache_bytes"] = disk_bytes(paths.landing)
        save()
        log(
            f"full build: {result['full_build']['seconds']:.1f} s, finished: {result['full_build']['finished']}"
        )
        result["nights"] = []
        for _ in range(nights if result["full_build"]["finished"] else 0):
            load = os.getloadavg()
            started = time.perf_counter()
            day = nightly.add_night(paths)
            landed = round(time.perf_counter() - started, 1)
            night = build(paths, False, server.env)
            result["nights"].append(
                {"night": day.isoformat(), "land_night_s": landed, "land_load": load, **night}
            )
            save()
            log(f"night {day}: {night['seconds']:.1f} s")
        result["on_s3_after"] = on_s3(paths)
    result["load_avg_at_end"] = os.getloadavg()
    save()
    log(f"written {target}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XL25", choices=[s for s in SIZES if s.startswith("XL")])
    parser.add_argument(
        "--root", type=Path, default=None, help="where the data lies (default benchmarks/data/<size>)"
    )
    parser.add_argument("--nights", type=int, default=2, help="nights landed and built after the full build")
    parser.add_argument(
        "--full-deadline",
        type=float,
        default=None,
        help="stop the full build after this many seconds (its steps so far are kept)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="build what an earlier run landed on the server under --root"
    )
    args = parser.parse_args()
    root = args.root or Path(__file__).parent / "data" / args.size
    main(args.size, root, args.nights, args.full_deadline, args.reuse)
