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
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
SQL = Path(__file__).parents[1] / "warehouse" / "sql" / "queries" / "league_table.sql"

# The floor: only DuckDB, the same SQL and parameters, rows printed as JSON.
BARE = """
import datetime as dt, json, sys
import duckdb
db, sql = sys.argv[1], open(sys.argv[2]).read().format(metric="followers")
con = duckdb.connect(":memory:")
con.execute("ATTACH '" + db.replace("'", "''") + "' AS warehouse (READ_ONLY)")
con.execute("USE warehouse")
day = con.execute("SELECT max(day) FROM institution_metrics").fetchone()[0]
params = {"platform": "all", "as_of": day, "previous": day - dt.timedelta(days=30),
          "country": None, "kind": None, "group": None, "limit": 10}
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


def wall(cmd: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/demo/finsocial.duckdb"))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--before", type=Path, help="a source tree whose `finsocial top` to time as well")
    args = parser.parse_args()
    commands = {
        "top_json": (top_command(args.db), None),
        "bare_duckdb": ([sys.executable, "-c", BARE, str(args.db), str(SQL)], None),
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
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd, env in commands.values():  # warm-up: file cache, .pyc
        wall(cmd, env)
    for _ in range(args.runs):
        for name, (cmd, env) in commands.items():
            times[name].append(wall(cmd, env))
    ratios = [a / b for a, b in zip(times["top_json"], times["bare_duckdb"], strict=True)]
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "db": str(args.db),
        "runs": args.runs,
        "commands": {name: cmd for name, (cmd, _) in commands.items()},
        "wall_s": {name: samples for name, samples in times.items()},
        "median_s": {name: round(statistics.median(s), 3) for name, s in times.items()},
        "ratio_top_vs_bare_median": round(statistics.median(ratios), 2),
        "goal_ratio": 2.0,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli_startup.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        json.dumps({k: result[k] for k in ("median_s", "ratio_top_vs_bare_median", "goal_ratio")}, indent=2)
    )


if __name__ == "__main__":
    main()
