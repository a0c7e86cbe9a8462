"""What a build checks of each landed file it reads, beyond its footer: the SHA-256 its manifest
keeps (any flipped byte), and counts no sum in the warehouse could hold (past MAX_COUNT).

A file that fails is the reason its run (or compacted month) goes to the quarantine; the build goes
on without it. Manifests written before checksums were kept have none: their files are read as
before.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse.landing.compact import CompactedMonth
from warehouse.landing.records import MAX_COUNT, SCHEMAS, count_columns
from warehouse.landing.runs import DamagedRun, LandedRun, file_entries, file_sha256, read_footer
from warehouse.landing.store import StoreError


def _too_large(path: Path, kind: str) -> str | None:
    """The first count past MAX_COUNT in a file, named by its account and column; None if none.

    The footer's statistics answer for most files without reading a value."""
    columns = count_columns(kind)
    meta = read_footer(path)
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    suspect = []
    for column in columns:
        if column not in names:
            continue
        index = names.index(column)
        for group in range(meta.num_row_groups):
            stats = meta.row_group(group).column(index).statistics
            if (
                stats is not None
                and not stats.has_min_max
                and stats.null_count == meta.row_group(group).num_rows
            ):
                continue  # every value NULL (a count the platform does not give): nothing to read
            if stats is None or not stats.has_min_max or max(abs(stats.min), abs(stats.max)) > MAX_COUNT:
                suspect.append(column)
                break
    if not suspect:
        return None
    keys = [c for c in ("institution_id", "platform", "handle") if c in names]
    table = pq.read_table(path, columns=keys + suspect)
    for column in suspect:
        values = table[column]
        past = pc.greater(pc.abs(values), MAX_COUNT)
        if not pc.any(past).as_py():
            continue
        row = pc.index(past, True).as_py()
        key = "/".join(str(table[k][row].as_py() or "-") for k in keys)
        return (
            f"{path}: {kind} record {row + 1} ({key}) has {column} {values[row].as_py()}, past the "
            f"largest count the warehouse takes ({MAX_COUNT:,}); no sum could hold it"
        )
    return None


def file_damage(path: Path, entry: dict, kind: str) -> str | None:
    """Why a landed file cannot be read as its manifest says: another SHA-256, or a count past
    MAX_COUNT; None when it can."""
    expected = entry.get("sha256")
    if isinstance(expected, str):
        try:
            found = file_sha256(path)
        except OSError as exc:
            return f"{path}: cannot be read ({exc.strerror or exc})"
        if found != expected:
            return (
                f"{path}: its SHA-256 is {found}, the manifest says {expected}: damaged since it was written"
            )
    if kind in SCHEMAS:
        try:
            return _too_large(path, kind)
        except (OSError, ValueError) as exc:
            return f"{path}: cannot be read ({exc})"
    return None


def damaged_reads(runs: list[LandedRun], months: list[CompactedMonth]) -> list[DamagedRun]:
    """The runs and compacted months among those a build is about to read whose files fail."""
    found = []
    for source in [*runs, *months]:
        files = (source.manifest if isinstance(source, LandedRun) else source.index).get("files", {})
        reason = None
        for kind, listed in files.items():
            try:
                # a remote landing zone's files are fetched into the cache; a collect's in parts
                paths = source.files(kind) if isinstance(source, LandedRun) else [source.file(kind)]
            except StoreError as exc:
                reason = str(exc)
                break
            for path, entry in zip(paths, file_entries(listed), strict=True):
                if reason := file_damage(path, entry, kind):
                    break
            if reason:
                break
        if reason:
            found.append(DamagedRun(source.path, reason, source.key))
    return found
