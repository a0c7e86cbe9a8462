"""The reads behind the pages' selections off their defaults, through queries.connect as the
dashboard calls them (shared=True where the tree has it), on an empty cache: each in a fresh
process (the first call: attach and cold reads; pandas already imported) and then again in it
(later calls: the answer is not cached, the attached instance is).

`python -m benchmarks.reads --db FILE [--before TREE] [--runs N] [--out FILE]`

--before TREE times another source tree (e.g. `git archive REV | tar -x -C TREE`) in the same runs,
alternating which goes first. The load average is recorded with each run: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5

# Each read: a name and the call, made in the child with `queries`, `Period`, `con` and `last` (the
# last post day) at hand. Periods and measures off the Top posts page's defaults.
READS = {
    "summary": "queries.summary(con)",
    "freshness": "queries.freshness(con)",
    "coverage": "queries.coverage(con)",
    "league_table": "queries.league_table(con, 'all', 'followers', None, None, None, None, 10)",
    "industry_posts month by comments": (
        "queries.industry_posts(con, Period('m', (last.replace(day=1) - dt.timedelta(days=1)).replace(day=1),"
        " last.replace(day=1) - dt.timedelta(days=1)), 'comments')"
    ),
    "industry_posts quarter flagged": (
        "queries.industry_posts(con, Period('q', last - dt.timedelta(days=91), last), 'likes', flagged=True)"
    ),
}

CHILD = """
import datetime as dt, inspect, json, sys, time
from pathlib import Path
import pandas  # imported before the timing: the reads' frames need it, and a page has it loaded
from warehouse.read import queries
from warehouse.domain.posts import Period
db, name, call, repeats = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
last = dt.date.fromisoformat(sys.argv[5])
# as the dashboard connects: through the process's instance of the build where the tree has one
shared = {"shared": True} if "shared" in inspect.signature(queries.connect).parameters else {}
times = []
for _ in range(repeats):
    started = time.perf_counter()
    with queries.connect(db, **shared) as con:
        eval(call)
    times.append(time.perf_counter() - started)
print()
print("RESULT " + json.dumps(times))
"""


def last_post_day(db: Path) -> dt.date:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT max(CAST(posted_at AS DATE)) FROM posts").fetchone()[0]
    finally:
        con.close()


def time_read(tree: Path, db: Path, name: str, last: dt.date) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), name, READS[name], str(REPEATS), last.isoformat()],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    times = json.loads(out.stdout.rsplit("RESULT ", 1)[1])
    return {
        "first_s": round(times[0], 4),
        "later_s": round(statistics.median(times[1:]), 4),
        "load": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    trees = {"before": args.before.resolve()} if args.before else {}
    trees["now"] = ROOT
    last = last_post_day(args.db)
    results: dict = {
        "db": str(args.db),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "repeats_per_process": REPEATS,
        "runs": {t: {n: [] for n in READS} for t in trees},
    }
    for i in range(args.runs):
        for name in READS:
            for tree in list(trees) if i % 2 == 0 else list(trees)[::-1]:
                results["runs"][tree][name].append(time_read(trees[tree], args.db, name, last))
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["summary"] = {
        tree: {
            name: {
                "first_s": round(statistics.median(r["first_s"] for r in runs), 3),
                "later_s": round(statistics.median(r["later_s"] for r in runs), 3),
            }
            for name, runs in reads.items()
        }
        for tree, reads in results["runs"].items()
    }
    print("| read | " + " | ".join(f"{t}: first call | {t}: later calls" for t in trees) + " |")
    print("|---|" + "---:|---:|" * len(trees))
    for name in READS:
        cells = " | ".join(
            f"{results['summary'][t][name]['first_s']:.3f} | {results['summary'][t][name]['later_s']:.3f}"
            for t in trees
        )
        print(f"| {name} | {cells} |")
    print(f"load average {results['load_average_at_start']} -> {results['load_average_at_end']}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
