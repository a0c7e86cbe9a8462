"""`python -m benchmarks --size S|M|L`: time the build and the queries against pandas and DuckDB."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform as py_platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from benchmarks import baseline, scale
from warehouse.infra.paths import DataPaths
from warehouse.read import queries

RESULTS = Path(__file__).parent / "results"
GOALS = {
    "league_query_ms_at_L": 50,
    "league_vs_baseline_speedup": 20,
    "league_vs_floor_ratio": 2,
    "build_s_at_L": 60,
    "build_peak_mb_at_L": 3000,
    "page_s_at_L": 1.5,
    "collection_rate_share": 0.8,
}


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        py_platform.processor(),
    )
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "cpu": model,
        "load_average_at_start": os.getloadavg(),
        "python": py_platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
    }


def spread(samples: list[float]) -> dict:
    """Median, min, max and interquartile range of timings, in the samples' unit."""
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=4) if len(ordered) >= 2 else [ordered[0]] * 3
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "iqr": q[2] - q[0],
        "n": len(ordered),
    }


def timed(fn: Callable[[], object], repeat: int, warmup: int = 1) -> tuple[dict, object]:
    """Run fn warmup + repeat times; the spread of the timed runs in ms, and the last answer."""
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return spread(samples), result


def run_builds(paths: DataPaths, repeat: int, log) -> dict:
    """Each build in a child process of its own, so its peak memory is its own."""
    runs = []
    for i in range(repeat):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.build_child", str(paths.db)],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if out.returncode != 0:
            raise RuntimeError(f"build failed:\n{out.stderr[-3000:]}")
        run = json.loads(out.stdout.strip().splitlines()[-1])
        run["wall_s"] = wall
        runs.append(run)
        log(f"build {i + 1}/{repeat}: {run['seconds']:.1f} s, peak {run['peak_rss_mb']:.0f} MB")
    return {
        "seconds": spread([r["seconds"] for r in runs]),
        "peak_rss_mb": spread([r["peak_rss_mb"] for r in runs]),
        "warehouse_mb": paths.db.stat().st_size / 2**20,
        "phases_s": runs[-1]["phases_s"],
        "counts": {k: runs[-1][k] for k in ("institutions", "accounts", "snapshots", "posts", "runs")},
        "runs": runs,
    }


@dataclass
class Case:
    """One question the dashboard or `finsocial top` asks, three ways."""

    name: str
    label: str
    ours: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]
    floor_sql: str
    floor_params: dict | list
    baseline: Callable[[], pd.DataFrame]
    check: Callable[[pd.DataFrame, pd.DataFrame], tuple[bool, str]]


