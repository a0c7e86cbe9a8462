"""One warehouse build in a process of its own; prints its time and peak memory as JSON."""

from __future__ import annotations

import inspect
import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.memory import peak_rss_mb
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths


def main(db: str) -> None:
    phases: list[tuple[str, float]] = []
    started = time.perf_counter()
    # a full rebuild: since 3f1580e a build copies the days no new run can change from the
    # previous warehouse, which would make repeated builds of the same landing zone nearly free
    full = {"full": True} if "full" in inspect.signature(build).parameters else {}
    result = build(DataPaths(Path(db)), log=lambda m: phases.append((m, time.perf_counter())), **full)
    marks = [*(t for _, t in phases), started + result.seconds]
    steps = {name: round(marks[i + 1] - t, 3) for i, (name, t) in enumerate(phases)}
    steps["before marts (migrations, landing load, staging)"] = round(marks[0] - started, 3)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": result.seconds,
                "peak_rss_mb": peak_rss_mb(),  # this address space's, not the parent's carried over
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "phases_s": steps,
                "institutions": result.institutions,
                "accounts": result.accounts,
                "snapshots": result.snapshots,
                "posts": result.posts,
                "runs": result.runs,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
