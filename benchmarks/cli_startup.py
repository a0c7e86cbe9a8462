"""`python -m benchmarks.cli_startup --db FILE`: `finsocial top --format json` as a whole process
against a bare `python -c "import duckdb; ..."` process running the same league query.

Runs the two in turn (A B A B ...) after a warm-up and writes every wall time, the medians and the
pair-by-pair ratio to benchmarks/results/cli_startup.json. `--before SRC` adds a third command:
the same `top` from another source tree (e.g. an older commit unpacked with `git archive`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"

# The floor: only DuckDB, the same SQL and parameters, rows printed as JSON.
BARE = """
import datetime as dt, json, sys
import duckdb
db, sql = sys.argv[1], open(sys.argv[2]).read()
con = duckdb.connect(":memory:")
con.execute("ATTACH '" + db.replace("'", "''") + "' AS warehouse (READ_ONLY)")
con.execute("USE warehouse")
day = con.execute("SELECT max(day) FROM institution_metrics").fetchone()[0]
params = {"platform": "all", "as_of": day, "previous": day - dt.timedelta(days=30),
          "country": None, "kind": None, "group": None, "institutions": None,
          "min_followers": None, "min_questions": None, "limit": 10}
cur = con.execute(sql, params)
names = [c[0] for c in cur.description]
print(json.dumps([dict(zip(names, r)) for r in cur.fetchall()], default=str, indent=2))
"""


def top_command(db: Path) -> list[str]:
    finsocial = Path(sys.executable).parent / "finsocial"
    return [
        str(finsocial),
        "top",
        "--db",
        str(db),
        "--platform",
        "all",
        "--metric",
        "followers",
        "--format",
        "json",
    ]


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + sys) and peak memory (MiB) of one whole process, from the
    kernel's accounting of the finished child (what `/usr/bin/time -v` reports)."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, cmd)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/demo/finsocial.duckdb"))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--before", type=Path, help="a source tree whose `finsocial top` to time as well")
    args = parser.parse_args()
    from warehouse.read.queries import league_sql

    sql = Path(tempfile.mkdtemp()) / "league.sql"  # the league query `top` runs, for the bare process
    sql.write_text(league_sql("followers"))
    commands = {
        "top_json": (top_command(args.db), None),
        "bare_duckdb": ([sys.executable, "-c", BARE, str(args.db), str(sql)], None),
    }
    if args.before:
        # an editable install's finder wins over PYTHONPATH, so drop it before importing the old tree
        run_before = (
            "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
            f"sys.path.insert(0, {str(args.before.resolve())!r}); "
            "from finsocial.cli import main; main()"
        )
        old_args = ["--db", str(args.db), "top", *top_command(args.db)[4:]]  # --db before the command
        commands["top_json_before"] = ([sys.executable, "-c", run_before, *old_args], None)
    load_at_start = os.getloadavg()
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    peak: dict[str, list[float]] = {name: [] for name in commands}
    for cmd, env in commands.values():  # warm-up: file cache, .pyc
        timed(cmd, env)
    for _ in range(args.runs):
        for name, (cmd, env) in commands.items():
            elapsed, used, rss = timed(cmd, env)
            times[name].append(elapsed)
            cpu[name].append(used)
            peak[name].append(rss)
    ratios = [a / b for a, b in zip(times["top_json"], times["bare_duckdb"], strict=True)]
    cpu_ratios = [a / b for a, b in zip(cpu["top_json"], cpu["bare_duckdb"], strict=True)]
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "db": str(args.db),
        "runs": args.runs,
        "commands": {name: cmd for name, (cmd, _) in commands.items()},
        "wall_s": {name: samples for name, samples in times.items()},
        "cpu_s": {name: samples for name, samples in cpu.items()},
        "median_s": {name: round(statistics.median(s), 3) for name, s in times.items()},
        "median_cpu_s": {name: round(statistics.median(s), 3) for name, s in cpu.items()},
        "median_peak_mib": {name: round(statistics.median(s), 1) for name, s in peak.items()},
        "ratio_top_vs_bare_median": round(statistics.median(ratios), 2),
        "cpu_ratio_top_vs_bare_median": round(statistics.median(cpu_ratios), 2),
        "goal_ratio": 2.0,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli_startup.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        json.dumps(
            {
                k: result[k]
                for k in (
                    "median_s",
                    "median_cpu_s",
                    "median_peak_mib",
                    "ratio_top_vs_bare_median",
                    "cpu_ratio_top_vs_bare_median",
                    "load_average_at_start",
                    "load_average_at_end",
                )
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