def cases(con: duckdb.DuckDBPyConnection, paths: DataPaths) -> list[Case]:
    """The questions, with their parameters taken from the data (the largest institution etc.)."""
    day = queries.latest_day(con)
    first = con.execute("SELECT min(day) FROM institution_metrics").fetchone()[0]
    top = queries.league_table(con, "all", "followers", day, limit=5)
    leader = top["institution_id"].iloc[0]
    group = con.execute(
        "SELECT group_name FROM institution_groups WHERE institution_id = ? ORDER BY 1 LIMIT 1",
        [leader],
    ).fetchone()[0]
    peers = [
        r[0]
        for r in con.execute(
            "SELECT institution_id FROM institution_groups WHERE group_name = ? AND institution_id <> ?"
            " ORDER BY institution_id LIMIT 24",
            [group, leader],
        ).fetchall()
    ]
    trend_ids = list(top["institution_id"])
    step = queries.history_step(first, day)
    league_floor = (
        "SELECT m.institution_id, m.{metric} AS value FROM institution_metrics AS m "
        "JOIN institutions AS i USING (institution_id) "
        "WHERE m.platform = $platform AND m.day = $day {extra}"
        "ORDER BY value DESC NULLS LAST, i.name, m.institution_id LIMIT 10"
    )

    def league_check(ours, theirs):
        return baseline.same_league(ours, theirs)

    def peer_check(ours, theirs):
        mine = ours[ours["metric"].isin(theirs["metric"].unique())]
        return baseline.same_columns(mine, theirs, ["platform", "metric"], ["peer_median", "peers"])

    def ids_in(ids: list[str]) -> str:
        return "(" + ", ".join("'" + i.replace("'", "''") + "'" for i in ids) + ")"

    return [
        Case(
            "league_all_followers",
            "league table: all platforms, followers",
            lambda c: queries.league_table(c, "all", "followers", day, limit=10),
            league_floor.format(metric="followers", extra=""),
            {"platform": "all", "day": day},
            lambda: baseline.league_table(paths, "all", "followers", day),
            league_check,
        ),
        Case(
            "league_facebook_engagement",
            "league table: Facebook banks, engagement rate",
            lambda c: queries.league_table(c, "facebook", "engagement_rate", day, kind="bank", limit=10),
            league_floor.format(metric="engagement_rate", extra="AND i.kind = $kind "),
            {"platform": "facebook", "day": day, "kind": "bank"},
            lambda: baseline.league_table(paths, "facebook", "engagement_rate", day, kind="bank"),
            league_check,
        ),
        Case(
            "engagement_vs_audience",
            "engagement against audience: Instagram accounts",
            lambda c: queries.account_day(c, "instagram", day),
            "SELECT account_id, followers, interactions_per_post, engagement_rate, "
            "expected_interactions FROM account_metrics WHERE platform = $platform AND day = $day",
            {"platform": "instagram", "day": day},
            lambda: baseline.engagement_vs_audience(paths, "instagram", day),
            lambda o, t: baseline.same_columns(
                o,
                t,
                ["account_id"],
                ["followers", "interactions_per_post", "engagement_rate", "expected_interactions"],
            ),
        ),
        Case(
            "peer_benchmark",
            f"peer benchmark: the leader against 24 of {group}",
            lambda c: queries.peer_benchmark(c, leader, peers, day),
            "SELECT platform, median(followers), median(growth_30d_pct), median(engagement_rate) "
            f"FROM institution_metrics WHERE day = $day AND institution_id IN {ids_in([leader, *peers])} "
            "GROUP BY platform",
            {"day": day},
            lambda: baseline.peer_medians(paths, leader, peers, day),
            peer_check,
        ),
        Case(
            "profile",
            "profile: the leader's accounts",
            lambda c: queries.institution_accounts(c, leader, day),
            "SELECT * FROM account_metrics WHERE institution_id = $id AND day = $day",
            {"id": leader, "day": day},
            lambda: baseline.profile(paths, leader, day),
            lambda o, t: baseline.same_columns(
                o,
                t,
                ["platform", "handle"],
                ["followers", "growth_30d", "interactions_per_post", "engagement_rate"],
            ),
        ),
        Case(
            "trends",
            "trends: top 5 followers over three years",
            lambda c: queries.metric_history(c, trend_ids, ["all"], first, day),
            "SELECT day, institution_id, followers FROM institution_metrics "
            f"WHERE platform = 'all' AND institution_id IN {ids_in(trend_ids)} "
            "AND day BETWEEN $first AND $day AND date_diff('day', day, $day) % $step = 0",
            {"first": first, "day": day, "step": step},
            lambda: baseline.follower_history(paths, trend_ids, first, day, step),
            lambda o, t: baseline.same_columns(o, t, ["day", "institution_id"], ["followers"]),
        ),
    ]


