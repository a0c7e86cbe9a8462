"""`finsocial compact`: many small runs into one Parquet file per month and record kind."""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.infra.faults import pause_at
from warehouse.infra.files import fsync_dir
from warehouse.landing.records import SCHEMAS
from warehouse.landing.runs import (
    MANIFEST,
    DamagedRun,
    LandedRun,
    complete_runs,
    file_sha256,
    object_damage,
    parquet_damage,
)
from warehouse.landing.store import Store, StoreError, open_store

COMPACTED = "compacted"
INDEX = "compacted.json"
FORMAT_VERSION = 1
# Discover runs stay as they are: they are few, and the collection targets read them run by run.
KEPT_KINDS = frozenset({"discover"})


def with_run_id(kind: str) -> pa.Schema:
    """A record kind's landing schema plus the run each record came from."""
    return SCHEMAS[kind].append(pa.field("run_id", pa.string()))


@dataclass(frozen=True)
class CompactedMonth:
    """One month of compacted runs: a Parquet file per record kind and the runs' manifests."""

    path: Path
    index: dict
    store: Store | None = None
    key: str = ""  # compacted/<YYYY-MM>

    @property
    def manifests(self) -> list[dict]:
        return list(self.index.get("runs", []))

    @property
    def run_ids(self) -> set[str]:
        return {m["run_id"] for m in self.manifests}

    def file(self, kind: str) -> Path | None:
        entry = self.index.get("files", {}).get(kind)
        if not entry:
            return None
        if self.store is None or self.store.is_local:
            return self.path / entry["path"]
        path = self.store.fetch(f"{self.key}/{entry['path']}")
        if reason := parquet_damage(path, entry.get("rows")):
            path.unlink(missing_ok=True)
            raise StoreError(f"{self.store.where(self.key)}: {reason}")
        return path

    def rows(self, kind: str) -> int:
        return self.index.get("files", {}).get(kind, {}).get("rows", 0)


@dataclass
class CompactResult:
    """What a compaction did, with the record counts it checked before deleting anything."""

    months: list[str] = field(default_factory=list)
    runs_compacted: int = 0
    records_before: dict[str, int] = field(default_factory=dict)
    records_after: dict[str, int] = field(default_factory=dict)


def scan_months(landing_root: Path | Store) -> tuple[list[CompactedMonth], list[DamagedRun]]:
    """Every compacted month whose index was written (last), and those whose files are damaged."""
    store = open_store(landing_root)
    months, damaged = [], []
    for name in store.scan(COMPACTED).folders:
        key = f"{COMPACTED}/{name}"
        listed = store.scan(key).files
        if INDEX not in listed:
            continue
        index_path = store.where(f"{key}/{INDEX}")
        try:
            index = json.loads(store.read(f"{key}/{INDEX}").decode("utf-8"))
            if not isinstance(index, dict) or not isinstance(index.get("files", {}), dict):
                raise ValueError("not a compacted month's index")
            runs = index.get("runs", [])
            if not isinstance(runs, list) or not all(isinstance(m, dict) and "run_id" in m for m in runs):
                raise ValueError("its 'runs' are not manifests")
        except (OSError, ValueError) as exc:
            reason = f"{index_path}: cannot be read, truncated or damaged ({exc})"
            damaged.append(DamagedRun(store.local_path(key), reason, key))
            continue
        month = CompactedMonth(store.local_path(key), index, store, key)
        reason = next(
            (
                r
                for entry in index.get("files", {}).values()
                if (r := object_damage(store, key, {**entry, "path": str(entry.get("path"))}, listed))
            ),
            None,
        )
        if reason:
            damaged.append(DamagedRun(store.local_path(key), reason, key))
        else:
            months.append(month)
    return months, damaged


def compacted_months(landing_root: Path | Store) -> list[CompactedMonth]:
    """Every readable compacted month; damaged ones go to the quarantine at the next build."""
    return scan_months(landing_root)[0]


def _run_table(run: LandedRun, kind: str) -> pa.Table | None:
    paths = run.files(kind)
    if not paths:
        return None
    table = pa.concat_tables([pq.read_table(path) for path in paths], promote_options="default")
    schema = SCHEMAS[kind]
    # older runs may lack a column added since: it is null for them, as the build reads it
    columns = [
        table[name].cast(f.type) if name in table.column_names else pa.nulls(len(table), f.type)
        for name, f in zip(schema.names, schema, strict=True)
    ]
    columns.append(pa.array([run.run_id] * len(table), pa.string()))
    return pa.Table.from_arrays(columns, schema=with_run_id(kind))


