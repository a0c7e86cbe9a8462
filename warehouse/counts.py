"""`import-counts`: published or hand-read counts for platforms without an open API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from warehouse.csvcheck import InputError, Problem, read_rows
from warehouse.handles import HandleError, normalize_handle
from warehouse.landing.records import PLATFORMS, Snapshot
from warehouse.landing.runs import LandingRun
from warehouse.paths import DataPaths
from warehouse.registry import load_registry

REQUIRED = ("institution_id", "platform", "date", "followers")
COUNT_COLUMNS = ("followers", "following", "posts_total", "likes_total", "views_total")
OPTIONAL = ("handle", "following", "posts_total", "likes_total", "views_total", "source")
_COUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)$")
_ABBREVIATED = re.compile(r"^(\d+(?:\.\d+)?)\s*([KkMmBb])$")
_SCALE = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def parse_count(text: str) -> tuple[int, bool]:
    """(count, rounded) from '12345', '12,345' or a page's abbreviation like '1.2M' (rounded)."""
    text = text.strip()
    if _COUNT.match(text):
        return int(text.replace(",", "")), False
    match = _ABBREVIATED.match(text)
    if match:
        return round(float(match.group(1)) * _SCALE[match.group(2).lower()]), True
    raise ValueError(f"{text!r} is not a count (12345, 12,345 or 1.2M)")


def parse_counts(path: Path, known_ids: set[str], today: dt.date) -> list[Snapshot]:
    """Every row of a counts file as a manual Snapshot, or InputError naming every bad cell."""
    rows, problems = read_rows(Path(path), REQUIRED, OPTIONAL)
    name = str(path)
    snapshots: list[Snapshot] = []
    first_row_of: dict[tuple, int] = {}
    collected_at = dt.datetime.now(dt.UTC)
    for row, values in rows:
        bad = len(problems)

        def problem(column: str, message: str, row: int = row) -> None:
            problems.append(Problem(name, row, column, message))

        iid = values.get("institution_id", "")
        if not iid:
            problem("institution_id", "required value is empty")
        elif iid not in known_ids:
            problem("institution_id", f"{iid!r} is not in the registry")
        platform = values.get("platform", "").lower()
        if platform not in PLATFORMS:
            problem("platform", f"{values.get('platform', '')!r} is not one of {', '.join(PLATFORMS)}")
        day = None
        try:
            day = dt.date.fromisoformat(values.get("date", ""))
            if day > today:
                problem("date", f"{day} is in the future")
        except ValueError:
            problem("date", f"{values.get('date', '')!r} is not a date (YYYY-MM-DD)")
        handle = None
        if values.get("handle") and platform in PLATFORMS:
            try:
                handle = normalize_handle(platform, values["handle"])
            except HandleError as exc:
                problem("handle", str(exc))
        counts: dict[str, int | None] = {}
        rounded = False
        for column in COUNT_COLUMNS:
            text = values.get(column, "")
            if not text:
                if column == "followers":
                    problem(column, "required value is empty (a count not known is left out, not 0)")
                counts[column] = None
                continue
            try:
                counts[column], was_rounded = parse_count(text)
                rounded |= was_rounded and column == "followers"
            except ValueError as exc:
                problem(column, str(exc))
        key = (iid, platform, handle, day)
        if key in first_row_of:
            problem(
                "date",
                f"a second count for {iid} on {platform} that day (first on row {first_row_of[key]})",
            )
        first_row_of.setdefault(key, row)
        if len(problems) == bad:
            snapshots.append(
                Snapshot(
                    institution_id=iid,
                    platform=platform,
                    handle=handle,
                    snapshot_date=day,
                    collected_at=collected_at,
                    precision="rounded" if rounded else "exact",
                    method="manual",
                    source=values.get("source") or f"import: {Path(path).name}",
                    **counts,
                )
            )
    if problems:
        raise InputError(problems)
    return snapshots


def import_counts(paths: DataPaths, path: Path) -> LandingRun:
    """Validate the whole file, then land it as one import run; nothing lands if a row is bad."""
    institutions = load_registry(paths.registry)
    today = dt.datetime.now(dt.UTC).date()
    snapshots = parse_counts(path, {i.institution_id for i in institutions}, today)
    run = LandingRun(paths.landing, "import", today)
    run.extend(snapshots)
    run.commit(stats={"file": Path(path).name, "rows": len(snapshots)})
    return run
