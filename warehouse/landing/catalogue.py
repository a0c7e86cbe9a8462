"""The catalogue of runs: the landing zone listed once, each manifest and Parquet footer read once.

A build reads it once and hands it down: the quarantine check takes its damaged runs, the build
its runs and compacted months, the collection targets its discover runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse.landing.compact import CompactedMonth, scan_months
from warehouse.landing.runs import DamagedRun, LandedRun, scan_runs
from warehouse.landing.store import Store, open_store


@dataclass(frozen=True)
class Catalogue:
    """What one listing of the landing zone found."""

    store: Store  # the landing zone listed: a local folder or s3://bucket/prefix
    # every readable run in its own folder, oldest first (a folder an interrupted compaction
    # left is here too: `build_runs` leaves it out)
    runs: tuple[LandedRun, ...]
    months: tuple[CompactedMonth, ...]  # every readable compacted month
    damaged: tuple[DamagedRun, ...]  # damaged runs, then damaged compacted months

    @property
    def root(self) -> Path:
        """The landing zone's folder (for one on object storage: its local cache)."""
        return self.store.local_path("")

    @classmethod
    def read(cls, landing_root: Path | Store) -> Catalogue:
        """List the landing zone: each manifest and month index opened once, each footer read once."""
        store = open_store(landing_root)
        runs, damaged_runs = scan_runs(store)
        months, damaged_months = scan_months(store)
        return cls(store, tuple(runs), tuple(months), tuple(damaged_runs + damaged_months))

    def build_runs(self) -> list[LandedRun]:
        """The runs a build reads from their folders: those not in a compacted month already
        (a folder a compaction left before deleting it is skipped, so no record is read twice)."""
        compacted = {run_id for month in self.months for run_id in month.run_ids}
        return [r for r in self.runs if r.run_id not in compacted]

    def manifests(self) -> list[dict]:
        """The manifest of every run the build reads, in its own folder or compacted."""
        return [r.manifest for r in self.build_runs()] + [m for month in self.months for m in month.manifests]


def catalogue_of(landing: Path | Store | Catalogue) -> Catalogue:
    """The catalogue handed down, or the landing zone listed now."""
    return landing if isinstance(landing, Catalogue) else Catalogue.read(landing)
