"""The registry of institutions: a CSV that users edit, validated whole before it is applied."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from warehouse.domain.handles import HandleError, normalize_handle
from warehouse.domain.kinds import KIND_LABELS
from warehouse.domain.platforms import PLATFORMS
from warehouse.domain.text import TermError, parse_terms
from warehouse.infra.csvcheck import InputError, Problem, read_rows
from warehouse.infra.files import write_atomic

KINDS = tuple(KIND_LABELS)
HANDLE_COLUMNS = PLATFORMS  # a column per platform, in the same order
REQUIRED_COLUMNS = ("institution_id", "name", "kind", "country", "website")
OPTIONAL_COLUMNS = ("groups", "total_assets", *HANDLE_COLUMNS, "search_terms")
EXPORT_COLUMNS = (*REQUIRED_COLUMNS, "groups", *HANDLE_COLUMNS, "total_assets", "search_terms")

# ISO 3166-1 alpha-2, officially assigned codes.
COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 (a list of 249 quoted codes reads worse)
)
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_GROUP = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class Institution:
    """One registry row, validated and normalized."""

    institution_id: str
    name: str
    kind: str
    country: str
    website: str
    groups: tuple[str, ...] = ()
    total_assets: float | None = None
    # platform -> normalized handles; a cell may list several, separated by ';'
    handles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # what counts as a mention of it (warehouse.domain.text.parse_terms); None: its handles and name
    search_terms: str | None = None


def _check_website(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in value:
        return "not a website URL (expected https://www.example.com/)"
    return None


def parse_registry(path: Path) -> list[Institution]:
    """Every institution of a registry file, or InputError naming every bad cell."""
    rows, problems = read_rows(Path(path), REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    name = str(path)
    institutions: list[Institution] = []
    first_row_of: dict[str, int] = {}
    for row, values in rows:
        bad = len(problems)

        def problem(column: str, message: str, row: int = row) -> None:
            problems.append(Problem(name, row, column, message))

        for column in REQUIRED_COLUMNS:
            if column in values and not values[column]:
                problem(column, "required value is empty")
        iid = values.get("institution_id", "")
        if iid and not _ID.match(iid):
            problem("institution_id", f"{iid!r} is not a slug (lowercase letters, digits and -)")
        elif iid in first_row_of:
            problem("institution_id", f"duplicate id {iid!r}, first on row {first_row_of[iid]}")
        elif iid:
            first_row_of[iid] = row
        kind = values.get("kind", "")
        if kind and kind not in KINDS:
            problem("kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        country = values.get("country", "")
        if country and country not in COUNTRIES:
            hint = " (use GB for the United Kingdom)" if country.upper() in ("UK", "EN") else ""
            problem("country", f"{country!r} is not an ISO 3166-1 alpha-2 code{hint}")
        website = values.get("website", "")
        if website and (msg := _check_website(website)):
            problem("website", f"{website!r} is {msg}")
        groups: list[str] = []
        for tag in filter(None, (t.strip() for t in values.get("groups", "").split(";"))):
            if not _GROUP.match(tag):
                problem("groups", f"{tag!r} is not a group tag (lowercase letters, digits, - and _)")
            elif tag not in groups:
                groups.append(tag)
        total_assets = None
        if values.get("total_assets"):
            try:
                total_assets = float(values["total_assets"].replace("_", ""))
                if total_assets < 0:
                    raise ValueError
            except ValueError:
                problem("total_assets", f"{values['total_assets']!r} is not a non-negative number")
        handles: dict[str, tuple[str, ...]] = {}
        for platform in HANDLE_COLUMNS:
            cell = values.get(platform, "")
            found: list[str] = []
            for item in filter(None, (v.strip() for v in cell.split(";"))):
                try:
                    handle = normalize_handle(platform, item)
                except HandleError as exc:
                    problem(platform, str(exc))
                    continue
                if handle not in found:
                    found.append(handle)
            if found:
                handles[platform] = tuple(found)
        search_terms = values.get("search_terms", "").strip() or None
        if search_terms is not None:
            try:  # a term that would match nearly every post is refused here, not found every night
                parse_terms(search_terms, values.get("name", ""), [h for hs in handles.values() for h in hs])
            except TermError as exc:
                problem("search_terms", str(exc))
        if len(problems) == bad:
            institutions.append(
                Institution(
                    institution_id=iid,
                    name=values.get("name", ""),  # a missing column is already a problem
                    kind=kind,
                    country=country,
                    website=website,
                    groups=tuple(groups),
                    total_assets=total_assets,
                    handles=handles,
                    search_terms=search_terms,
                )
            )
    if problems:
        raise InputError(problems)
    return institutions


class EmptyRegistry(ValueError):
    """A registry file with a header and no institution: it would wipe the registry."""


@dataclass(frozen=True)
class RegistryChange:
    """What replacing the installed registry with a new file does, by institution id."""

    before: int
    after: int
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def summary(self) -> str:
        text = f"replaces {self.before} institutions with {self.after}: {len(self.removed)} removed"
        text += f", {len(self.added)} added"
        if self.removed:
            shown = ", ".join(self.removed[:5]) + (" …" if len(self.removed) > 5 else "")
            text += f" (removed: {shown})"
        return text


def registry_change(
    installed: list[Institution], new: list[Institution], path: Path, allow_empty: bool = False
) -> RegistryChange:
    """What the new registry changes; an empty one is refused unless `allow_empty`."""
    if not new and not allow_empty:
        raise EmptyRegistry(
            f"{path} has no institutions (only a header): importing it would remove all "
            f"{len(installed)}. Pass --allow-empty if that is meant"
        )
    old_ids = [i.institution_id for i in installed]
    new_ids = [i.institution_id for i in new]
    return RegistryChange(
        before=len(installed),
        after=len(new),
        added=tuple(i for i in new_ids if i not in set(old_ids)),
        removed=tuple(i for i in old_ids if i not in set(new_ids)),
    )


def registry_csv(institutions: list[Institution]) -> str:
    """The registry as CSV text, in the import format."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for inst in institutions:
        row = {
            "institution_id": inst.institution_id,
            "name": inst.name,
            "kind": inst.kind,
            "country": inst.country,
            "website": inst.website,
            "groups": ";".join(inst.groups),
            "total_assets": "" if inst.total_assets is None else f"{inst.total_assets:g}",
            "search_terms": inst.search_terms or "",
        }
        for platform in HANDLE_COLUMNS:
            row[platform] = ";".join(inst.handles.get(platform, ()))
        writer.writerow([row[c] for c in EXPORT_COLUMNS])
    return out.getvalue()


def save_registry(institutions: list[Institution], target: Path) -> None:
    """Write the registry atomically: readers see the old file or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, registry_csv(institutions).encode("utf-8"))


# The registry as last read, per file: a digest of its bytes, and the institutions.
_READ: dict[Path, tuple[bytes, list[Institution]]] = {}


def load_registry(path: Path) -> list[Institution]:
    """The installed registry, or no institutions before the first import.

    Parsed once per process while the file holds the same bytes (a night reads it for collect and
    again for the build): the same list comes back, shared, so do not change it."""
    path = Path(path)
    try:
        digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except FileNotFoundError:
        return []
    known = _READ.get(path)
    if known is not None and known[0] == digest:
        return known[1]
    institutions = parse_registry(path)
    _READ[path] = (digest, institutions)
    return institutions
