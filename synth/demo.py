"""The demo: fictional institutions from the synthetic-data generator's DEMO spec, in a folder of its own."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass

from synth import DEMO, DEMO_NOTICE, Generated
from synth import generate as generate_spec
from warehouse.infra.paths import DEMO_DB as DEMO_DB_PATH
from warehouse.infra.paths import DataPaths

DEMO_DB = str(DEMO_DB_PATH)
__all__ = ["DEMO_DB", "DEMO_NOTICE", "DemoSpec", "NotADemoRoot", "generate", "reset_demo_root"]


@dataclass(frozen=True)
class DemoSpec:
    """How much demo to make: the rest is synth.DEMO."""

    institutions: int = DEMO.institutions
    days: int = DEMO.days
    end: dt.date | None = None  # the last day; today (UTC) by default


def generate(paths: DataPaths, spec: DemoSpec = DemoSpec(), log=None) -> Generated:
    """Write the demo registry and one landing run per day."""
    return generate_spec(
        paths, DEMO.replace(institutions=spec.institutions, days=spec.days, end=spec.end), log
    )


class NotADemoRoot(Exception):
    """The data folder holds real runs: the demo will not write there."""


def reset_demo_root(paths: DataPaths) -> None:
    """Empty a demo data folder; refuse one that holds runs that are not demo runs."""
    from warehouse.landing.catalogue import Catalogue

    real = [m for m in Catalogue.read(paths.landing).manifests() if not m.get("demo")]
    if real:
        raise NotADemoRoot(
            f"{paths.root} holds {len(real)} collected run(s); the demo writes only to a folder "
            f"of its own (default {DEMO_DB})"
        )
    if paths.landing.exists():
        shutil.rmtree(paths.landing)
    paths.registry.unlink(missing_ok=True)
