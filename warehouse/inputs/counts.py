"""`import-counts`: published or hand-read counts for platforms without an open API."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from pathlib import Path

import pyarrow.parquet as pq

from warehouse.domain.handles import HandleError, normalize_handle
from warehouse.infra.csvcheck import InputError, Problem, read_rows
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import load_registry
from warehouse.inputs.targets import collection_targets
from warehouse.landing.catalogue import Catalogue
from warehouse.landing.records import MAX_COUNT, PLATFORMS, Snapshot
from warehouse.landing.runs import LandingRun
from warehouse.landing.store import Store, landing_store

REQUIRED = ("institution_id", "platform", "date")
COUNT_COLUMNS = ("followers", "following", "posts_total", "likes_total", "views_total")
OPTIONAL = ("handle", "name", *COUNT_COLUMNS, "precision", "source")
PRECISIONS = ("exact", "rounded")
# No platform in the registry counted anyone before 2004 (Facebook opened that February): an
# earlier date is a typo (0026 for 2026), and would make the build compute every day since.
EARLIEST_DATE = dt.date(2004, 1, 1)

# A file whose numbers use a decimal comma (733.800 and 4,3M) says so on its first line.
DECIMAL_COMMA_LINE = "# decimal: comma"
_DECLARATION = re.compile(r"^\ufeff?#\s*decimal\s*[:=]\s*(comma|point|,|\.)\s*$", re.IGNORECASE)
_SCALE = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
_SUFFIX = "|".join(sorted(_SCALE, key=len, reverse=True))


def _patterns(decimal_comma: bool) -> tuple[re.Pattern, re.Pattern]:
    """(whole count with thousands separators, abbreviated count) for the file's decimal mark."""
    group, point = (r"\.", ",") if decimal_comma else (",", r"\.")
    whole = re.compile(rf"^(\d{{1,3}}({group}\d{{3}})+|\d+)$")
    abbreviated = re.compile(rf"^(\d+(?:{point}\d+)?)\s*({_SUFFIX})$", re.IGNORECASE)
    return whole, abbreviated


def parse_count(text: str, decimal_comma: bool = False) -> tuple[int, bool]:
    """(count, rounded) from a count as published: '12345', '733,800' (or '733.800' with a decimal
    comma), or an abbreviation such as '4.3M', '1.2K', '850 thousand' (rounded)."""
    text = text.strip()
    whole, abbreviated = _patterns(decimal_comma)
    if whole.match(text):
        return int(re.sub(r"[,.]", "", text)), False
    match = abbreviated.match(text)
    if match:
        # enough digits for any count (the caller refuses one past int64), exactly: no float
        context = Context(prec=60, rounding=ROUND_HALF_UP)
        try:
            number = Decimal(match.group(1).replace(",", "."))
            scaled = context.multiply(number, _SCALE[match.group(2).lower()])
            return int(scaled.quantize(Decimal(1), context=context)), True
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a count: too many digits") from None
    if decimal_comma:
        raise ValueError(f"{text!r} is not a count (12345, 12.345 or 4,3M in a file with a decimal comma)")
    hint = (
        f"; if the file writes 12.345 for twelve thousand, declare a decimal comma with "
        f"'{DECIMAL_COMMA_LINE}' on its first line"
        if re.match(r"^\d{1,3}(\.\d{3})+$", text)
        else ""
    )
    raise ValueError(f"{text!r} is not a count (12345, 12,345 or 4.3M){hint}")


