"""The landing zone: append-only run folders, each visible only once its manifest is written."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.infra.faults import pause_at
from warehouse.infra.files import DiskFull, fsync_dir, is_no_space
from warehouse.landing.records import RECORD_TABLES, SCHEMAS, to_table
from warehouse.landing.store import Store, StoreError, open_store

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
RUN_KINDS = ("collect", "import", "discover", "demo", "audience")
# A remote landing zone is shared by machines collecting at the same time: a run without its
# manifest is swept only once nothing was written to it for this long (FINSOCIAL_SWEEP_AFTER_HOURS).
SWEEP_AFTER_HOURS = 24.0


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: UTC time of start plus a random suffix."""
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex: kept in manifests, checked when a build reads the file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class LandingRun:
    """A run being written. Nothing of it is visible until `commit` writes the manifest last.

    `landing_root` is the landing zone's folder or its Store (a local folder or s3://bucket/prefix).
    """

    landing_root: Path | Store
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
    # (k, n): this run collected shard k of n (collect --shard), recorded in its manifest
    shard: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.kind not in RUN_KINDS:
            raise ValueError(f"unknown run kind {self.kind!r}; expected one of {RUN_KINDS}")
        self.store = open_store(self.landing_root)
        if self.store.is_local:
            self.landing_root = self.store.local_path("")

    @property
    def key(self) -> str:
        """The run's folder in the landing zone: <date>/<run_id>."""
        return f"{self.run_date.isoformat()}/{self.run_id}"

    @property
    def path(self) -> Path:
        """The run's folder on this machine (for a remote landing zone: its place in the cache)."""
        return self.store.local_path(self.key)

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
        key = f"{self.key}/raw/{platform}/{self._raw_count:05d}-{safe}.json.gz"
        if not self.store.is_local:
            self.store.put(key, gzip.compress(payload, compresslevel=6))
            return self.store.local_path(key)
        target = self.store.local_path(key)
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
        if self.store.is_local:
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
            name = f"{kind}.parquet"
            if self.store.is_local:
                target = self.path / name
                pq.write_table(table, target, compression="zstd")
                with open(target, "rb") as fh:
                    os.fsync(fh.fileno())
                size = target.stat().st_size
                digest = file_sha256(target)
            else:
                sink = io.BytesIO()
                pq.write_table(table, sink, compression="zstd")
                self.store.put(f"{self.key}/{name}", sink.getvalue())
                size = sink.tell()
                digest = hashlib.sha256(sink.getvalue()).hexdigest()
            files[kind] = {"path": name, "rows": table.num_rows, "bytes": size, "sha256": digest}
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
        if self.shard is not None:
            manifest["shard"] = {"index": self.shard[0], "count": self.shard[1]}
        if self.store.is_local:
            fsync_dir(self.path)
        pause_at("landing.before_manifest")
        if not self.store.create(f"{self.key}/{MANIFEST}", json.dumps(manifest, indent=2).encode()):
            raise StoreError(f"{self.store.where(self.key)}: a run of this id landed already")
        return self.path


@dataclass(frozen=True)
class LandedRun:
    """A complete run in the landing zone, as its manifest describes it.

    `path` is its folder on this machine; for a remote landing zone that is its place in the
    local cache, and `file` downloads a file there the first time it is asked for.
    """

    path: Path
    manifest: dict
    store: Store | None = None
    key: str = ""

    @property
    def run_id(self) -> str:
        return self.manifest["run_id"]

    def file(self, kind: str) -> Path | None:
        entry = self.manifest.get("files", {}).get(kind)
        if not entry:
            return None
        if self.store is None or self.store.is_local:
            return self.path / entry["path"]
        path = self.store.fetch(f"{self.key}/{entry['path']}")
        rows = entry.get("rows") if isinstance(entry.get("rows"), int) else None
        if reason := parquet_damage(path, rows):  # the listing checked its size; this, its records
            path.unlink(missing_ok=True)
            raise StoreError(f"{self.store.where(self.key)}: {reason}")
        return path


@dataclass(frozen=True)
class DamagedRun:
    """A run folder (or compacted month) in the landing zone that cannot be read as it claims."""

    path: Path
    reason: str
    key: str = ""  # its folder in the landing zone: <date>/<run_id> or compacted/<YYYY-MM>

    @property
    def run_id(self) -> str:
        return self.path.name


def _manifest_damage(store: Store, key: str) -> tuple[dict | None, str | None]:
    """The manifest, or why it cannot be trusted (it is written atomically, so damage is real)."""
    where = store.where(f"{key}/{MANIFEST}")
    try:
        manifest = json.loads(store.read(f"{key}/{MANIFEST}").decode("utf-8"))
    except OSError as exc:
        return None, f"{where}: cannot be read ({exc.strerror or exc})"
    except ValueError as exc:
        return None, f"{where}: not valid JSON, truncated or damaged ({exc})"
    if not isinstance(manifest, dict):
        return None, f"{where}: not a manifest (a JSON {type(manifest).__name__})"
    missing = [k for k in ("run_id", "kind", "run_date") if not isinstance(manifest.get(k), str)]
    if missing:
        return None, f"{where}: lacks {', '.join(missing)}"
    if manifest["run_id"] != key.rpartition("/")[2]:
        return None, f"{where}: names run {manifest['run_id']!r}, its folder is another"
    if not isinstance(manifest.get("files", {}), dict):
        return None, f"{where}: 'files' is not an object"
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


