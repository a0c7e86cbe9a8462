"""The accounts to collect: registry handles first, then those discovered on the websites."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from warehouse.domain.handles import profile_url
from warehouse.inputs.registry import Institution
from warehouse.landing.catalogue import Catalogue, catalogue_of


@dataclass(frozen=True)
class Target:
    """One official account of an institution on a platform."""

    institution_id: str
    platform: str
    handle: str
    url: str
    found_via: str  # registry | discovered
    found_on: str | None = None


def discovered_accounts(landing: Path | Catalogue) -> dict[str, list[Target]]:
    """Per institution, the accounts found by the latest discover run that covered it."""
    latest: dict[str, list[Target]] = {}
    for run in catalogue_of(landing).runs:  # oldest first, so later runs overwrite
        if run.manifest.get("kind") != "discover":
            continue
        covered = run.manifest.get("stats", {}).get("institutions", [])
        found: dict[str, list[Target]] = {iid: [] for iid in covered}
        path = run.file("accounts")
        if path is not None:
            for row in pq.read_table(path).to_pylist():
                found.setdefault(row["institution_id"], []).append(
                    Target(
                        institution_id=row["institution_id"],
                        platform=row["platform"],
                        handle=row["handle"],
                        url=row["url"] or profile_url(row["platform"], row["handle"]),
                        found_via="discovered",
                        found_on=row["found_on"],
                    )
                )
        latest.update(found)
    return latest


def collection_targets(
    institutions: list[Institution],
    landing: Path | Catalogue,
    platforms: set[str] | None = None,
    institution_ids: set[str] | None = None,
) -> list[Target]:
    """Accounts to collect. A platform with a handle in the registry ignores discovered ones."""
    targets = _all_targets(institutions, catalogue_of(landing))
    if institution_ids:
        targets = [t for t in targets if t.institution_id in institution_ids]
    if platforms:
        targets = [t for t in targets if t.platform in platforms]
    return list(targets)


# The targets last worked out in this process, with what they came from: a night works them out
# for collect and again for the build after it, from the same registry (load_registry's list, while
# its file is unchanged) and the same discover runs (a landed run never changes).
_LAST: list[tuple[list[Institution], tuple, list[Target]]] = []


def _all_targets(institutions: list[Institution], catalogue: Catalogue) -> list[Target]:
    key = (
        str(catalogue.root),
        tuple(r.run_id for r in catalogue.runs if r.manifest.get("kind") == "discover"),
    )
    if _LAST and _LAST[0][0] is institutions and _LAST[0][1] == key:
        return _LAST[0][2]
    discovered = discovered_accounts(catalogue)
    targets: list[Target] = []
    for inst in institutions:
        # the institution's own targets only (a scan of all targets so far is quadratic in institutions)
        seen: set[tuple[str, str]] = set()
        for platform, handles in inst.handles.items():
            for handle in handles:
                targets.append(
                    Target(
                        inst.institution_id,
                        platform,
                        handle,
                        profile_url(platform, handle),
                        "registry",
                    )
                )
                seen.add((platform, handle))
        for target in discovered.get(inst.institution_id, []):
            if target.platform in inst.handles or (target.platform, target.handle) in seen:
                continue
            seen.add((target.platform, target.handle))
            targets.append(target)
    _LAST[:] = [(institutions, key, targets)]
    return targets


def with_discovered_handles(institutions: list[Institution], landing: Path | Catalogue) -> list[Institution]:
    """The registry with each platform it leaves empty filled in from the latest discover run."""
    found: dict[tuple[str, str], list[str]] = {}
    for target in collection_targets(institutions, landing):
        found.setdefault((target.institution_id, target.platform), []).append(target.handle)
    by_institution: dict[str, dict[str, list[str]]] = {}
    for (iid, platform), hs in found.items():
        by_institution.setdefault(iid, {})[platform] = hs
    merged = []
    for inst in institutions:
        handles = dict(inst.handles)
        for platform, hs in by_institution.get(inst.institution_id, {}).items():
            if platform not in handles:
                handles[platform] = tuple(hs)
        merged.append(dataclasses.replace(inst, handles=handles))
    return merged