def declared_decimal_comma(path: Path) -> bool:
    """Whether the file's first line declares a decimal comma ('# decimal: comma')."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline().strip()
    except OSError:
        return False  # read_rows reports the unreadable file
    match = _DECLARATION.match(first)
    return bool(match) and match.group(1).lower() in ("comma", ",")


def same_name(published: str, registered: str) -> bool:
    """Names equal but for case, accents, punctuation, '&'/'and' and a legal form's dots."""

    def key(name: str) -> str:
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
        name = name.replace("&", " and ")
        return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())

    return key(published) == key(registered)


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
    known_ids: set[str] | dict[str, str],
    today: dt.date,
    known_handles: dict[tuple[str, str], list[tuple[str, str]]] | None = None,
    warn: Callable[[Problem], None] | None = None,
) -> list[Snapshot]:
    """Every row of a counts file as a manual Snapshot, or InputError naming every bad cell.

    `known_ids` maps each registry id to its name (a set of ids skips the name check); a `name`
    that differs from the registry's is passed to `warn`, as it may be a mis-mapped institution.

    `known_handles`: per (institution, platform), the accounts already known as (handle, where
    from). A row without a handle counts for the institution's one account on that platform; a
    row naming a handle beside another known one is refused, naming both (two accounts would
    double its followers).
    """
    warn = warn or (lambda problem: None)
    decimal_comma = declared_decimal_comma(Path(path))
    rows, problems = read_rows(Path(path), REQUIRED, OPTIONAL, comments=True)
    known_handles = known_handles or {}
    in_file = _file_handles(rows)
    name = str(path)
    names = known_ids if isinstance(known_ids, dict) else {}
    snapshots: list[Snapshot] = []
    first_row_of: dict[tuple, int] = {}
    other_names: dict[tuple[str, str], list[int]] = {}
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
        elif values.get("name") and iid in names and not same_name(values["name"], names[iid]):
            # kept, but shown: a different name is how a user sees a row mapped to the wrong bank
            other_names.setdefault((iid, values["name"]), []).append(row)
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
        abbreviated = []
        for column in COUNT_COLUMNS:
            text = values.get(column, "")
            counts[column] = None  # a count not published stays unknown, never 0
            if not text:
                continue
            try:
                counts[column], was_rounded = parse_count(text, decimal_comma)
            except (ValueError, OverflowError) as exc:
                problem(column, str(exc) if isinstance(exc, ValueError) else f"{text!r} is not a count")
                continue
            if counts[column] > MAX_COUNT:
                problem(column, f"{text!r} is larger than any count can be (at most {MAX_COUNT:,})")
            if was_rounded:
                abbreviated.append(f"{column} {text}")
        if all(not values.get(column) for column in COUNT_COLUMNS):
            problem(
                "followers",
                f"no count: give at least one of {', '.join(COUNT_COLUMNS)} "
                "(a count not known is left out, not 0)",
            )
        precision = values.get("precision", "").lower() or ("rounded" if abbreviated else "exact")
        if precision not in PRECISIONS:
            problem("precision", f"{values['precision']!r} is not one of {', '.join(PRECISIONS)}")
        elif precision == "exact" and abbreviated:
            problem("precision", f"'exact', but {', '.join(abbreviated)} is written rounded")
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
                    precision=precision,
                    method="manual",
                    source=values.get("source") or f"import: {Path(path).name}",
                    **counts,
                )
            )
    for (iid, given), at_rows in other_names.items():
        also = f" (also rows {', '.join(map(str, at_rows[1:]))})" if len(at_rows) > 1 else ""
        warn(
            Problem(
                name, at_rows[0], "name", f"{given!r} differs from {iid}'s registry name {names[iid]!r}{also}"
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


def known_accounts(institutions, landing_root: Path | Store) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Per (institution, platform), the accounts the registry, discovery and earlier imports know."""
    known: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def add(iid: str, platform: str, handle: str | None, where: str) -> None:
        entries = known.setdefault((iid, platform), [])
        if handle and handle not in [h for h, _ in entries]:
            entries.append((handle, where))

    catalogue = Catalogue.read(landing_root)
    for target in collection_targets(institutions, catalogue):
        add(target.institution_id, target.platform, target.handle, target.found_via)
    columns = ["institution_id", "platform", "handle"]
    for run in catalogue.build_runs():
        if run.manifest.get("kind") == "import" and (file := run.file("snapshots")) is not None:
            for rec in pq.read_table(file, columns=columns).to_pylist():
                add(rec["institution_id"], rec["platform"], rec["handle"], f"import run {run.run_id}")
    # the imports a compaction merged into a month's file are known as well as those in folders
    for month in catalogue.months:
        imports = sorted(m["run_id"] for m in month.manifests if m.get("kind") == "import")
        if imports and (file := month.file("snapshots")) is not None:
            table = pq.read_table(file, columns=[*columns, "run_id"], filters=[("run_id", "in", imports)])
            for rec in table.sort_by("run_id").to_pylist():
                where = f"import run {rec['run_id']}, compacted into {month.path.name}"
                add(rec["institution_id"], rec["platform"], rec["handle"], where)
    return known


def import_counts(paths: DataPaths, path: Path, warn: Callable[[Problem], None] | None = None) -> LandingRun:
    """Validate the whole file, then land it as one import run; nothing lands if a row is bad."""
    institutions = load_registry(paths.registry)
    today = dt.datetime.now(dt.UTC).date()
    known = known_accounts(institutions, landing_store(paths))
    names = {i.institution_id: i.name for i in institutions}
    snapshots = parse_counts(path, names, today, known, warn)
    run = LandingRun(landing_store(paths), "import", today)
    run.extend(snapshots)
    run.commit(stats={"file": Path(path).name, "rows": len(snapshots)})
    return run
