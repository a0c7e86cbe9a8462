"""The landing zone: append-only run folders, each visible only once its manifest is written."""

from __future__ import annotations

import datetime as dt
import functools
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
from warehouse.landing.records import RECORD_TABLES, SCHEMAS, conform, to_table
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
    # what the manifest said once written: its status, and why records were not landed if some were not
    landed_status: str | None = None
    landed_note: str | None = None
    # the parts `flush` wrote so far, per record kind: the manifest lists them
    _parts: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in SCHEMAS})

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
        self._tables[kind].append(conform(kind, table))

    def records(self, kind: str) -> list:
        return list(self._records[kind])

    def _pending(self, kind: str) -> pa.Table | None:
        """The records of a kind added since the last part, as one table (None: none)."""
        parts = list(self._tables[kind])
        if self._records[kind]:
            parts.append(to_table(kind, self._records[kind]))
        table = (pa.concat_tables(parts) if len(parts) > 1 else parts[0]) if parts else None
        return table if table is not None and table.num_rows else None

    def held(self) -> int:
        """Records added and not written yet."""
        return sum(len(r) for r in self._records.values()) + sum(
            t.num_rows for ts in self._tables.values() for t in ts
        )

    def _write(self, name: str, table: pa.Table) -> dict:
        """Write one Parquet file of the run; its manifest entry. A file cut short is removed."""
        if self.store.is_local:
            self.path.mkdir(parents=True, exist_ok=True)
            target = self.path / name
            try:
                pq.write_table(table, target, compression="zstd")
                with open(target, "rb") as fh:
                    os.fsync(fh.fileno())
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            size, digest = target.stat().st_size, file_sha256(target)
        else:
            sink = io.BytesIO()
            pq.write_table(table, sink, compression="zstd")
            self.store.put(f"{self.key}/{name}", sink.getvalue())
            size, digest = sink.tell(), hashlib.sha256(sink.getvalue()).hexdigest()
        return {"path": name, "rows": table.num_rows, "bytes": size, "sha256": digest}

    def _listed_parts(self) -> dict[str, dict]:
        """The manifest's file entries of the parts as written: one part, or the parts in order."""
        return {
            kind: parts[0] if len(parts) == 1 else {"rows": sum(p["rows"] for p in parts), "parts": parts}
            for kind, parts in self._parts.items()
            if parts
        }

    def _merge_parts(self) -> dict[str, dict]:
        """The manifest's file entries of a run written in parts: one file per kind when the disk
        has room to merge them (the parts are deleted then), else the parts, listed in order.

        On object storage the parts stay as they are, listed in order: each is already durable
        there, and merging would download and upload the run again to save a few objects."""
        if not self.store.is_local:
            return self._listed_parts()
        merged: dict[str, dict] = {}
        try:
            for kind, parts in self._parts.items():
                if len(parts) == 1 and parts[0]["path"] == f"{kind}.parquet":
                    merged[kind] = parts[0]  # merged before (a commit tried again)
                elif parts:
                    tables = [pq.read_table(self.path / part["path"]) for part in parts]
                    merged[kind] = self._write(f"{kind}.parquet", pa.concat_tables(tables))
        except OSError as exc:
            if not is_no_space(exc):
                raise
            for kind, entry in merged.items():
                if entry not in self._parts[kind]:
                    (self.path / entry["path"]).unlink(missing_ok=True)
            return self._listed_parts()
        for kind, entry in merged.items():
            for part in self._parts[kind]:
                if part["path"] != entry["path"]:
                    (self.path / part["path"]).unlink(missing_ok=True)
            self._parts[kind] = [entry]
        return merged

    def flush(self) -> None:
        """Write the records added so far as one more part of each kind, and let them go.

        A collect flushes as it goes: what is written stays landed even when the disk fills or
        the store fails later, as the manifest (written last by `commit`) lists every part; on
        object storage each part is an object of the run's folder, invisible until the manifest.
        Raises OSError (a full disk) or StoreError (the store refused); the records not written
        stay held then.
        """
        for kind in SCHEMAS:
            table = self._pending(kind)
            if table is None:
                continue
            self._parts[kind].append(
                self._write(f"{kind}.part{len(self._parts[kind]) + 1:04d}.parquet", table)
            )
            self._records[kind].clear()
            self._tables[kind].clear()

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

        On a full disk the run's raw payloads go first; then, when parts were flushed before,
        the run lands with those parts alone, marked partial, saying how many records it could
        not write. Else a DiskFull names the run folder and how many records were not landed.
        A store that fails a write (StoreError) is met the same way: the parts already on it land
        marked partial if it takes the manifest, else the StoreError stands and nothing is visible.
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
        except (OSError, StoreError) as exc:
            full = isinstance(exc, OSError)
            if full and not is_no_space(exc):
                raise
            held = self.held()
            if any(self._parts.values()):
                # the parts written as the run went are landed: the rest is said lost
                for kind in SCHEMAS:
                    self._records[kind].clear()
                    self._tables[kind].clear()
                why = f"no space left on the device of {self.path}" if full else str(exc)
                note = f"{why}: {held:,} records collected after the last part written were not landed"
                try:
                    return self._commit("partial", {**(self._with_raw_note(stats) or {}), "not_landed": note})
                except (OSError, StoreError) as again:
                    if isinstance(again, OSError) and not is_no_space(again):
                        raise
                    if not full:
                        raise again from exc
            if not full:
                raise
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
        if any(self._parts.values()):
            self.flush()  # a run written in parts: what is held becomes its last part
            files = self._merge_parts()
        for kind in SCHEMAS:
            if kind not in files and (table := self._pending(kind)) is not None:
                files[kind] = self._write(f"{kind}.parquet", table)
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
        self.landed_status, self.landed_note = status, (stats or {}).get("not_landed")
        return self.path


