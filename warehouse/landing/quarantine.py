"""Damaged or retracted runs, moved aside from the landing zone with the reason, and back."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from warehouse.landing.catalogue import Catalogue, catalogue_of
from warehouse.landing.compact import COMPACTED, INDEX, scan_months
from warehouse.landing.runs import _RUN_DATE, MANIFEST, DamagedRun, run_damage
from warehouse.landing.store import Store, open_store

QUARANTINE = "quarantine"
# what `runs retract` and `runs restore` take: a run id (20260301T031500Z-a1b2c3) or a month (2026-03)
_FOLDER_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]*$")
NOTE = "quarantined.json"
# what makes a folder visible where it lies: removed first from the old place, written last to the new
MARKERS = (MANIFEST, INDEX, NOTE)


class RunNotFound(LookupError):
    """No run of that id where the command looked for it."""


@dataclass(frozen=True)
class QuarantinedRun:
    """A folder moved aside: where it came from (relative to the landing zone), why and when."""

    path: Path
    origin: str
    run_id: str
    reason: str
    quarantined_at: str
    retracted: bool
    key: str = ""  # its folder in the landing zone: quarantine/<origin>
    where: str = ""  # its address for messages: a folder, or s3://bucket/prefix/quarantine/<origin>


def _entry(store: Store, key: str, origin: str, run_id: str, reason: str, at: str, retracted: bool):
    path = store.local_path(key)
    return QuarantinedRun(path, origin, run_id, reason, at, retracted, key, store.where(key))


def _move_aside(store: Store, origin: str, reason: str, retracted: bool) -> QuarantinedRun:
    """Move the folder `origin` (<date>/<run_id> or compacted/<YYYY-MM>) into the quarantine.

    The note first, in the folder, which then moves whole: a crash in between leaves the run
    where it was (the note is read only in the quarantine), never moved without its note. On a
    remote store, where a move is copies and deletes, the markers (manifest, index, note) are
    copied last and deleted from the origin first: a move cut short leaves the run in the
    quarantine, or in both places (the next retract finds it again), never in neither.
    """
    run_id = origin.rpartition("/")[2]
    target = f"{QUARANTINE}/{origin}"
    if store.folder_exists(target):  # quarantined before, restored, damaged again: keep both
        target = f"{target}.{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}"
    note = {
        "origin": origin,
        "run_id": run_id,
        "reason": reason,
        "quarantined_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "retracted": retracted,
    }
    store.replace(f"{origin}/{NOTE}", json.dumps(note, indent=2).encode())
    store.move_folder(origin, target, markers=MARKERS)
    return _entry(store, target, origin, run_id, reason, note["quarantined_at"], retracted)


def damaged(landing: Path | Store | Catalogue) -> list[DamagedRun]:
    """Damaged runs and compacted months still in the landing zone."""
    return list(catalogue_of(landing).damaged)


def quarantine_damaged(landing: Path | Store | Catalogue) -> list[QuarantinedRun]:
    """Move every damaged run and compacted month aside; call only under the writer lock.

    A catalogue stays true after it: its runs and months never held the damaged ones."""
    catalogue = catalogue_of(landing)
    return [_move_aside(catalogue.store, d.key, d.reason, False) for d in catalogue.damaged]


def quarantined(landing_root: Path | Store) -> list[QuarantinedRun]:
    """Everything in the quarantine, oldest run first."""
    store = open_store(landing_root)
    found = []
    notes = sorted(k for k in store.list(QUARANTINE) if k.endswith(f"/{NOTE}"))
    for note_key in notes:
        folder = note_key.rpartition("/")[0]
        try:
            note = json.loads(store.read(note_key).decode("utf-8"))
            origin, reason = str(note["origin"]), str(note["reason"])
        except (OSError, ValueError, KeyError, TypeError):
            # the note itself is damaged: the folder still says where it came from
            origin = folder.removeprefix(QUARANTINE + "/")
            note, reason = {}, f"{store.where(note_key)}: the quarantine note cannot be read"
        found.append(
            _entry(
                store,
                folder,
                origin,
                str(note.get("run_id") or folder.rpartition("/")[2]),
                reason,
                str(note.get("quarantined_at") or ""),
                bool(note.get("retracted", False)),
            )
        )
    return sorted(found, key=lambda q: (q.run_id, q.quarantined_at))


@dataclass(frozen=True)
class ListedRun:
    """One run as `finsocial runs` shows it: where it lies, and why when it is in the quarantine."""

    run_id: str
    kind: str
    run_date: str
    status: str
    where: str  # landing | compacted/<YYYY-MM> | quarantine


def list_runs(landing: Path | Store | Catalogue) -> list[ListedRun]:
    """Every run of the landing zone, newest first: in its folder, compacted, or quarantined."""
    catalogue = catalogue_of(landing)
    landing_root = catalogue.store
    listed = [
        ListedRun(
            r.run_id, r.manifest["kind"], r.manifest["run_date"], r.manifest.get("status", "?"), "landing"
        )
        for r in catalogue.runs
    ]
    folders = {r.run_id for r in listed}
    for month in catalogue.months:
        listed += [
            ListedRun(
                m["run_id"],
                str(m.get("kind", "?")),
                str(m.get("run_date", "?")),
                str(m.get("status", "?")),
                f"{COMPACTED}/{month.path.name}",
            )
            for m in month.manifests
            if m["run_id"] not in folders  # a folder a compaction left is read from its folder
        ]
    for entry in quarantined(landing_root):
        manifest, _ = (
            run_damage(landing_root, entry.key)
            if entry.key.rpartition("/")[2] == entry.run_id
            else (None, None)
        )
        manifest = manifest or {}
        listed.append(
            ListedRun(
                entry.run_id,
                str(manifest.get("kind", "?")),
                str(manifest.get("run_date", entry.origin.split("/")[0])),
                str(manifest.get("status", "?")),
                f"quarantine: {entry.reason}",
            )
        )
    return sorted(listed, key=lambda r: r.run_id, reverse=True)


def retract(landing_root: Path | Store, run_id: str, reason: str = "retracted by hand") -> QuarantinedRun:
    """Take a run out of the landing zone (into the quarantine); the next build leaves it out."""
    store = open_store(landing_root)
    if not _FOLDER_NAME.match(run_id):
        # a run id or a month, never a pattern or a path: '*' must not match a real run
        raise RunNotFound(f"no run {run_id} in {store.where()}: a run id is like 20260301T031500Z-a1b2c3")
    folders = [
        f"{day}/{run_id}"
        for day in store.scan("").folders
        if _RUN_DATE.match(day) and store.exists(f"{day}/{run_id}/{MANIFEST}")
    ]
    if not folders:
        months = [m.path.name for m in scan_months(store)[0] if run_id in m.run_ids]
        if months:
            raise RunNotFound(
                f"run {run_id} is compacted into {COMPACTED}/{months[0]} with the month's other runs; "
                f"retract the month with `finsocial runs retract {months[0]}`"
            )
        if store.exists(f"{COMPACTED}/{run_id}/{INDEX}"):
            folders = [f"{COMPACTED}/{run_id}"]
    if not folders:
        raise RunNotFound(f"no run {run_id} in {store.where()}")
    return _move_aside(store, folders[0], reason, True)


def restore(landing_root: Path | Store, run_id: str) -> Path:
    """Move a quarantined run back, once it reads whole again (after a repair or a retraction)."""
    store = open_store(landing_root)
    entries = [q for q in quarantined(store) if q.run_id == run_id or q.key.rpartition("/")[2] == run_id]
    if not entries:
        raise RunNotFound(f"no run {run_id} in the quarantine ({store.where(QUARANTINE)})")
    entry = entries[-1]
    if store.folder_exists(entry.origin):
        raise RunNotFound(
            f"{store.where(entry.origin)} exists already; the quarantined copy stays at {entry.where}"
        )
    # the folder moves back first, its note with it, and only then is the note removed: a crash
    # in between leaves the run either still quarantined (and listed) or back in the landing zone
    # with a stray note that nothing reads; never in the quarantine without its note (invisible)
    store.move_folder(entry.key, entry.origin, markers=(MANIFEST, INDEX))
    store.delete(f"{entry.origin}/{NOTE}")
    if entry.origin.startswith(COMPACTED + "/"):
        reason = next((d.reason for d in scan_months(store)[1] if d.key == entry.origin), None)
    else:
        reason = run_damage(store, entry.origin)[1]
    if reason:
        _move_aside(store, entry.origin, reason, entry.retracted)
        raise ValueError(f"{entry.origin} is still damaged, it stays in the quarantine: {reason}")
    return store.local_path(entry.origin)
