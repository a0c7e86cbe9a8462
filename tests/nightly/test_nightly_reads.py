"""Concurrent reads: readers query while builds swap the warehouse file under them."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time

from tests.nightly.conftest import REPO, land_counts
from warehouse.build.builder import build
from warehouse.read import queries

BUILDS = 5
THREADS = 3
DAY0 = dt.date(2026, 1, 1)
ACCOUNT = ("northwind", "linkedin", "northwind-bank")

# A separate process builds again and again, each time with one more day of counts, so that
# every build has its own answer: followers = 1000 + 10 × (runs - 1) on day DAY0 + runs - 1.
BUILDER = f"""
import datetime as dt, sys
from pathlib import Path
from tests.nightly.conftest import land_counts
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
paths = DataPaths(Path(sys.argv[1]))
for k in range(1, {BUILDS} + 1):
    land_counts(paths, dt.date(2026, 1, 1) + dt.timedelta(days=k), {{{ACCOUNT!r}: 1000 + 10 * k}})
    build(paths)
"""

# A reader in a process of its own, as `finsocial top` is: one short connection after another.
READER = """
import json, sys, pathlib, time
from tests.nightly.test_nightly_reads import read_once
stop = pathlib.Path(sys.argv[2])
reads, errors, seen = 0, [], set()
while not stop.exists():
    runs, error = read_once(pathlib.Path(sys.argv[1]))
    reads += 1
    if error:
        errors.append(error)
    else:
        seen.add(runs)
    time.sleep(0.005)  # as the threads do: a reader that never pauses takes a core from the builds
print(json.dumps({"reads": reads, "errors": errors, "seen": sorted(seen)}))
"""


def read_once(db) -> tuple[int | None, str | None]:
    """(the build's run count, None) from one read, or (None, what went wrong)."""
    try:
        with queries.connect(db) as con:
            runs = int(queries.info(con)["runs"])
            values = queries.league_table(con, "linkedin", "followers")["value"].tolist()
            day = queries.latest_day(con)
    except Exception as exc:  # any error at all is a failure of the test
        return None, f"{type(exc).__name__}: {exc}"
    # one build's facts throughout: its run count, its last day and its number agree
    if values != [1000 + 10 * (runs - 1)] or day != DAY0 + dt.timedelta(days=runs - 1):
        return None, f"torn read: runs={runs}, day={day}, values={values}"
    return runs, None


def run_readers_during_builds(paths, threads: int, processes: int) -> dict:
    land_counts(paths, DAY0, {ACCOUNT: 1000})
    build(paths)
    stop = paths.root / "stop-readers"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(paths.db), str(stop)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    results = {"thread_reads": 0, "thread_errors": [], "thread_seen": set()}
    lock = threading.Lock()
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            runs, error = read_once(paths.db)
            with lock:
                results["thread_reads"] += 1
                if error:
                    results["thread_errors"].append(error)
                else:
                    results["thread_seen"].add(runs)
            time.sleep(0.005)

    workers = [threading.Thread(target=reader) for _ in range(threads)]
    for w in workers:
        w.start()
    builder = subprocess.run(
        [sys.executable, "-c", BUILDER, str(paths.db)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    done.set()
    stop.touch()
    for w in workers:
        w.join()
    results["processes"] = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
    assert builder.returncode == 0, builder.stderr
    return results


def test_readers_never_fail_or_see_a_torn_warehouse_while_builds_swap(paths):
    results = run_readers_during_builds(paths, THREADS, processes=2)
    process_reads = sum(p["reads"] for p in results["processes"])
    print(
        f"\n{results['thread_reads']} reads in {THREADS} threads and {process_reads} reads in "
        f"2 processes during {BUILDS} builds; errors: {len(results['thread_errors'])} + "
        f"{sum(len(p['errors']) for p in results['processes'])}"
    )
    assert results["thread_errors"] == []
    assert all(p["errors"] == [] for p in results["processes"])
    assert results["thread_reads"] >= 30 and process_reads >= 30
    # a reader process with short connections follows the builds as they land
    assert all(len(p["seen"]) >= 3 for p in results["processes"])
    with queries.connect(paths.db) as con:
        assert int(queries.info(con)["runs"]) == BUILDS + 1


def test_a_new_reader_sees_the_new_build_while_an_old_connection_is_open(paths):
    land_counts(paths, DAY0, {ACCOUNT: 1000})
    build(paths)
    with queries.connect(paths.db) as old:
        land_counts(paths, DAY0 + dt.timedelta(days=1), {ACCOUNT: 1010})
        build(paths)
        assert int(queries.info(old)["runs"]) == 1  # the open connection keeps its build
        with queries.connect(paths.db) as new:
            assert int(queries.info(new)["runs"]) == 2
