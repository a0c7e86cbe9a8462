"""The benchmark sizes S, M, L (and tiny, for tests): named specs of synth, in benchmarks/data/."""

from __future__ import annotations

import shutil
from pathlib import Path

from synth import SIZES, Generated, Spec
from synth import generate as generate_spec
from warehouse.infra.paths import DataPaths

DATA_ROOT = Path(__file__).parent / "data"


def generate(paths: DataPaths, spec: Spec, log=None) -> Generated:
    """Write a registry and a landing zone for `spec` under paths.root, replacing what is there."""
    if paths.landing.exists():
        shutil.rmtree(paths.landing)
    paths.registry.unlink(missing_ok=True)
    return generate_spec(paths, spec, log)


def paths_for(size: str, root: Path | None = None) -> DataPaths:
    """Where a size's data lives: benchmarks/data/<size>/ unless another root is given."""
    return DataPaths((Path(root) if root else DATA_ROOT / size) / "finsocial.duckdb")


def ensure(size: str, root: Path | None = None, log=None) -> tuple[DataPaths, Generated | None]:
    """The data of a size, generated unless a complete one with the same spec is already there."""
    paths = paths_for(size, root)
    stamp = paths.root / "scale-spec.txt"
    want = repr(SIZES[size])
    if stamp.exists() and stamp.read_text() == want and paths.registry.exists():
        return paths, None
    stamp.unlink(missing_ok=True)
    made = generate(paths, SIZES[size], log)
    stamp.write_text(want)
    return paths, made


__all__ = ["SIZES", "Generated", "Spec", "generate", "ensure", "paths_for"]
