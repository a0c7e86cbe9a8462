"""The landing zone: append-only run folders, each visible only once its manifest is written."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
import re
import secrets
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.infra.faults import pause_at
from warehouse.infra.files import DiskFull, fsync_dir, is_no_space, write_atomic
from warehouse.landing.records import RECORD_TABLES, SCHEMAS, to_table

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
RUN_KINDS = ("collect", "import", "discover", "demo", "audience")


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: UTC time of start plus a random suffix."""
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass
class LandingRun:
    """A run being written. Nothing of it is visible until `commit` writes the manifest last."""

    landing_root: Path
    kind: str
    run_date: dt.date
    demo: bool = False
    run_id: str = field(default_factory=new_run_id)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    requests: Counter = field(default_factory=Counter)
    _records: dict[str, list] = field(default_factory=lambda: {k: [] for k in SCHEMAS})
    _tables: dict[str, list[pa.Table]] = field(default_factory=lambda: {k: [] for k in SCHEMAS})
    _raw_count: int = 0
    # why raw payloads stopped being kept (a full disk), recorded in the manifest's stats
    raw_dropped: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in RUN_KINDS:
            raise ValueError(f"unknown run kind {self.kind!r}; expected one of {RUN_KINDS}")
        self.landing_root = Path(self.landing_root)

    @property
    def path(self) -> Path:
        return self.landing_root / self.run_date.isoformat() / self.run_id

    def add(self, record: Any) -> None:
        self._records[RECORD_TABLES[type(record)]].append(record)

    def extend(self, records: list) -> None:
        for record in records:
            self.add(record)

    def add_table(self, kind: str, table: pa.Table) -> None:
        """Add records already in Arrow form (bulk writers: demo, benchmarks)."""
        self._tables[kind].append(table.select(SCHEMAS[kind].names).cast(SCHEMAS[kind]))

    def records(self, kind: str) -> list:
        return list(self._records[kind])

    def add_raw(self, platform: str, name: str, payload: bytes | str | dict | list) -> Path | None:
        """Keep a raw payload (gzip). The caller strips credentials before it gets here.

        On a full disk the run stops keeping payloads (None) rather than lose its records: the
        counts are what the API calls were spent on, and they take far less room.
        """
        if self.raw_dropped:
            return None
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload, ensure_ascii=False)
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        self._raw_count += 1
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]
        target = self.path / "raw" / platform / f"{self._raw_count:05d}-{safe}.json.gz"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(gzip.compress(payload, compresslevel=6))
        except OSError as exc:
            if not is_no_space(exc):
                raise
            target.unlink(missing_ok=True)
            self.raw_dropped = (
                f"no space left on the device of {self.path}; "
                f"raw payloads after #{self._raw_count - 1} not kept"
            )
            return None
        return target

    def count_request(self, platform: str, n: int = 1) -> None:
        self.requests[platform] += n

    def commit(self, status: str = "complete", stats: dict | None = None) -> Path:
        """Write the Parquet files, then the manifest last: only then does the run exist.

        A full disk is a DiskFull naming the run folder and how many records were not landed.
        """
        try:
            try:
                return self._commit(status, self._with_raw_note(stats))
            except OSError as exc:
                raw = self.path / "raw"
                if not is_no_space(exc) or not raw.exists():
                    raise
                # the records first: drop this run's raw payloads to make room, and say so
                shutil.rmtree(raw, ignore_errors=True)
                self.raw_dropped = (
                    f"no space left on the device of {self.path}; "
                    "this run's raw payloads were dropped to land its records"
                )
                return self._commit(status, self._with_raw_note(stats))
        except OSError as exc:
            if not is_no_space(exc):
                raise
            held = sum(len(r) for r in self._records.values()) + sum(
                t.num_rows for ts in self._tables.values() for t in ts
            )
            raise DiskFull(
                self.path,
                f"the {self.kind} run's {held:,} records could not be written, and the run did not land "
                "(a run without its manifest is removed by the next command)",
            ) from exc

    def _with_raw_note(self, stats: dict | None) -> dict | None:
        return {**(stats or {}), "raw_payloads": self.raw_dropped} if self.raw_dropped else stats

    def _commit(self, status: str, stats: dict | None) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        files: dict[str, dict] = {}
        for kind, _schema in SCHEMAS.items():
            parts = list(self._tables[kind])
            if self._records[kind]:
                parts.append(to_table(kind, self._records[kind]))
            if not parts:
                continue
            table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
            if table.num_rows == 0:
                continue
            target = self.path / f"{kind}.parquet"
            pq.write_table(table, target, compression="zstd")
            with open(target, "rb") as fh:
                os.fsync(fh.fileno())
            files[kind] = {"path": target.name, "rows": table.num_rows}
        manifest = {
            "format_version": FORMAT_VERSION,
            "run_id": self.run_id,
            "kind": self.kind,
            "run_date": self.run_date.isoformat(),
            "demo": self.demo,
            "status": status,
            "started_at": self.started_at.isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "requests": dict(self.requests),
            "stats": stats or {},
            "files": files,
        }
        fsync_dir(self.path)
        pause_at("landing.before_manifest")
        write_atomic(self.path / MANIFEST, json.dumps(manifest, indent=2).encode())
        return self.path


