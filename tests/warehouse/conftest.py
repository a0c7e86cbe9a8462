"""Fixtures for warehouse tests: a data folder with a small registry, and a way to land records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from warehouse.infra.paths import DataPaths
from warehouse.landing.records import Post, Snapshot
from warehouse.landing.runs import LandingRun

REGISTRY = """institution_id,name,kind,country,website,groups,x,instagram,mastodon
alpha-bank,Alpha Bank,bank,NL,https://alpha.example/,nl-banks;big,@alpha,alpha,
bravo-ins,Bravo Insurance,insurer,NL,https://bravo.example/,,bravo,,
charlie-bank,Charlie Bank,bank,GB,https://charlie.example/,big,charlie,,
delta-bank,Delta Bank,bank,GB,https://delta.example/,,delta,,
echo-cu,Echo Credit Union,credit_union,NL,https://echo.example/,nl-banks,echo,,@echo@social.example
"""


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    p = DataPaths(tmp_path / "data" / "finsocial.duckdb")
    p.ensure()
    return p


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    path = tmp_path / "registry.csv"
    path.write_text(REGISTRY)
    return path


def at(day: str, hour: int = 3) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), dt.UTC)


def snap(iid: str, platform: str, handle: str | None, day: str, followers: int | None, **kw) -> Snapshot:
    kw.setdefault("posts_observed", platform in ("x", "mastodon"))
    kw.setdefault("method", "api" if platform in ("x", "mastodon") else "manual")
    return Snapshot(
        iid,
        platform,
        handle,
        dt.date.fromisoformat(day),
        kw.pop("collected_at", at(day)),
        followers=followers,
        **kw,
    )


def post(iid: str, platform: str, handle: str, post_id: str, day: str, **counts) -> Post:
    return Post(iid, platform, handle, post_id, at(day, 12), at("2026-03-31", 4), **counts)


def land(paths: DataPaths, records: list, kind: str = "collect", day: str = "2026-03-31") -> LandingRun:
    run = LandingRun(paths.landing, kind, dt.date.fromisoformat(day))
    run.extend(records)
    run.commit()
    return run
