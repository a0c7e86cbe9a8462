"""One writer at a time: an flock on <root>/finsocial.lock naming its holder's pid and start."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from warehouse.infra.paths import DataPaths

# How long a second writing command waits for the first before giving up (seconds).
DEFAULT_WAIT = 600.0
WAIT_ENV = "FINSOCIAL_LOCK_WAIT"
POLL_SECONDS = 0.2
# Held by this process: {lock path: depth}. flock is per open file, so a nested `with` in the same
# process (collect, then its build) must not open the file a second time and wait on itself.
_held: dict[Path, int] = {}


class LockBusy(Exception):
    """Another live finsocial process holds the lock and did not let go in time."""


def _describe(holder: dict) -> str:
    if not holder:
        return "another process"
    return (
        f"pid {holder.get('pid', '?')} ({holder.get('command', '?')}, "
        f"started {holder.get('started_at', '?')})"
    )


def _read_holder(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 4096).decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    try:
        holder = json.loads(text)
    except ValueError:
        return {"pid": "?", "command": f"unreadable lock content {text[:40]!r}"}
    return holder if isinstance(holder, dict) else {}


def _write_holder(fd: int, command: str) -> None:
    holder = {
        "pid": os.getpid(),
        "command": command,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(holder) + "\n").encode())
    os.fsync(fd)


@contextlib.contextmanager
def writer_lock(
    paths: DataPaths,
    command: str,
    wait: float | None = None,
    log: Callable[[str], None] = print,
) -> Iterator[None]:
    """Hold the installation's writer lock for the duration of a writing command.

    The kernel drops an flock when its process dies (even by SIGKILL), so a lock that can be
    taken is never held by a live process; the pid and start time a dead holder left in the
    file only tell the operator what was interrupted. A live holder makes this wait up to
    `wait` seconds (default $FINSOCIAL_LOCK_WAIT, else 600), then raise LockBusy.
    """
    lock_path = paths.lock
    if _held.get(lock_path):
        _held[lock_path] += 1
        try:
            yield
        finally:
            _held[lock_path] -= 1
        return
    if wait is None:
        wait = float(os.environ.get(WAIT_ENV, DEFAULT_WAIT))
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
            if time.monotonic() >= deadline:
                raise LockBusy(
                    f"{lock_path} is held by {_describe(_read_holder(fd))}; gave up after "
                    f"{wait:g}s (set {WAIT_ENV} to wait longer)"
                ) from None
            if not told:
                log(f"waiting up to {wait:g}s for {_describe(_read_holder(fd))} to finish")
                told = True
            time.sleep(POLL_SECONDS)
        left = _read_holder(fd)
        if left:
            # A clean exit empties the file, so content means the holder died mid-command.
            log(
                f"taking over the lock left by {_describe(left)}, which is no longer running; "
                "its unfinished work is invisible and is cleaned up now"
            )
        _write_holder(fd, command)
        _held[lock_path] = 1
        try:
            yield
        finally:
            _held.pop(lock_path, None)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_holder(paths: DataPaths) -> dict | None:
    """Who holds the lock now (pid, command, started_at), or None when it is free."""
    if not paths.lock.exists():
        return None
    fd = os.open(paths.lock, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _read_holder(fd) or {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