def _remove_run(store: Store, run: LandedRun) -> None:
    # the manifest first: a folder cut short after that is invisible and swept later
    store.delete_folder(run.key, markers=(MANIFEST,))


def _write_parquet(store: Store, key: str, table: pa.Table) -> int:
    """Write a table as a Parquet object; return the records the written object holds."""
    if store.is_local:
        target = store.local_path(key)
        pq.write_table(table, target, compression="zstd")
        with open(target, "rb") as fh:
            return pq.ParquetFile(fh).metadata.num_rows
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    store.put(key, sink.getvalue())
    return pq.read_metadata(store.fetch(key)).num_rows  # read back what the store holds


def compact(
    landing_root: Path | Store,
    before: dt.date | None = None,
    log: Callable[[str], None] = print,
) -> CompactResult:
    """Merge the runs of every month before `before` (default: the current month's first day)
    into compacted/<YYYY-MM>/, one Parquet file per record kind with run_id as a column.

    The new files are counted against their inputs before the month's index is written (last,
    atomically); the run folders are deleted only after that. Call it under the writer lock.
    """
    store = open_store(landing_root)
    before = before or dt.datetime.now(dt.UTC).date().replace(day=1)
    result = CompactResult()
    months, damaged = scan_months(store)
    if damaged:
        # writing the month anew would drop what its damaged files held: quarantine them first
        raise RuntimeError(
            f"{damaged[0].reason}; nothing was compacted. `finsocial build` moves it to the quarantine"
        )
    existing = {m.path.name: m for m in months}
    by_month: dict[str, list[LandedRun]] = {}
    for run in complete_runs(store):
        if run.manifest.get("kind") in KEPT_KINDS:
            continue
        if dt.date.fromisoformat(run.manifest["run_date"]) >= before:
            continue
        by_month.setdefault(run.manifest["run_date"][:7], []).append(run)
    for month, runs in sorted(by_month.items()):
        old = existing.get(month)
        done = old.run_ids if old else set()
        for leftover in (r for r in runs if r.run_id in done):
            _remove_run(store, leftover)  # an earlier compaction stopped before deleting it
        fresh = [r for r in runs if r.run_id not in done]
        if not fresh:
            continue
        month_key = f"{COMPACTED}/{month}"
        month_dir = store.local_path(month_key)
        if store.is_local:
            month_dir.mkdir(parents=True, exist_ok=True)
        generation = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        files: dict[str, dict] = {}
        for kind in SCHEMAS:
            parts = []
            if old is not None and (path := old.file(kind)) is not None:
                parts.append(pq.read_table(path).cast(with_run_id(kind)))
            parts += [t for r in fresh if (t := _run_table(r, kind)) is not None]
            expected = (old.rows(kind) if old else 0) + sum(
                r.manifest.get("files", {}).get(kind, {}).get("rows", 0) for r in fresh
            )
            result.records_before[kind] = result.records_before.get(kind, 0) + expected
            if not parts:
                continue
            table = pa.concat_tables(parts)
            target = f"{month_key}/{kind}-{generation}.parquet"
            written = _write_parquet(store, target, table)
            if written != expected or table.num_rows != expected:
                store.delete(target)
                raise RuntimeError(
                    f"compacting {month} {kind}: {written} records written, {expected} expected; "
                    "nothing was changed"
                )
            files[kind] = {
                "path": target.rpartition("/")[2],
                "rows": written,
                "bytes": store.scan(month_key).files[target.rpartition("/")[2]],
                "sha256": file_sha256(store.fetch(target)),
            }
            result.records_after[kind] = result.records_after.get(kind, 0) + written
        for run in fresh:  # raw payloads are kept: a parser fix can rebuild history from them
            if "raw" in store.scan(run.key).folders:
                store.move_folder(f"{run.key}/raw", f"{month_key}/raw/{run.run_id}")
        index = {
            "format_version": FORMAT_VERSION,
            "month": month,
            "compacted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "runs": (old.manifests if old else []) + [r.manifest for r in fresh],
            "files": files,
        }
        if store.is_local:
            fsync_dir(month_dir)
        pause_at("compact.before_index")
        store.replace(f"{month_key}/{INDEX}", json.dumps(index, indent=2).encode())
        for stale in store.scan(month_key).files:
            if stale.endswith(".parquet") and stale not in {f["path"] for f in files.values()}:
                store.delete(f"{month_key}/{stale}")
        for run in fresh:
            _remove_run(store, run)
        result.months.append(month)
        result.runs_compacted += len(fresh)
        log(f"{month}: {len(fresh)} runs compacted, {len(index['runs'])} in the month")
    return result
