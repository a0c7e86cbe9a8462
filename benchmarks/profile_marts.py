"""Where a mart's time goes: each statement of one marts SQL file timed (wall and CPU) on a copy of a
built warehouse, as a build from `--from` would run it (its metrics_from), with the build's settings.

    nice -n 10 python -m benchmarks.profile_marts benchmarks/data/XL25/warehouse/finsocial.duckdb \
        --mart 60_practices.sql --from 2026-03-24 [--explain N]

The copy is written beside the file (removed after); the warehouse itself is never opened for
writing. A statement reading the build's staged inputs (stg_<table>) reads them empty: what a night
with none of them (no new thread reads, post peaks or mention searches) would give. `--explain N`
prints DuckDB's EXPLAIN ANALYZE of the N slowest statements. Results:
benchmarks/results/profile_marts_<data>_<mart>_<from>[_cumulative].json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import time
from pathlib import Path

from warehouse.build import builder
from warehouse.infra.paths import DataPaths

RESULTS = Path(__file__).parent / "results"
SUMS = [
    "observed",
    "posts_seen",
    "closed_known",
    "closed_posts",
    "bait_known",
    "bait_posts",
    "comments_seen",
    "removed_comments",
    "replies_read",
    "empty_replies",
    "comments_toned",
    "negative_comments",
]
# A candidate for 60_practices.sql's practice_windows, measured before anyone edits the build: each
# account's running totals over its days in one cheap pass (ROWS UNBOUNDED PRECEDING, no frame
# tree), then a window's sums on the days needed only as today's total less the total of the last
# day before the window (an as-of join), instead of two RANGE-framed windows of twelve sums over
# every day of the 89 before metrics_from, of which a night keeps one in ten.
CUMULATIVE = f"""
CREATE OR REPLACE TEMP TABLE practice_totals AS
SELECT account_id, institution_id, platform, day, computed,
    {", ".join(f"sum({c}) OVER w AS {c}" for c in SUMS)}
FROM practice_daily
WINDOW w AS (PARTITION BY account_id ORDER BY day ROWS UNBOUNDED PRECEDING);

CREATE OR REPLACE TEMP TABLE practice_windows AS
SELECT a.account_id, a.institution_id, a.platform, a.day, a.n AS window_days,
    a.observed - coalesce(b.observed, 0) > 0 AS threads_observed,
    {", ".join(f"a.{c} - coalesce(b.{c}, 0) AS {c}" for c in SUMS[1:])}
FROM (
    SELECT t.*, w.n, t.day - w.n AS before_window
    FROM practice_totals AS t CROSS JOIN (VALUES (28), (90)) AS w(n)
    WHERE t.computed AND t.day >= getvariable('metrics_from')
) AS a
ASOF LEFT JOIN practice_totals AS b ON a.account_id = b.account_id AND a.before_window >= b.day;
"""


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


def main(db: Path, mart: str, from_day: dt.date, explain: int = 0, cumulative: bool = False) -> dict:
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
        [text] = [t for name, t in builder.sql_files("sql/marts") if name == mart]
        timings = []
        same = None
        for statement in con.extract_statements(text):
            sql = statement.query.strip()
            if cumulative and sql.startswith("CREATE OR REPLACE TEMP TABLE practice_windows AS"):
                # the as-is statement first (untimed, for the answer), then the candidate, timed
                con.execute(sql.replace("practice_windows", "practice_windows_as_is", 1))
                for candidate in con.extract_statements(CUMULATIVE):
                    timings.append(timed(con, candidate.query.strip()))
                same = con.execute(
                    "SELECT (SELECT count(*) FROM (FROM practice_windows EXCEPT ALL FROM practice_windows_as_is)),"
                    " (SELECT count(*) FROM (FROM practice_windows_as_is EXCEPT ALL FROM practice_windows)),"
                    " (SELECT count(*) FROM practice_windows)"
                ).fetchone()
                print(
                    f"candidate against as is: {same[0]} rows only in it, {same[1]} only as is, of {same[2]}"
                )
                continue
            timings.append(timed(con, sql))
        plans = []
        for slow in sorted(timings, key=lambda t: -t["cpu_s"])[:explain]:
            query = next(
                (
                    s.query
                    for s in con.extract_statements(text + CUMULATIVE)
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
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "variant": "cumulative practice_windows" if cumulative else "as is",
        # (rows only in the candidate, rows only as is, rows): the candidate's answer against today's
        "candidate_against_as_is": same,
        "statements": timings,
        "plans": plans,
    }
    variant = "_cumulative" if cumulative else ""
    name = (
        f"profile_marts_{db.parent.parent.name}_{mart.removesuffix('.sql')}_{from_day:%Y%m%d}{variant}.json"
    )
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--mart", default="60_practices.sql")
    parser.add_argument("--from", dest="from_day", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--explain", type=int, default=0)
    parser.add_argument(
        "--cumulative", action="store_true", help="time the running-totals candidate for practice_windows"
    )
    args = parser.parse_args()
    main(args.db, args.mart, args.from_day, args.explain, args.cumulative)
