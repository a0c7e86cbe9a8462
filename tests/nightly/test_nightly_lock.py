"""No overlap: one writer at a time; a dead holder's lock is taken over, a live one waited for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.nightly.conftest import REPO, finsocial, wait_for
from warehouse.infra.lock import LockBusy, lock_holder, writer_lock

HOLD = """
import sys, time
from pathlib import Path
from warehouse.infra.lock import writer_lock
from warehouse.infra.paths import DataPaths
with writer_lock(DataPaths(Path(sys.argv[1])), "collect", wait=0, log=lambda m: None):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(paths, seconds: float) -> subprocess.Popen:
    """Another process holding the writer lock for `seconds` (it says 'held' once it has it)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(paths.db), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_live_holder_makes_the_second_writer_give_up_with_its_name(paths):
    holder = hold_lock(paths, 30)
    try:
        assert lock_holder(paths)["pid"] == holder.pid
        messages = []
        started = time.monotonic()
        with (
            pytest.raises(LockBusy) as busy,
            writer_lock(paths, "build", wait=0.5, log=messages.append),
        ):
            pass
        assert time.monotonic() - started >= 0.5
        assert f"pid {holder.pid} (collect, started" in str(busy.value)
        assert messages and f"waiting up to 0.5s for pid {holder.pid}" in messages[0]
    finally:
        holder.kill()
        holder.wait()


def test_a_second_writer_waits_for_a_live_holder_to_finish(paths):
    holder = hold_lock(paths, 1.0)
    messages = []
    started = time.monotonic()
    with writer_lock(paths, "build", wait=30, log=messages.append):
        assert time.monotonic() - started >= 0.5  # it got the lock only once the holder let go
        assert lock_holder(paths)["pid"] == os.getpid()
    assert f"waiting up to 30s for pid {holder.pid}" in messages[0]
    holder.wait()
    assert not any("taking over" in m for m in messages)  # a clean exit leaves nothing behind
    assert lock_holder(paths) is None


def test_a_lock_left_by_a_killed_process_is_taken_over_with_a_message(paths):
    holder = hold_lock(paths, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock_holder(paths) is None  # the kernel dropped the flock with the process
    messages = []
    with writer_lock(paths, "build", wait=0, log=messages.append):
        pass
    assert len(messages) == 1
    assert f"taking over the lock left by pid {holder.pid} (collect, started" in messages[0]
    assert "no longer running" in messages[0]


def test_nested_writers_in_one_process_do_not_wait_on_themselves(paths):
    with writer_lock(paths, "collect", wait=0), writer_lock(paths, "build", wait=0):
        assert lock_holder(paths)["command"] == "collect"
    assert lock_holder(paths) is None


def test_the_command_line_exits_75_while_another_run_holds_the_lock(paths, cli_env):
    holder = hold_lock(paths, 30)
    try:
        result = finsocial(["build"], {**cli_env, "FINSOCIAL_LOCK_WAIT": "0.3"})
        assert result.returncode == 75, result.stderr
        assert f"is held by pid {holder.pid} (collect" in result.stderr
        assert "FINSOCIAL_LOCK_WAIT" in result.stderr
        assert not paths.db.exists()  # nothing was built
    finally:
        holder.kill()
        holder.wait()
    wait_for(lambda: lock_holder(paths) is None, what="the lock to be free")
    assert finsocial(["build"], cli_env).returncode == 0
