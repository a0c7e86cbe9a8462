"""Where a mart's time goes: each statement of one marts SQL file timed (wall and CPU) on a copy of a
built warehouse, as a build from `--from` would run it (its metrics_from), with the build's settings.

    nice -n 10 python -m benchmarks.profile_marts benchmarks/data/XL25/warehouse/finsocial.duckdb \
        --mart 60_practices.sql --from 2026-03-24 [--explain N] [--rev main]

The copy is written beside the file (removed after); the warehouse itself is never opened for
writing. A statement reading the build's staged inputs (stg_<table>) reads them empty: what a night
with none of them (no new thread reads, post peaks or mention searches) would give. `--explain N`
prints DuckDB's EXPLAIN ANALYZE of the N slowest statements. `--rev REV` runs the mart as it is
at git revision REV instead of this tree's (a before and after on the same file). Results:
benchmarks/results/profile_marts_<data>_<mart>_<from>[_<rev>].json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path

from benchmarks.memory import peak_rss_mb
from warehouse.build import builder
from warehouse.infra.paths import DataPaths

RESULTS = Path(__file__).parent / "results"


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(con, sql: str) -> dict:
    """Run one statement: its wall and CPU time (every thread of this process), and its label."""
    label = " ".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    wall, used = time.perf_counter(), cpu()
    con.execute(sql)
    timing = {
        "statement": " ".join(label.split())[:160],
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(cpu() - used, 2),
    }
    print(f"{timing['wall_s']:8.2f} s {timing['cpu_s']:8.2f} s CPU  {timing['statement'][:90]}")
    return timing


def mart_text(mart: str, rev: str | None) -> str:
    """The mart's SQL in this tree, or at git revision rev."""
    if rev is None:
        [text] = [t for name, t in builder.sql_files("sql/marts") if name == mart]
        return text
    return subprocess.run(
        ["git", "show", f"{rev}:warehouse/build/sql/marts/{mart}"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def main(db: Path, mart: str, from_day: dt.date, explain: int = 0, rev: str | None = None) -> dict:
    load = os.getloadavg()
    copy = db.with_name(db.name + ".profile")
    shutil.copyfile(db, copy)
    try:
        paths = DataPaths(db)
        con = builder._connect(copy, paths)
        tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
        for (table,) in tables:  # the build's staged inputs, empty: a night with none of them
            con.execute(f"CREATE OR REPLACE TEMP TABLE stg_{table} AS SELECT * FROM {table} LIMIT 0")
        builder._load_practices(con, paths)
        builder._set_days(con, from_day)
        text = mart_text(mart, rev)
        timings = []
        for statement in con.extract_statements(text):
            timings.append(timed(con, statement.query.strip()))
        plans = []
        for slow in sorted(timings, key=lambda t: -t["cpu_s"])[:explain]:
            query = next(
                (
                    s.query
                    for s in con.extract_statements(text)
                    if slow["statement"] in " ".join(s.query.split())
                ),
                None,
            )
            if query is None:
                continue
            body = query.split(" AS\n", 1)[1] if query.lstrip().startswith("CREATE") else query
            plan = con.execute("EXPLAIN ANALYZE " + body).fetchall()[0][1]
            plans.append({"statement": slow["statement"], "plan": plan})
        con.close()
    finally:
        copy.unlink(missing_ok=True)
        Path(str(copy) + ".wal").unlink(missing_ok=True)
    result = {
        "db": str(db),
        "mart": mart,
        "metrics_from": from_day.isoformat(),
        "memory_budget": os.environ.get("FINSOCIAL_BUILD_MEMORY", "2GB"),
        "load_avg_at_end": os.getloadavg(),
        "peak_rss_mb": peak_rss_mb(),
        "sql": f"git revision {rev}" if rev else "this tree",
        "load_avg_at_start": load,
        "cpu_s": round(sum(t["cpu_s"] for t in timings), 2),
        "statements": timings,
        "plans": plans,
    }
    variant = f"_{rev}" if rev else ""
    # benchmarks/data/S/finsocial.duckdb, or XL's benchmarks/data/XL25/warehouse/finsocial.duckdb
    data = db.parent.parent.name if db.parent.name == "warehouse" else db.parent.name
    name = f"profile_marts_{data}_{mart.removesuffix('.sql')}_{from_day:%Y%m%d}{variant}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--mart", default="60_practices.sql")
    parser.add_argument("--from", dest="from_day", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--explain", type=int, default=0)
    parser.add_argument("--rev", help="run the mart's SQL as it is at this git revision")
    args = parser.parse_args()
    main(args.db, args.mart, args.from_day, args.explain, args.rev)
