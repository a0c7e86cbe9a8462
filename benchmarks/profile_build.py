"""Where a build's time goes: each statement timed and profiled, and candidate fixes tried.

`python -m benchmarks.profile_build --size S [--variant NAME]...` replays warehouse/build/builder.py's
steps statement by statement on a scratch file, with DuckDB's JSON profiler on, and prints the
slowest operators. A variant applies a proposed change to the SQL text or settings in memory
(warehouse/ stays as it is) so that its effect is measured before anyone edits the build.
Each variant runs in a child process of its own, for its own peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import scale
from benchmarks.memory import peak_rss_mb
from warehouse.build import builder as wb
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import load_registry
from warehouse.landing.runs import complete_runs

VARIANTS = {
    "as_is": "warehouse/ as it is",
    "no_pk": "no PRIMARY KEY on account_snapshots and posts (staging already keeps one row each)",
    "no_order": "no ORDER BY at the end of the two marts",
    "no_insertion_order": "SET preserve_insertion_order = false",
    "mem_3gb": "SET memory_limit = '3GB' (spill to disk past it)",
    "stg_table": "stg_snapshots a TEMP TABLE, its dedup window run once instead of twice",
    "all_fixes": "no_pk + no_order + no_insertion_order + mem_3gb + stg_table",
    "proposed": "no_pk + stg_table + no_insertion_order + mem_3gb, keeping the marts' ORDER BY "
    "(queries rely on it: a one-day filter reads 1-2 of 207 row groups at L)",
}


REPO = Path(__file__).resolve().parent.parent
REV: str | None = None  # a git revision to read warehouse/ SQL from, instead of the work tree
MEMORY: str | None = None  # a memory_limit for every variant (as build.py sets since 5655198)


def sql_files(layer: str) -> list[tuple[str, str]]:
    """(name, text) of a layer's .sql files: the work tree's, or those of git revision REV."""
    if REV is None:
        return wb.sql_files(layer)
    folder = f"warehouse/{layer}/"
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", REV, folder], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        (
            Path(n).name,
            subprocess.run(
                ["git", "show", f"{REV}:{n}"], cwd=REPO, capture_output=True, text=True, check=True
            ).stdout,
        )
        for n in sorted(names)
        if n.endswith(".sql")
    ]


def _migrations(variant: str) -> list[tuple[str, str]]:
    files = sql_files("migrations")
    if variant in ("no_pk", "all_fixes", "proposed"):
        files = [
            (
                n,
                t.replace(",\n    PRIMARY KEY (account_id, snapshot_date)\n", "\n").replace(
                    ",\n    PRIMARY KEY (account_id, post_id)\n", "\n"
                ),
            )
            for n, t in files
        ]
    return files


def _marts(variant: str) -> list[tuple[str, str]]:
    files = sql_files("sql/marts")
    if variant in ("no_order", "all_fixes"):
        files = [(n, re.sub(r"\nORDER BY [^;]*$", "\n", t.rstrip())) for n, t in files]
    return files


def _statements(text: str) -> list[str]:
    def has_code(part: str) -> bool:
        return any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())

    return [part.strip() for part in text.split(";\n") if has_code(part)]


def _top_operators(profile: dict, n: int = 6) -> list[dict]:
    """The slowest operators of a JSON profile (DuckDB 1.x and 2.x layouts)."""
    found: list[dict] = []

    def walk(node: dict) -> None:
        timing = node.get("timing", node.get("operator_timing", 0)) or 0
        name = node.get("type") or node.get("operator_type") or node.get("operator_name")
        rows = node.get("intermediate_rows", node.get("operator_cardinality"))
        extra = node.get("extra_info") or {}
        detail = {
            k: v
            for k, v in extra.items()
            if k
            in (
                "Table",
                "Conditions",
                "Join Type",
                "Aggregates",
                "Groups",
                "Projections",
                "Order By",
                "Function",
            )
        }
        found.append(
            {
                "operator": str(name),
                "seconds": round(float(timing), 3),
                "rows": rows,
                "detail": json.dumps(detail)[:200],
            }
        )
        for child in node.get("children", []):
            walk(child)

    roots = profile.get("operator")
    for root in roots if isinstance(roots, list) else [profile]:
        walk(root)
    return sorted(found, key=lambda r: -r["seconds"])[:n]


def _cpu() -> float:
    """CPU seconds of this process, all threads: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def replay(db: Path, variant: str) -> dict:
    """The build's steps on `db` (its landing and registry), each statement timed."""
    paths = DataPaths(db)
    target = Path(tempfile.mkdtemp(prefix="fs-profile-")) / "profile.duckdb"
    con = duckdb.connect(str(target))
    if MEMORY:
        con.execute(f"SET memory_limit = '{MEMORY}'")
        con.execute(f"SET temp_directory = '{target.parent / 'spill'}'")
    if variant in ("no_insertion_order", "all_fixes", "proposed"):
        con.execute("SET preserve_insertion_order = false")
    if variant in ("mem_3gb", "all_fixes", "proposed"):
        con.execute("SET memory_limit = '3GB'")
    steps: list[dict] = []
    started = time.perf_counter()

    def step(name: str, fn) -> None:
        t, cpu = time.perf_counter(), _cpu()
        fn()
        steps.append(
            {"step": name, "seconds": round(time.perf_counter() - t, 3), "cpu_s": round(_cpu() - cpu, 3)}
        )

    for name, text in _migrations(variant):
        step(f"migration {name}", lambda text=text: con.execute(text))
    con.execute("CREATE SCHEMA landed")
    institutions = load_registry(paths.registry)
    if hasattr(wb, "landing_runs"):  # compacted months beside the runs
        runs, months = wb.landing_runs(paths.landing)
    else:
        runs, months = complete_runs(paths.landing), ()
    step("load registry", lambda: wb._load_registry(con, institutions, paths.landing))
    step("load landing", lambda: wb._load_landing(con, runs, months))
    wb._load_weights(con)
    for _, text in sql_files("sql/staging"):
        if variant in ("stg_table", "all_fixes", "proposed"):
            text = re.sub(
                r"CREATE OR REPLACE (TEMP )?VIEW stg_snapshots AS",
                "CREATE OR REPLACE TEMP TABLE stg_snapshots AS",
                text,
            )
        step(f"staging {text.split(' AS', 1)[0].split()[-1]}", lambda text=text: con.execute(text))
    profile_file = target.with_suffix(".json")
    for name, text in _marts(variant):
        for k, statement in enumerate(_statements(text)):
            con.execute("PRAGMA enable_profiling = 'json'")
            con.execute(f"PRAGMA profiling_output = '{profile_file}'")
            t, cpu = time.perf_counter(), _cpu()
            con.execute(statement)
            seconds, cpu_s = time.perf_counter() - t, _cpu() - cpu
            head = " ".join(line for line in statement.splitlines() if not line.startswith("--"))
            entry = {
                "step": f"{name} #{k + 1}: {head[:50]}",
                "seconds": round(seconds, 3),
                "cpu_s": round(cpu_s, 3),
            }
            # read before the next statement: each profiled statement overwrites the file
            with contextlib.suppress(OSError, ValueError):
                entry["top_operators"] = _top_operators(json.loads(profile_file.read_text()))
            con.execute("PRAGMA disable_profiling")
            steps.append(entry)
    step(
        "drop landed, CHECKPOINT",
        lambda: (con.execute("DROP SCHEMA landed CASCADE"), con.execute("CHECKPOINT")),
    )
    con.close()
    size = target.stat().st_size
    shutil.rmtree(target.parent)
    return {
        "variant": variant,
        "what": VARIANTS[variant],
        "seconds": round(time.perf_counter() - started, 3),
        "cpu_s": round(_cpu(), 3),
        "peak_rss_mb": round(peak_rss_mb()),
        "warehouse_mb": round(size / 2**20),
        "steps": steps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_build")
    parser.add_argument("--size", default="S")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rev", help="read warehouse/ SQL from this git revision (e.g. HEAD)")
    parser.add_argument("--memory", help="memory_limit for every variant, e.g. 2GB")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    paths = scale.paths_for(args.size)
    global REV, MEMORY
    REV, MEMORY = args.rev, args.memory
    if args.child:
        print(json.dumps(replay(paths.db, args.child)))
        return 0
    scale.ensure(args.size)
    results = []
    for variant in args.variant or ["as_is"]:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.profile_build",
                "--size",
                args.size,
                "--child",
                variant,
                *(["--rev", args.rev] if args.rev else []),
                *(["--memory", args.memory] if args.memory else []),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result.update(rev=args.rev or "work tree", memory_limit=args.memory)
        results.append(result)
        print(
            f"{variant}: {result['seconds']:.1f} s ({result['cpu_s']:.1f} s CPU), peak {result['peak_rss_mb']} MB, "
            f"{result['warehouse_mb']} MB file",
            flush=True,
        )
        for s in result["steps"]:
            print(f"   {s['seconds']:8.2f} s {s['cpu_s']:8.2f} s CPU  {s['step']}")
            for op in s.get("top_operators", [])[:4]:
                print(
                    f"{'':26}{op['seconds']:7.2f} s  {op['operator']}  rows={op['rows']}  "
                    f"{op['detail'][:110]}"
                )
    target = args.out or Path(__file__).parent / "results" / f"profile_build_{args.size}.json"
    target.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
