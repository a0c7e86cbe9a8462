"""The command line: every command documents itself, and `top` prints each format correctly."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.warehouse.conftest import REGISTRY, land, post, snap

README = Path(__file__).parents[1] / "README.md"


def all_commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in all_commands()], ids=" ".join)
def test_every_command_has_help_and_a_readme_section(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = dict(all_commands())[path]
    assert command.help and command.help.strip(), f"{' '.join(path)} has no help"
    # the README has a section whose heading names the command
    assert re.search(rf"^#+ .*`finsocial {' '.join(path)}\b", README.read_text(), re.M), path


@pytest.fixture
def db(tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text(REGISTRY.replace("Echo Credit Union", "Echo | <b>Union</b>"))
    db = tmp_path / "data" / "finsocial.duckdb"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), "registry", "import", str(registry)])
    assert result.exit_code == 0, result.output
    from warehouse.infra.paths import DataPaths

    paths = DataPaths(db)
    land(
        paths,
        [
            snap("alpha-bank", "x", "alpha", "2026-03-01", 800),
            snap("alpha-bank", "x", "alpha", "2026-03-31", 1000),
            snap("charlie-bank", "x", "charlie", "2026-03-31", 5000),
            snap("echo-cu", "x", "echo", "2026-03-31", 300),
            post("alpha-bank", "x", "alpha", "p1", "2026-03-30", likes=10),
        ],
    )
    assert runner.invoke(cli, ["--db", str(db), "build"]).exit_code == 0
    return db


def top(db, *args) -> str:
    result = CliRunner().invoke(
        cli, ["--db", str(db), "top", "--platform", "x", "--metric", "followers", *args]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_top_json_is_an_array_in_rank_order(db):
    rows = json.loads(top(db, "--format", "json"))
    assert [r["institution_id"] for r in rows] == ["charlie-bank", "alpha-bank", "echo-cu"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    for key in ("rank", "institution_id", "name", "country", "kind", "platform", "metric", "value"):
        assert key in rows[0]
    assert rows[0] | {"as_of": "2026-03-31", "platform": "x", "metric": "followers", "value": 5000} == rows[0]


def test_top_csv_and_filters(db):
    rows = list(csv.DictReader(io.StringIO(top(db, "--format", "csv", "--country", "nl"))))
    assert [(r["rank"], r["institution_id"], r["value"]) for r in rows] == [
        ("1", "alpha-bank", "1000"),
        ("2", "echo-cu", "300"),
    ]


def test_top_markdown_is_ready_to_paste(db):
    text = top(db, "--format", "markdown", "--limit", "3")
    assert "As of 2026-03-31" in text and "Source: finsocial" in text
    assert "| 1 | new | Charlie Bank | GB | Bank | 5.00K |" in text  # kinds read as on the dashboard
    assert r"Echo \| <b>Union</b>" in text  # a pipe in a name does not break the table
    assert "Demo data" not in text


def test_top_as_of_a_day_without_data(db):
    result = CliRunner().invoke(
        cli, ["--db", str(db), "top", "--platform", "youtube", "--metric", "followers"]
    )
    assert result.exit_code == 1 and "no data for YouTube" in result.output


def test_top_without_a_warehouse(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["--db", str(tmp_path / "none.duckdb"), "top", "--platform", "x", "--metric", "followers"],
    )
    assert result.exit_code == 1 and "finsocial init" in result.output


def test_registry_import_rejects_a_bad_file_whole(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(REGISTRY + "foxtrot,Foxtrot,bank,ZZ,https://f.example/,,,,\n")
    result = CliRunner().invoke(cli, ["--db", str(db), "registry", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, row 7, column country" in result.output
    exported = CliRunner().invoke(cli, ["--db", str(db), "registry", "export", "-"]).stdout
    assert "foxtrot" not in exported and "alpha-bank" in exported


def test_status_shows_freshness_and_exits_non_zero_when_stale(db):
    result = CliRunner().invoke(cli, ["--db", str(db), "status"])
    assert result.exit_code == 0 and "x" in result.stdout
    stale = CliRunner().invoke(cli, ["--db", str(db), "status", "--max-age", "1"])
    assert stale.exit_code == 1  # the fixture's counts were collected long ago


def test_demo_top_ten(tmp_path):
    db = tmp_path / "demo" / "finsocial.duckdb"
    result = CliRunner().invoke(
        cli, ["--db", str(db), "demo", "--no-serve", "--days", "60", "--end-date", "2026-11-21"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(top(db, "--format", "json", "--limit", "10").strip() or "[]")
    assert len(rows) == 10
    values = [r["value"] for r in rows]
    assert values == sorted(values, reverse=True)
    assert "Demo data" in top(db, "--format", "markdown")


HEAVY = ("pandas", "rich", "requests", "plotly", "streamlit", "collectors")
SHOW_LOADED = (
    "import sys; from finsocial.cli import main\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
)


def test_the_command_line_loads_only_what_a_command_needs(db):
    """`top --format json` pays for DuckDB only: no pandas, rich, requests or collectors (issue 15)."""
    import subprocess
    import sys

    def loaded(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", SHOW_LOADED, *args], capture_output=True, text=True)
        return done.stderr.strip().splitlines()[-1]

    assert loaded("--help") == "[]"
    top_json = ["top", "--db", str(db), "--platform", "x", "--metric", "followers", "--format", "json"]
    assert loaded(*top_json) == "[]"
    assert loaded("top", "--db", str(db), "--platform", "x", "--metric", "followers") == "[]"  # piped table
    assert loaded("status", "--db", str(db)) == "['pandas']"  # status reads frames; speed is not its goal
