"""Where a warehouse and its landing zone, registry and lock live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = Path("data/finsocial.duckdb")


@dataclass(frozen=True)
class DataPaths:
    """All files of one finsocial installation, beside its warehouse file."""

    db: Path

    @classmethod
    def resolve(cls, db: str | os.PathLike | None = None) -> DataPaths:
        """--db, else FINSOCIAL_DB, else data/finsocial.duckdb."""
        chosen = db or os.environ.get("FINSOCIAL_DB") or DEFAULT_DB
        return cls(Path(chosen).expanduser().absolute())

    @property
    def root(self) -> Path:
        return self.db.parent

    @property
    def next_db(self) -> Path:
        return self.db.with_name(self.db.name + ".next")

    @property
    def prev_db(self) -> Path:
        """The warehouse the serving one replaced: the next build brings it up to date in place."""
        return self.db.with_name(self.db.name + ".prev")

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def registry(self) -> Path:
        return self.root / "registry.csv"

    @property
    def lock(self) -> Path:
        return self.root / "finsocial.lock"

    def ensure(self) -> None:
        self.landing.mkdir(parents=True, exist_ok=True)
