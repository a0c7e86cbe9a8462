"""End to end: a registry on all six platforms, served locally, through `finsocial collect` and `top`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from finsocial.cli import cli
from tests.collectors.test_run import NORTHWIND, serve_all
from tests.support.collector_fakes import write_registry


def test_collect_then_top_ranks_the_collected_numbers(server, env, paths, monkeypatch):
    serve_all(server)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    south = {
        "institution_id": "southbank",
        "name": "South Bank",
        "kind": "bank",
        "country": "GB",
        "website": "https://south.example/",
        "bluesky": "southbank.example",
    }
    write_registry(paths, [NORTHWIND, south])
    server.route(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        {"feed": []},
        when=lambda q: q["actor"].startswith("did:plc:southbank"),
    )
    server.routes.insert(0, server.routes.pop())  # before the catch-all feed route
    runner = CliRunner()
    db = str(paths.db)
    result = runner.invoke(cli, ["--db", db, "collect"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    top = runner.invoke(
        cli,
        ["--db", db, "top", "--platform", "bluesky", "--metric", "followers", "--format", "json"],
    )
    assert top.exit_code == 0, top.output
    rows = json.loads(top.stdout)
    assert [(r["institution_id"], r["value"]) for r in rows] == [
        ("northwind", 12840),
        ("southbank", 980),
    ]
    top_x = runner.invoke(
        cli,
        ["--db", db, "top", "--platform", "youtube", "--metric", "followers", "--format", "json"],
    )
    assert json.loads(top_x.stdout)[0]["value"] == 125000
