"""One spec-driven generator of synthetic data: the demo and the benchmark sizes are named specs.

`generate(paths, spec)` draws a World (synth/world.py: institutions, accounts, a daily
audience, posts; all numpy, seeded by spec.seed), writes the registry, and lands it through the
landing zone's LandingRun (synth/land.py), so the real build reads it like collected data.
Named specs live in synth/specs.py: DEMO (64 fictional institutions, 450 days, one run a
night) and SIZES (S, M, L, tiny for the benchmarks).

Adding a record kind (comments, audience samples, ...): write an *extra*, a function

    def comments(world: World, rng: np.random.Generator) -> list[ExtraRecords]: ...

in a module of its own (e.g. synth/webcare.py). It reads the world (world.post_acc,
world.post_day, world.post_seconds, world.post_ids, world.followers[account, day],
world.account_columns(acc) for institution_id/platform/handle, world.first_day, world.n_days) and
returns ExtraRecords(kind, day, table): rows in the landing schema SCHEMAS[kind] and, per row, the
day index whose run lands it. Then add it, one line, to DEMO_EXTRAS and/or SCALE_EXTRAS in specs.py
(or pass `extras=` to a spec). Each extra draws from an rng of its own, seeded from spec.seed and the
extra's name, so adding one leaves every other number of the demo unchanged. Extras land in the
demo's nightly run, or in the "collect" run of a bulk window.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field

import numpy as np

from synth.draw import ExtraRecords, counts, ints, timestamps
from synth.land import DEMO_NOTICE, land
from synth.spec import INDUSTRY, PlatformProfile, Spec
from synth.specs import DEMO, SIZES
from synth.world import World, build_world
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import save_registry
from warehouse.landing.store import landing_store


@dataclass(frozen=True)
class Generated:
    institutions: int
    accounts: int
    snapshots: int
    posts: int
    runs: int
    seconds: float
    landing_bytes: int
    extras: dict[str, int] = field(default_factory=dict)  # rows landed per extra record kind


def extra_rng(spec: Spec, extra) -> np.random.Generator:
    """The generator of one extra: from the spec's seed and the extra's name only."""
    name = f"{extra.__module__}.{extra.__qualname__}"
    return np.random.default_rng([spec.seed, zlib.crc32(name.encode())])


def generate(paths: DataPaths, spec: Spec, log=None) -> Generated:
    """Write the registry and the landing runs of `spec` under paths (which should hold no runs)."""
    started = time.perf_counter()
    paths.ensure()
    rng = np.random.default_rng(spec.seed)
    world = build_world(spec, rng)
    save_registry(world.institutions, paths.registry)
    extras = [records for extra in spec.extras for records in extra(world, extra_rng(spec, extra))]
    if log:
        log(
            f"generated {len(world.handles):,} accounts of {len(world.institutions):,} institutions, "
            f"{int(world.observed.sum()):,} snapshots, {len(world.post_acc):,} posts"
        )
    runs, snapshots = land(paths, world, extras, rng, log)
    size = sum(landing_store(paths).list("").values())  # a folder's files, or the objects on S3
    by_kind: dict[str, int] = {}
    for records in extras:
        by_kind[records.kind] = by_kind.get(records.kind, 0) + records.table.num_rows
    return Generated(
        institutions=len(world.institutions),
        accounts=len(world.handles),
        snapshots=snapshots,
        posts=len(world.post_acc),
        runs=runs,
        seconds=time.perf_counter() - started,
        landing_bytes=size,
        extras=by_kind,
    )


__all__ = [
    "DEMO",
    "DEMO_NOTICE",
    "INDUSTRY",
    "SIZES",
    "ExtraRecords",
    "Generated",
    "PlatformProfile",
    "Spec",
    "World",
    "counts",
    "generate",
    "ints",
    "timestamps",
]
