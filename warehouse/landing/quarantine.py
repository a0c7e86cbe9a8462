"""Damaged or retracted runs, moved aside from the landing zone with the reason, and back."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from warehouse.infra.files import fsync_dir, write_atomic
from warehouse.landing.catalogue import Catalogue, catalogue_of
from warehouse.landing.compact import COMPACTED, scan_months
from warehouse.landing.runs import _RUN_DATE, MANIFEST, DamagedRun, run_damage

QUARANTINE = "quarantine"
# what `runs retract` and `runs restore` take: a run id (20260301T031500Z-a1b2c3) or a month (2026-03)
_FOLDER_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]*$")
NOTE = "quarantined.json"


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


def _move_aside(landing_root: Path, folder: Path, reason: str, retracted: bool) -> QuarantinedRun:
    origin = folder.relative_to(landing_root).as_posix()
    target = landing_root / QUARANTINE / origin
    if target.exists():  # quarantined before, restored, damaged again: keep both
        target = target.with_name(f"{target.name}.{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}")
    note = {
        "origin": origin,
        "run_id": folder.name,
        "reason": reason,
        "quarantined_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "retracted": retracted,
    }
    # the note first, in the folder, which then moves whole: a crash in between leaves the run
    # where it was (the note is read only in the quarantine), never moved without its note
    write_atomic(folder / NOTE, json.dumps(note, indent=2).encode())
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(folder, target)
    fsync_dir(target.parent)
    fsync_dir(folder.parent)
    if folder.parent != landing_root and not any(folder.parent.iterdir()):
        folder.parent.rmdir()  # a day (or the compacted folder) left empty
    return QuarantinedRun(target, origin, folder.name, reason, note["quarantined_at"], retracted)


def damaged(landing: Path | Catalogue) -> list[DamagedRun]:
    """Damaged runs and compacted months still in the landing zone."""
    return list(catalogue_of(landing).damaged)


def quarantine_damaged(landing: Path | Catalogue) -> list[QuarantinedRun]:
    """Move every damaged run and compacted month aside; call only under the writer lock.

    A catalogue stays true after it: its runs and months never held the damaged ones."""
    catalogue = catalogue_of(landing)
    return [_move_aside(catalogue.root, d.path, d.reason, False) for d in catalogue.damaged]


def quarantined(landing_root: Path) -> list[QuarantinedRun]:
    """Everything in the quarantine, oldest run first."""
    found = []
    for note_path in (Path(landing_root) / QUARANTINE).glob(f"**/{NOTE}"):
        try:
            note = json.loads(note_path.read_text(encoding="utf-8"))
            origin, reason = str(note["origin"]), str(note["reason"])
        except (OSError, ValueError, KeyError, TypeError):
            # the note itself is damaged: the folder still says where it came from
            origin = note_path.parent.relative_to(Path(landing_root) / QUARANTINE).as_posix()
            note, reason = {}, f"{note_path}: the quarantine note cannot be read"
        found.append(
            QuarantinedRun(
                note_path.parent,
                origin,
                str(note.get("run_id") or note_path.parent.name),
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


def list_runs(landing: Path | Catalogue) -> list[ListedRun]:
    """Every run of the landing zone, newest first: in its folder, compacted, or quarantined."""
    catalogue = catalogue_of(landing)
    landing_root = catalogue.root
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
        manifest, _ = run_damage(entry.path) if entry.path.name == entry.run_id else (None, None)
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


def retract(landing_root: Path, run_id: str, reason: str = "retracted by hand") -> QuarantinedRun:
    """Take a run out of the landing zone (into the quarantine); the next build leaves it out."""
    landing_root = Path(landing_root)
    if not _FOLDER_NAME.match(run_id):
        # a run id or a month, never a pattern or a path: '*' must not match a real run
        raise RunNotFound(f"no run {run_id} in {landing_root}: a run id is like 20260301T031500Z-a1b2c3")
    folders = [
        day / run_id
        for day in sorted(landing_root.iterdir() if landing_root.exists() else [])
        if _RUN_DATE.match(day.name) and (day / run_id / MANIFEST).exists()
    ]
    if not folders:
        months = [m.path.name for m in scan_months(landing_root)[0] if run_id in m.run_ids]
        if months:
            raise RunNotFound(
                f"run {run_id} is compacted into {COMPACTED}/{months[0]} with the month's other runs; "
                f"retract the month with `finsocial runs retract {months[0]}`"
            )
        if (landing_root / COMPACTED / run_id / "compacted.json").exists():
            folders = [landing_root / COMPACTED / run_id]
    if not folders:
        raise RunNotFound(f"no run {run_id} in {landing_root}")
    return _move_aside(landing_root, folders[0], reason, True)


def restore(landing_root: Path, run_id: str) -> Path:
    """Move a quarantined run back, once it reads whole again (after a repair or a retraction)."""
    landing_root = Path(landing_root)
    entries = [q for q in quarantined(landing_root) if q.run_id == run_id or q.path.name == run_id]
    if not entries:
        raise RunNotFound(f"no run {run_id} in the quarantine ({landing_root / QUARANTINE})")
    entry = entries[-1]
    origin = landing_root / entry.origin
    if origin.exists():
        raise RunNotFound(f"{origin} exists already; the quarantined copy stays at {entry.path}")
    # the folder moves back first, its note with it, and only then is the note removed: a crash
    # in between leaves the run either still quarantined (and listed) or back in the landing zone
    # with a stray note that nothing reads; never in the quarantine without its note (invisible)
    origin.parent.mkdir(parents=True, exist_ok=True)
    os.replace(entry.path, origin)
    fsync_dir(origin.parent)
    (origin / NOTE).unlink(missing_ok=True)
    if entry.origin.startswith(COMPACTED + "/"):
        reason = next((d.reason for d in scan_months(landing_root)[1] if d.path == origin), None)
    else:
        reason = run_damage(origin)[1]
    if reason:
        _move_aside(landing_root, origin, reason, entry.retracted)
        raise ValueError(f"{entry.origin} is still damaged, it stays in the quarantine: {reason}")
    return origin
