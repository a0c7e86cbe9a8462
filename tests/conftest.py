"""Fixtures shared across test folders: the demo warehouse and the states' warehouses, each built
once per test run (whatever the number of xdist workers), and the local server that stands in for
the platforms."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

DEMO_END = dt.date(2026, 11, 21)
# a test run's temporary files in memory where the machine has a tmpfs with room: a build syncs its
# files to disk some sixty times, and on a disk those waits were half the property test's time
MEMORY_TMP = Path("/dev/shm")
MEMORY_TMP_ROOM = 4 * 1024**3


def memory_temp_folder() -> Path | None:
    """/dev/shm when TMPDIR is not set already and it is a writable folder with 4 GB free, else None."""
    if os.environ.get("TMPDIR") or not MEMORY_TMP.is_dir() or not os.access(MEMORY_TMP, os.W_OK | os.X_OK):
        return None
    room = os.statvfs(MEMORY_TMP)
    return MEMORY_TMP if room.f_bavail * room.f_frsize >= MEMORY_TMP_ROOM else None


if (memory_tmp := memory_temp_folder()) is not None:
    # before pytest makes its base temporary folder; xdist's workers and the commands the tests
    # start inherit it
    os.environ["TMPDIR"] = str(memory_tmp)
    tempfile.tempdir = None

if os.environ.get("PYTEST_XDIST_WORKER"):
    # one DuckDB thread a build per worker: the workers already fill the cores, and a tiny build's
    # statements cost more in threads than they gain (about a fifth of the property test's CPU)
    os.environ.setdefault("FINSOCIAL_BUILD_THREADS", "1")


# The suite's longest tests that are alone in their file: make test's workers take them first.
# pytest-xdist (--dist loadfile) hands out the files with the most tests first, so these came last,
# and one worker ran both while the other sat idle (70 s apart on a run at 18:31 UTC).
LONG_ALONE = (
    "tests/warehouse/test_incremental_property.py",
    "tests/warehouse/test_incremental_property_more.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """LONG_ALONE first, then the files by their number of tests, most first (xdist's own order,
    which make test keeps through this with --no-loadscope-reorder); a file's tests stay in order."""
    counts = Counter(item.nodeid.split("::")[0] for item in items)

    def order(item: pytest.Item) -> tuple[bool, int]:
        file = item.nodeid.split("::")[0]
        return file not in LONG_ALONE, -counts[file]

    items.sort(key=order)


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Path]) -> Path:
    """`make(folder)` run once per test run, its result shared by every xdist worker: the first
    worker to ask builds under a file lock, the others wait and get the same path. What it makes is
    read only afterwards. A folder left by a worker that died mid-build is made again."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's base folder, shared by its workers
    shared = root / "built-once"
    shared.mkdir(exist_ok=True)
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(str(shared / f"{name}.lock")):
        if done.exists():
            return Path(done.read_text(encoding="utf-8"))
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        result = make(folder)
        done.write_text(str(result), encoding="utf-8")
    return result


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full demo warehouse (64 fictional institutions, 450 days to DEMO_END); read it only."""

    def make(folder: Path) -> Path:
        from synth.demo import DemoSpec, generate
        from warehouse.build.builder import build
        from warehouse.infra.paths import DataPaths

        paths = DataPaths.resolve(folder / "finsocial.duckdb")
        paths.ensure()
        generate(paths, DemoSpec(end=DEMO_END))
        build(paths)
        return paths.db

    return built_once(tmp_path_factory, "demo", make)


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
                built[name] = built_once(
                    tmp_path_factory, f"state-{name}", lambda folder: build_state(state, folder)
                )
        return built[name]

    return state_db