@dataclass(frozen=True)
class LandedRun:
    """A complete run in the landing zone, as its manifest describes it."""

    path: Path
    manifest: dict

    @property
    def run_id(self) -> str:
        return self.manifest["run_id"]

    def file(self, kind: str) -> Path | None:
        entry = self.manifest.get("files", {}).get(kind)
        return self.path / entry["path"] if entry else None


@dataclass(frozen=True)
class DamagedRun:
    """A run folder (or compacted month) in the landing zone that cannot be read as it claims."""

    path: Path
    reason: str

    @property
    def run_id(self) -> str:
        return self.path.name


def _manifest_damage(manifest_path: Path) -> tuple[dict | None, str | None]:
    """The manifest, or why it cannot be trusted (it is written atomically, so damage is real)."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, f"{manifest_path}: cannot be read ({exc.strerror or exc})"
    except ValueError as exc:
        return None, f"{manifest_path}: not valid JSON, truncated or damaged ({exc})"
    if not isinstance(manifest, dict):
        return None, f"{manifest_path}: not a manifest (a JSON {type(manifest).__name__})"
    missing = [k for k in ("run_id", "kind", "run_date") if not isinstance(manifest.get(k), str)]
    if missing:
        return None, f"{manifest_path}: lacks {', '.join(missing)}"
    if manifest["run_id"] != manifest_path.parent.name:
        return None, f"{manifest_path}: names run {manifest['run_id']!r}, its folder is another"
    if not isinstance(manifest.get("files", {}), dict):
        return None, f"{manifest_path}: 'files' is not an object"
    return manifest, None


def parquet_damage(path: Path, rows: int | None) -> str | None:
    """Why a Parquet file a manifest lists cannot be read whole, or None when it can."""
    if not path.exists():
        return f"{path}: listed in the manifest but missing"
    try:
        found = pq.read_metadata(path).num_rows
    except (OSError, pa.ArrowException) as exc:
        return f"{path}: not a readable Parquet file, truncated or damaged ({exc})"
    if rows is not None and found != rows:
        return f"{path}: holds {found} records, the manifest says {rows}"
    return None


def run_damage(run_dir: Path) -> tuple[dict | None, str | None]:
    """A run folder's manifest, or why the run cannot be read as its manifest says."""
    manifest_path = run_dir / MANIFEST
    manifest, reason = _manifest_damage(manifest_path)
    if manifest is None:
        return None, reason
    for entry in manifest.get("files", {}).values():
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            return None, f"{manifest_path}: a file entry without a path"
        rows = entry.get("rows") if isinstance(entry.get("rows"), int) else None
        if reason := parquet_damage(run_dir / entry["path"], rows):
            return None, reason
    return manifest, None


def scan_runs(landing_root: Path) -> tuple[list[LandedRun], list[DamagedRun]]:
    """Every run whose manifest was written, oldest first, and those whose files are damaged.

    A run is damaged when its manifest cannot be read or a file it lists is missing, truncated
    or holds another number of records than the manifest says. Half-written runs (no manifest)
    are in neither list.
    """
    runs, damaged = [], []
    for manifest_path in Path(landing_root).glob(f"*/*/{MANIFEST}"):
        if not _RUN_DATE.match(manifest_path.parent.parent.name):
            continue
        manifest, reason = run_damage(manifest_path.parent)
        if manifest is None:
            damaged.append(DamagedRun(manifest_path.parent, reason or "damaged"))
        else:
            runs.append(LandedRun(manifest_path.parent, manifest))
    runs.sort(key=lambda r: r.run_id)
    damaged.sort(key=lambda d: d.run_id)
    return runs, damaged


def complete_runs(landing_root: Path) -> list[LandedRun]:
    """Every readable run whose manifest was written, oldest first.

    Half-written runs are invisible; damaged runs are left out too (see `scan_runs`), and the
    next build moves them to the quarantine and reports them.
    """
    return scan_runs(landing_root)[0]


_RUN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def incomplete_runs(landing_root: Path) -> list[Path]:
    """Run folders without a manifest: runs being written, or left by a process that died."""
    landing_root = Path(landing_root)
    if not landing_root.exists():
        return []
    return sorted(
        run_dir
        for day_dir in landing_root.iterdir()
        if day_dir.is_dir() and _RUN_DATE.match(day_dir.name)
        for run_dir in day_dir.iterdir()
        if run_dir.is_dir() and not (run_dir / MANIFEST).exists()
    )


def sweep_incomplete_runs(landing_root: Path) -> list[Path]:
    """Delete the run folders a dead process left without a manifest; call only under the lock.

    They are invisible to every reader already; this only frees their space.
    """
    swept = incomplete_runs(landing_root)
    for run_dir in swept:
        shutil.rmtree(run_dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            run_dir.parent.rmdir()  # only when the day holds nothing else
    return swept
