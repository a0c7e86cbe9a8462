"""A process's peak resident memory, read from the kernel's high-water mark of its own address space.

`getrusage().ru_maxrss` is not that: Linux carries a process's high-water mark over fork and exec
into the child (the parent's, when it was larger), so a build started by a benchmark that had just
generated gigabytes of data reported the generator's peak, not its own. `VmHWM` in
/proc/<pid>/status belongs to the address space the process runs in after exec, and is the peak of
that address space so far.
"""

from __future__ import annotations


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """VmHWM of process `pid` in MiB; None when the process is gone or the line is missing."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # the kernel reports kB
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None