def file_entries(entry: dict) -> list:
    """A manifest's file entry as the list of files it names: itself, or its parts in order."""
    parts = entry.get("parts")
    return list(parts) if isinstance(parts, list) else [entry]


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

    def files(self, kind: str) -> list[Path]:
        """The local files of a record kind: one, or the parts a collect wrote as it went."""
        entry = self.manifest.get("files", {}).get(kind)
        if not entry:
            return []
        return [self._local(part) for part in file_entries(entry)]

    def file(self, kind: str) -> Path | None:
        """The one file of a record kind (a run written in parts: use `files`)."""
        entry = self.manifest.get("files", {}).get(kind)
        if not entry:
            return None
        if "parts" in entry:
            raise ValueError(
                f"{self.run_id}'s {kind} lie in {len(entry['parts'])} parts: read them with files()"
            )
        return self._local(entry)

    def _local(self, entry: dict) -> Path:
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


@functools.lru_cache(maxsize=8192)
def _footer(path: str, stamp: tuple[int, int, int]) -> pq.FileMetaData:
    return pq.read_metadata(path)


def read_footer(path: Path) -> pq.FileMetaData:
    """A landed Parquet file's footer, read once while the file stays as it is (a landed file
    never changes): the catalogue's check and the build's check of the files it reads share it."""
    stat = os.stat(path)
    return _footer(str(path), (stat.st_ino, stat.st_size, stat.st_mtime_ns))


def parquet_damage(path: Path, rows: int | None) -> str | None:
    """Why a Parquet file a manifest lists cannot be read whole, or None when it can."""
    if not path.exists():
        return f"{path}: listed in the manifest but missing"
    try:
        found = read_footer(path).num_rows
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
    for listed_entry in manifest.get("files", {}).values():
        parts = file_entries(listed_entry) if isinstance(listed_entry, dict) else [listed_entry]
        for entry in parts:
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
    runs.sort(key=_landing_order)
    damaged.sort(key=lambda d: d.run_id)
    return runs, damaged


def _landing_order(run: LandedRun) -> tuple[str, dt.datetime, str]:
    """Oldest first: a run id orders by its second only (its suffix is random), so two runs
    started in the same second follow their manifests' start times, to the microsecond."""
    second = run.run_id.partition("-")[0]
    try:
        started = dt.datetime.fromisoformat(run.manifest.get("started_at") or "")
    except (TypeError, ValueError):
        started = dt.datetime.min.replace(tzinfo=dt.UTC)
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    return second, started, run.run_id


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
