"""Fixtures shared across test folders: the demo warehouse, built once per session, and the
local server that stands in for the platforms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

DEMO_END = dt.date(2026, 11, 21)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full demo warehouse (64 fictional institutions, 450 days to DEMO_END); read it only."""
    from synth.demo import DemoSpec, generate
    from warehouse.build.builder import build
    from warehouse.infra.paths import DataPaths

    paths = DataPaths.resolve(tmp_path_factory.mktemp("demo") / "finsocial.duckdb")
    paths.ensure()
    generate(paths, DemoSpec(end=DEMO_END))
    build(paths)
    return paths.db


@pytest.fixture
def server():
    """A fresh local platform server on 127.0.0.1 (tests/collectors/collector_fakes.FakeServer)."""
    from tests.support.collector_fakes import FakeServer

    fake = FakeServer()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def warehouse_state(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """state_db(name) -> the warehouse file of a state in tests/states.py (STATES), built through the
    real commands on first use and shared for the session; read it only. 'demo' is demo_db."""
    from tests.states import STATES, build_state

    built: dict[str, Path] = {}

    def state_db(name: str) -> Path:
        if name not in built:
            state = next(s for s in STATES if s.name == name)
            if state.make is None:
                built[name] = request.getfixturevalue("demo_db")
            else:
                built[name] = build_state(state, tmp_path_factory.mktemp(f"state-{name}"))
        return built[name]

    return state_db
