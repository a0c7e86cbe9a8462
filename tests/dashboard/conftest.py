"""Warehouses for the dashboard's tests, and a helper to run one page with AppTest."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

from tests.conftest import built_once
from warehouse.infra.paths import DataPaths

ROOT = Path(__file__).resolve().parents[2]
# Each AppTest run scans every installed distribution's metadata for Streamlit components, about
# 0.4 s of a page's 0.5; nothing is installed while the tests run, so a process scans once
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)
PAGES = [
    "league",
    "engagement",
    "top_posts",
    "peers",
    "profile",
    "trends",
    "webcare",
    "conversation",
    "report",
    "practices",
    "health",
    "methodology",
]
SCRIPT_NAME = "<script>alert('x')</script> Bank"


@pytest.fixture(scope="session")
def script_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo warehouse whose largest institution is named like an HTML script."""
    from synth.demo import DemoSpec, generate
    from warehouse.build.builder import build

    def make(folder: Path) -> Path:
        paths = DataPaths.resolve(folder / "finsocial.duckdb")
        paths.ensure()
        generate(paths, DemoSpec(institutions=6, days=70))
        with paths.registry.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        rows[0]["name"] = SCRIPT_NAME  # the demo gives its first institution the largest audience
        with paths.registry.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        build(paths)
        return paths.db

    return built_once(tmp_path_factory, "script", make)


@pytest.fixture
def use_db(monkeypatch: pytest.MonkeyPatch):
    """Point the dashboard at a warehouse file for this test."""

    def use(db: Path) -> None:
        monkeypatch.setenv("FINSOCIAL_DB", str(db))

    return use


def page(name: str, **query: str) -> AppTest:
    """Run a page once through the router (as in the browser, so links between pages resolve),
    with the URL's query parameters."""
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.switch_page(f"views/{name}.py")
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


# expanders whose content is drawn only once opened: their key, or the start of several keys
OPENED_ON_DEMAND = {
    "league": "lt_markdown",
    "conversation": "cv_everyone",
    "report": "rp_section_",
    "practices": "pr_thresholds",
    "webcare": "wc_everyone",
    "peers": "pb_every_metric",
}


def open_on_demand(at: AppTest, name: str) -> AppTest:
    """Open what page `name` draws only when asked (its closed expanders), and run it again."""
    if name in OPENED_ON_DEMAND:
        for key in [k for k in at.session_state if k.startswith(OPENED_ON_DEMAND[name])]:
            at.session_state[key] = True
        at.run()
    return at


def shown(widget) -> list[str]:
    """The option labels a widget shows in the browser: the value the server set, else the
    widget's default (what the browser draws for a widget it has not seen before)."""
    proto = widget.proto
    if proto.set_value:
        values = list(proto.raw_values) if hasattr(proto, "raw_values") else [proto.raw_value]
        return [str(v) for v in values]
    options = [getattr(o, "content", o) for o in proto.options]
    indices = list(proto.default) if not isinstance(proto.default, int) else [proto.default]
    return [options[i] for i in indices]


def texts(at: AppTest) -> str:
    """Every piece of text the page shows in markdown-like elements, joined."""
    parts = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    return "\n".join(parts)


@pytest.fixture(scope="session")
def unfound_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real registry whose first collection found none of its accounts: institutions and
    accounts, a run with errors, no counts."""
    from click.testing import CliRunner

    from finsocial.cli import cli
    from tests.support.collector_fakes import FakeServer, write_registry

    paths = DataPaths.resolve(tmp_path_factory.mktemp("unfound") / "finsocial.duckdb")
    rows = [
        {
            "institution_id": f"bank-{i}",
            "name": f"Bank {i}",
            "kind": "bank",
            "country": "NL",
            "website": f"https://bank{i}.example/",
            "bluesky": f"bank{i}.example",
        }
        for i in (1, 2)
    ]
    write_registry(paths, rows)
    server = FakeServer()
    server.route("/xrpc/app.bsky.actor.getProfiles", {"profiles": []})  # nobody by these handles
    try:
        runner = CliRunner(env={"FINSOCIAL_BLUESKY_API": server.url})
        assert runner.invoke(cli, ["--db", str(paths.db), "init"]).exit_code == 0
        imported = runner.invoke(cli, ["--db", str(paths.db), "registry", "import", str(paths.registry)])
        assert imported.exit_code == 0, imported.output
        runner.invoke(cli, ["--db", str(paths.db), "collect"])  # exits non-zero: nothing collected
    finally:
        server.close()
    return paths.db