def run_queries(paths: DataPaths, repeat: int, baseline_repeat: int, log) -> dict:
    out: dict[str, dict] = {}
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        for case in cases(con, paths):
            ours, answer = timed(lambda case=case: case.ours(con), repeat)

            def fresh(case=case):
                with queries.connect(paths.db) as c:
                    return case.ours(c)

            connected, _ = timed(fresh, repeat)
            floor, _ = timed(
                lambda case=case: con.execute(case.floor_sql, case.floor_params).fetchall(), repeat
            )
            base, theirs = timed(case.baseline, baseline_repeat, warmup=0)
            equal, detail = case.check(answer, theirs)
            out[case.name] = {
                "label": case.label,
                "rows": len(answer),
                "ours_ms": ours,
                "ours_with_connect_ms": connected,
                "floor_ms": floor,
                "baseline_ms": base,
                "equal_to_baseline": equal,
                "check": detail,
                "ours_vs_baseline": ours["median"] / base["median"],
                "ours_vs_floor": ours["median"] / floor["median"],
            }
            log(
                f"{case.name}: ours {ours['median']:.1f} ms, floor {floor['median']:.1f} ms, "
                f"pandas {base['median']:.0f} ms, {detail}"
            )
    finally:
        con.close()
    return out


def summary_table(size: str, result: dict) -> Table:
    table = Table(title=f"finsocial benchmarks, size {size}")
    for col in (
        "what",
        "ours",
        "floor (bare DuckDB)",
        "pandas baseline",
        "ours/floor",
        "baseline/ours",
        "equal",
    ):
        table.add_column(col, justify="left" if col == "what" else "right")
    build = result.get("build")
    if build:
        table.add_row(
            "build",
            f"{build['seconds']['median']:.1f} s (±{build['seconds']['iqr']:.1f})",
            f"{build['warehouse_mb']:.0f} MB file",
            "",
            "",
            "",
            f"{build['peak_rss_mb']['max']:.0f} MB peak",
        )
    for name, q in result.get("queries", {}).items():
        table.add_row(
            name,
            f"{q['ours_ms']['median']:.1f} ms",
            f"{q['floor_ms']['median']:.1f} ms",
            f"{q['baseline_ms']['median']:.0f} ms",
            f"{q['ours_vs_floor']:.1f}×",
            f"{1 / q['ours_vs_baseline']:.0f}×",
            "yes" if q["equal_to_baseline"] else "NO",
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--size", choices=[s for s in scale.SIZES if s != "tiny"], required=True)
    parser.add_argument("--repeat", type=int, default=3, help="builds and pandas runs (default 3)")
    parser.add_argument("--query-repeat", type=int, default=20, help="query runs (default 20)")
    parser.add_argument("--root", type=Path, help="data folder (default benchmarks/data/<size>)")
    parser.add_argument("--skip-build", action="store_true", help="reuse the built warehouse")
    parser.add_argument("--collection", action="store_true", help="also time a collect run")
    parser.add_argument("--dashboard", action="store_true", help="also time dashboard pages")
    parser.add_argument("--out", type=Path, help="results file (default results/<size>.json)")
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 130))

    def log(message: str) -> None:
        console.print(f"[dim]{dt.datetime.now():%H:%M:%S}[/dim] {message}", highlight=False)

    result: dict = {
        "size": args.size,
        "spec": repr(scale.SIZES[args.size]),
        "machine": machine(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    paths, made = scale.ensure(args.size, args.root, log)
    if made:
        result["generated"] = made.__dict__
        log(f"generated {made.snapshots:,} snapshots and {made.posts:,} posts in {made.seconds:.1f} s")
    if not (args.skip_build and paths.db.exists()):
        result["build"] = run_builds(paths, args.repeat, log)
    result["queries"] = run_queries(paths, args.query_repeat, args.repeat, log)
    if args.collection:
        from benchmarks import collection

        result["collection"] = collection.run(log)
    if args.dashboard:
        from benchmarks import dashboard

        result["dashboard"] = dashboard.run(paths, log)
    result["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    target = args.out or RESULTS / f"{args.size}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    if args.skip_build and target.exists() and "build" not in result:
        result["build"] = json.loads(target.read_text()).get("build")  # keep the last build figures
    target.write_text(json.dumps(result, indent=2, default=str) + "\n")
    console.print(summary_table(args.size, result))
    log(f"wrote {target}")
    return 0 if all(q["equal_to_baseline"] for q in result["queries"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