def object_damage(store: Store, key: str, entry: dict, listed: dict[str, int]) -> str | None:
    """Why a file a manifest (or month index) lists is not whole, from the folder's listing.

    A local file's Parquet footer is read; a remote object is checked by its size against the
    manifest's (its records are checked when a build downloads it).
    """
    name = entry["path"]
    rows = entry.get("rows") if isinstance(entry.get("rows"), int) else None
    if store.is_local:
        return parquet_damage(store.local_path(f"{key}/{name}"), rows)
    where = store.where(f"{key}/{name}")
    if name not in listed:
        return f"{where}: listed in the manifest but missing"
    size = entry.get("bytes")
    if isinstance(size, int) and listed[name] != size:
        return f"{where}: {listed[name]} bytes, the manifest says {size}: truncated or damaged"
    return None


def run_damage(
    store: Store | Path, key: str | None = None, listed: dict[str, int] | None = None
) -> tuple[dict | None, str | None]:
    """A run folder's manifest, or why the run cannot be read as its manifest says.

    Called with a store and the run's key (<date>/<run_id>), or with a local run folder alone.
    """
    if key is None:
        run_dir = Path(store)
        store, key = open_store(run_dir.parent), run_dir.name
    manifest, reason = _manifest_damage(store, key)
    if manifest is None:
        return None, reason
    if listed is None:
        listed = {} if store.is_local else store.scan(key).files
    for entry in manifest.get("files", {}).values():
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            return None, f"{store.where(key + '/' + MANIFEST)}: a file entry without a path"
        if reason := object_damage(store, key, entry, listed):
            return None, reason
    return manifest, None


def _run_folders(store: Store) -> list[tuple[str, dict[str, int]]]:
    """(key, the files directly in it) of every run folder: <date>/<run_id>."""
    found = []
    for day in store.scan("").folders:
        if _RUN_DATE.match(day):
            for run_id in store.scan(day).folders:
                found.append((f"{day}/{run_id}", store.scan(f"{day}/{run_id}").files))
    return found


def scan_runs(landing_root: Path | Store) -> tuple[list[LandedRun], list[DamagedRun]]:
    """Every run whose manifest was written, oldest first, and those whose files are damaged.

    A run is damaged when its manifest cannot be read or a file it lists is missing, truncated
    or holds another number of records than the manifest says. Half-written runs (no manifest)
    are in neither list.
    """
    store = open_store(landing_root)
    runs, damaged = [], []
    for key, listed in _run_folders(store):
        if MANIFEST not in listed:
            continue
        manifest, reason = run_damage(store, key, listed)
        if manifest is None:
            damaged.append(DamagedRun(store.local_path(key), reason or "damaged", key))
        else:
            runs.append(LandedRun(store.local_path(key), manifest, store, key))
    runs.sort(key=lambda r: r.run_id)
    damaged.sort(key=lambda d: d.run_id)
    return runs, damaged


def complete_runs(landing_root: Path | Store) -> list[LandedRun]:
    """Every readable run whose manifest was written, oldest first.

    Half-written runs are invisible; damaged runs are left out too (see `scan_runs`), and the
    next build moves them to the quarantine and reports them.
    """
    return scan_runs(landing_root)[0]


_RUN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def incomplete_runs(landing_root: Path | Store) -> list[Path]:
    """Run folders without a manifest: runs being written, or left by a process that died."""
    store = open_store(landing_root)
    return sorted(
        store.local_path(key)
        for key, listed in _run_folders(store)
        if MANIFEST not in listed and (listed or store.folder_exists(key))
    )


def sweep_incomplete_runs(landing_root: Path | Store) -> list[str]:
    """Delete the run folders a dead process left without a manifest; call only under the lock.

    They are invisible to every reader already; this only frees their space. On a remote landing
    zone other machines may be writing runs right now: a folder is swept only once nothing was
    written to it for FINSOCIAL_SWEEP_AFTER_HOURS (default 24).
    """
    store = open_store(landing_root)
    hours = float(os.environ.get("FINSOCIAL_SWEEP_AFTER_HOURS") or SWEEP_AFTER_HOURS)
    swept = []
    for key, listed in _run_folders(store):
        if MANIFEST in listed or not (listed or store.folder_exists(key)):
            continue  # landed, or an empty prefix a remote store lists after deletes
        if not store.is_local and time.time() - (store.newest(key) or 0) < hours * 3600:
            continue
        store.delete_folder(key)
        swept.append(str(store.local_path(key)) if store.is_local else store.where(key))
    return sorted(swept)
