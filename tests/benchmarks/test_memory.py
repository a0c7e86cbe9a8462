"""A benchmark's peak memory is the measured process's own, not its parent's carried over."""

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.memory import peak_rss_mb

ROOT = Path(__file__).resolve().parents[2]


def test_a_child_reports_its_own_peak_not_the_larger_parents():
    ballast = bytearray(300 * 2**20)
    ballast[::4096] = b"\1" * len(range(0, len(ballast), 4096))  # touch every page: resident
    assert peak_rss_mb() >= 300
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource; from benchmarks.memory import peak_rss_mb;"
            " print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    own, carried = map(float, child.stdout.split())
    assert own < 100  # a bare interpreter
    assert carried >= 300  # what ru_maxrss says on Linux: the reason for benchmarks/memory.py
    del ballast


def test_a_process_that_is_gone_has_no_peak():
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    assert peak_rss_mb(done.pid) is None
