"""`import-counts`: published or hand-read counts for platforms without an open API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow.parquet as pq

from warehouse.csvcheck import InputError, Problem, read_rows
from warehouse.handles import HandleError, normalize_handle
from warehouse.landing.records import PLATFORMS, Snapshot
from warehouse.landing.runs import LandingRun, complete_runs
from warehouse.paths import DataPaths
from warehouse.registry import load_registry
from warehouse.targets import collection_targets

REQUIRED = ("institution_id", "platform", "date", "followers")
COUNT_COLUMNS = ("followers", "following", "posts_total", "likes_total", "views_total")
OPTIONAL = ("handle", "following", "posts_total", "likes_total", "views_total", "source")
_COUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)$")
_ABBREVIATED = re.compile(r"^(\d+(?:\.\d+)?)\s*([KkMmBb])$")
_SCALE = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
INT64_MAX = 2**63 - 1  # the largest count the warehouse holds (BIGINT)
# No platform in the registry counted anyone before 2004 (Facebook opened that February): an
# earlier date is a typo (0026 for 2026), and would make the build compute every day since.
EARLIEST_DATE = dt.date(2004, 1, 1)


def parse_count(text: str) -> tuple[int, bool]:
    """(count, rounded) from '12345', '12,345' or a page's abbreviation like '1.2M' (rounded)."""
    text = text.strip()
    if _COUNT.match(text):
        return int(text.replace(",", "")), False
    match = _ABBREVIATED.match(text)
    if match:
        return round(float(match.group(1)) * _SCALE[match.group(2).lower()]), True
    raise ValueError(f"{text!r} is not a count (12345, 12,345 or 1.2M)")


def _file_handles(rows: list[tuple[int, dict[str, str]]]) -> dict[tuple[str, str], dict[str, int]]:
    """Per (institution, platform), the handles the file names and the first row naming each."""
    found: dict[tuple[str, str], dict[str, int]] = {}
    for row, values in rows:
        platform = values.get("platform", "").lower()
        if values.get("handle") and platform in PLATFORMS:
            try:
                handle = normalize_handle(platform, values["handle"])
            except HandleError:
                continue  # reported on its row
            found.setdefault((values.get("institution_id", ""), platform), {}).setdefault(handle, row)
    return found


def parse_counts(
    path: Path,
    known_ids: set[str],
    today: dt.date,
    known_handles: dict[tuple[str, str], list[tuple[str, str]]] | None = None,
) -> list[Snapshot]:
    """Every row of a counts file as a manual Snapshot, or InputError naming every bad cell.

    `known_handles`: per (institution, platform), the accounts already known as (handle, where
    from). A row without a handle counts for the institution's one account on that platform; a
    row naming a handle beside another known one is refused, naming both (two accounts would
    double its followers).
    """
    rows, problems = read_rows(Path(path), REQUIRED, OPTIONAL)
    known_handles = known_handles or {}
    in_file = _file_handles(rows)
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
            elif day < EARLIEST_DATE:
                problem("date", f"{day} is before {EARLIEST_DATE.year}: a typo for another year?")
        except ValueError:
            problem("date", f"{values.get('date', '')!r} is not a date (YYYY-MM-DD)")
        handle = None
        if values.get("handle") and platform in PLATFORMS:
            try:
                handle = normalize_handle(platform, values["handle"])
            except HandleError as exc:
                problem("handle", str(exc))
        if platform in PLATFORMS and iid:
            handle = _account_of(iid, platform, handle, known_handles, in_file, problem)
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
            except (ValueError, OverflowError) as exc:
                problem(column, str(exc) if isinstance(exc, ValueError) else f"{text!r} is not a count")
                continue
            if counts[column] > INT64_MAX:
                problem(column, f"{text!r} is larger than any count can be (at most {INT64_MAX:,})")
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


def _account_of(iid, platform, handle, known_handles, in_file, problem) -> str | None:
    """The handle a row counts for: its own, or the institution's one account on the platform."""
    known = known_handles.get((iid, platform), [])
    known_names = [h for h, _ in known]
    if handle is not None:
        if known and handle not in known_names:
            h, where = known[0]
            problem(
                "handle",
                f"{handle!r} is a second {platform} account of {iid} beside {h!r} ({where}); "
                "add it to the registry if the institution really has both",
            )
        elif not known and len(in_file.get((iid, platform), {})) > 1:
            (first, first_row), *_ = in_file[(iid, platform)].items()
            if first != handle:
                problem(
                    "handle",
                    f"{handle!r} is a second {platform} account of {iid} beside {first!r} "
                    f"(row {first_row}); add both to the registry if the institution really has both",
                )
        return handle
    candidates = known_names or list(in_file.get((iid, platform), {}))
    if len(candidates) > 1:
        problem(
            "handle",
            f"no handle, and {iid} has {len(candidates)} {platform} accounts "
            f"({', '.join(map(repr, candidates))}): name the one this count is for",
        )
        return None
    return candidates[0] if candidates else None


def known_accounts(institutions, landing_root: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Per (institution, platform), the accounts the registry, discovery and earlier imports know."""
    known: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def add(iid: str, platform: str, handle: str | None, where: str) -> None:
        entries = known.setdefault((iid, platform), [])
        if handle and handle not in [h for h, _ in entries]:
            entries.append((handle, where))

    for target in collection_targets(institutions, landing_root):
        add(target.institution_id, target.platform, target.handle, target.found_via)
    for run in complete_runs(landing_root):
        if run.manifest.get("kind") == "import" and (file := run.file("snapshots")) is not None:
            columns = ["institution_id", "platform", "handle"]
            for rec in pq.read_table(file, columns=columns).to_pylist():
                add(rec["institution_id"], rec["platform"], rec["handle"], f"import run {run.run_id}")
    return known


def import_counts(paths: DataPaths, path: Path) -> LandingRun:
    """Validate the whole file, then land it as one import run; nothing lands if a row is bad."""
    institutions = load_registry(paths.registry)
    today = dt.datetime.now(dt.UTC).date()
    known = known_accounts(institutions, paths.landing)
    snapshots = parse_counts(path, {i.institution_id for i in institutions}, today, known)
    run = LandingRun(paths.landing, "import", today)
    run.extend(snapshots)
    run.commit(stats={"file": Path(path).name, "rows": len(snapshots)})
    return run
