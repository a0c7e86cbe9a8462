"""Durable file writes: fsync a folder, replace a file atomically."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

# collect refuses to start below this much free space (MB) beside the landing zone, before it
# spends any API request: FINSOCIAL_MIN_FREE_MB overrides it
DEFAULT_MIN_FREE_MB = 100


class DiskFull(OSError):
    """Writing under `path` failed, or would, for lack of space; what was there is unchanged."""

    def __init__(self, path: Path, detail: str):
        super().__init__(errno.ENOSPC, f"no space left on the device of {path}: {detail}")
        self.path = Path(path)

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def is_no_space(exc: BaseException) -> bool:
    """Whether an error is a full disk, from the OS (ENOSPC) or from DuckDB's own message."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "no space left on device" in str(exc).lower()


def require_free_space(folder: Path, what: str) -> None:
    """Raise DiskFull when less than FINSOCIAL_MIN_FREE_MB is free where `folder` lies."""
    try:
        minimum = float(os.environ.get("FINSOCIAL_MIN_FREE_MB") or DEFAULT_MIN_FREE_MB)
    except ValueError:
        minimum = DEFAULT_MIN_FREE_MB
    free_mb = shutil.disk_usage(folder).free / 1e6
    if free_mb < minimum:
        raise DiskFull(
            folder, f"only {free_mb:.0f} MB free, {what} needs {minimum:.0f} MB (FINSOCIAL_MIN_FREE_MB)"
        )


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
