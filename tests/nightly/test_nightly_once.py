"""A night reads the registry and works out the collection targets once: collect, then the build."""

from __future__ import annotations

import datetime as dt

import duckdb
from click.testing import CliRunner

from finsocial.cli import cli
from tests.nightly.conftest import HANDLE, REGISTRY, serve_bluesky
from warehouse.inputs import registry, targets
from warehouse.inputs.registry import load_registry
from warehouse.inputs.targets import collection_targets
from warehouse.landing.catalogue import Catalogue
from warehouse.landing.records import Account
from warehouse.landing.runs import LandingRun


def counted(monkeypatch, module, name: str) -> list:
    """Calls of module.name (each call's first argument), the function still doing its work."""
    calls: list = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def discover(paths, iid: str, handle: str) -> LandingRun:
    run = LandingRun(paths.landing, "discover", dt.date(2026, 3, 1))
    run.add(Account(iid, "mastodon", handle, None, found_via="discovered", found_on="https://south.example/"))
    run.commit(stats={"institutions": [iid]})
    return run


def test_a_night_reads_the_registry_and_works_out_the_targets_once(server, paths, cli_env, monkeypatch):
    discover(paths, "southbank", "news@south.example")
    serve_bluesky(server, 1200)
    parsed = counted(monkeypatch, registry, "parse_registry")
    worked_out = counted(monkeypatch, targets, "discovered_accounts")
    # Bluesky only: the discovered Mastodon account is known, not asked (no network in tests)
    result = CliRunner().invoke(cli, ["collect", "--platform", "bluesky"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert parsed == [paths.registry]  # collect's reading served the build too
    assert len(worked_out) == 1
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        # the build after collect had the registry's account and the discovered one
        assert con.execute(
            "SELECT institution_id, platform, handle, found_via FROM accounts ORDER BY ALL"
        ).fetchall() == [
            ("northwind", "bluesky", HANDLE, "registry"),
            ("southbank", "mastodon", "news@south.example", "discovered"),
        ]
        assert con.execute("SELECT followers FROM account_snapshots").fetchall() == [(1200,)]
    finally:
        con.close()


def test_a_registry_saved_again_is_read_again(paths, monkeypatch):
    parsed = counted(monkeypatch, registry, "parse_registry")
    first = load_registry(paths.registry)
    assert load_registry(paths.registry) is first and len(parsed) == 1
    # the same size, written in place at once: the bytes tell it apart, not the file's time
    paths.registry.write_text(REGISTRY.replace("South Bank", "Sud Bank!!"))
    again = load_registry(paths.registry)
    assert len(parsed) == 2 and [i.name for i in again] == ["Northwind Bank", "Sud Bank!!"]
    paths.registry.unlink()
    assert load_registry(paths.registry) == []


def test_targets_are_worked_out_again_after_a_discover_run(paths, monkeypatch):
    worked_out = counted(monkeypatch, targets, "discovered_accounts")
    institutions = load_registry(paths.registry)
    before = collection_targets(institutions, Catalogue.read(paths.landing))
    assert [(t.institution_id, t.platform) for t in before] == [("northwind", "bluesky")]
    assert collection_targets(institutions, paths.landing, {"bluesky"}) == before
    assert collection_targets(institutions, paths.landing, institution_ids={"southbank"}) == []
    assert len(worked_out) == 1
    discover(paths, "southbank", "news@south.example")
    after = collection_targets(institutions, paths.landing)
    assert len(worked_out) == 2
    assert [(t.institution_id, t.platform, t.found_via) for t in after] == [
        ("northwind", "bluesky", "registry"),
        ("southbank", "mastodon", "discovered"),
    ]
    # a registry parsed on its own (not the loaded list) is never mistaken for the loaded one
    assert collection_targets(registry.parse_registry(paths.registry), paths.landing) == after
    assert len(worked_out) == 3
