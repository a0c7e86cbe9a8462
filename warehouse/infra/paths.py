"""Where a warehouse and its landing zone, registry and lock live."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = Path("data/finsocial.duckdb")
DEMO_DB = Path("data/demo/finsocial.duckdb")  # `finsocial demo` builds here, apart from collected data


@dataclass(frozen=True)
class DataPaths:
    """All files of one finsocial installation, beside its warehouse file."""

    db: Path
    # the landing zone when it is not <root>/landing: a folder, or s3://bucket/prefix
    landing_url: str | None = None

    @classmethod
    def resolve(cls, db: str | os.PathLike | None = None, landing: str | None = None) -> DataPaths:
        """--db, else FINSOCIAL_DB, else data/finsocial.duckdb; --landing, else FINSOCIAL_LANDING,
        else the folder landing/ beside the warehouse."""
        chosen = db or os.environ.get("FINSOCIAL_DB") or DEFAULT_DB
        landing = landing or os.environ.get("FINSOCIAL_LANDING") or None
        if landing and landing.startswith("s3:"):
            if not re.match(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$", landing):
                raise ValueError(f"{landing!r} is not an s3://bucket/prefix URL")
        elif landing:
            landing = str(Path(landing).expanduser().absolute())
        return cls(Path(chosen).expanduser().absolute(), landing)

    @classmethod
    def resolve_for_reading(cls, db: str | os.PathLike | None = None) -> tuple[DataPaths, bool]:
        """As resolve(); but with no --db and no FINSOCIAL_DB, when data/finsocial.duckdb does not
        exist and the demo's does (after `make demo`), the demo's. True when it fell back so."""
        paths = cls.resolve(db)
        if db or os.environ.get("FINSOCIAL_DB") or paths.db.exists():
            return paths, False
        demo = cls(DEMO_DB.absolute())
        return (demo, True) if demo.db.exists() else (paths, False)

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
    def remote_landing(self) -> bool:
        """Whether the landing zone is on object storage (s3://), shared with other machines."""
        return bool(self.landing_url and self.landing_url.startswith("s3://"))

    @property
    def landing(self) -> Path:
        """The landing zone's folder; for one on object storage, the local cache of its files.

        Runs are read and written through warehouse.landing.store.landing_store(paths).
        """
        if self.remote_landing:
            return self.root / "landing-cache"
        return Path(self.landing_url) if self.landing_url else self.root / "landing"

    @property
    def registry(self) -> Path:
        return self.root / "registry.csv"

    @property
    def peer_sets(self) -> Path:
        """The reader's named peer sets (JSON): beside the warehouse, which builds replace."""
        return self.root / "peer_sets.json"

    @property
    def author_secret(self) -> Path:
        """The secret of the keyed hashes that stand for mention authors (made on first use, 0600)."""
        return self.root / "author_key.secret"

    @property
    def text_lists(self) -> Path:
        """The user's additions to the theme and word lists (warehouse.domain.text.load_lists)."""
        return self.root / "text_lists.toml"

    @property
    def lock(self) -> Path:
        return self.root / "finsocial.lock"

    def ensure(self) -> None:
        self.landing.mkdir(parents=True, exist_ok=True)
