"""import-counts of a published table, build --weights, and `top` by a count or a formula, as a user types them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from finsocial.cli import cli
from tests.warehouse.conftest import REGISTRY

TABLE = """institution_id,name,platform,date,followers,posts_total,likes_total,views_total
alpha-bank,Alpha Bank,facebook,2026-09-30,,,"733,800",
alpha-bank,Alpha Bank,youtube,2026-09-30,"12,400",,,4.3M
bravo-ins,Bravo,youtube,2026-09-30,,,,"4,300,000"
bravo-ins,Bravo,facebook,2026-09-30,,,"96,000",
"""


def test_a_published_table_through_the_command_line(tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text(REGISTRY)
    table = tmp_path / "q3.csv"
    table.write_text(TABLE)
    db = ["--db", str(tmp_path / "data" / "finsocial.duckdb")]
    runner = CliRunner()
    assert runner.invoke(cli, [*db, "registry", "import", str(registry)]).exit_code == 0
    result = runner.invoke(cli, [*db, "import-counts", str(table), "--weights", "power100"])
    assert result.exit_code == 0, result.output
    assert "imported 4 counts" in result.output
    assert (
        "row 4, column name: 'Bravo' differs from bravo-ins's registry name 'Bravo Insurance' (also rows 5)"
        in (result.output)
    )

    def top(*args: str) -> list[dict]:
        result = runner.invoke(cli, [*db, "top", "--as-of", "2026-09-30", "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    views = top("--platform", "youtube", "--metric", "views_total")
    assert [(r["rank"], r["institution_id"], r["value"]) for r in views] == [
        (1, "alpha-bank", 4_300_000),
        (1, "bravo-ins", 4_300_000),
    ]
    # 733,800/1,500 + 4,300,000/15,000 + 12,400/50 = 489.2 + 286.67 + 248 = 1,023.87
    power = top("--platform", "all", "--metric", "power_score")
    assert round(power[0]["value"], 2) == 1023.87
    markdown = runner.invoke(
        cli, [*db, "top", "--platform", "all", "--metric", "power_score", "--format", "markdown"]
    )
    assert "Power score formula: power100" in markdown.output

    refused = runner.invoke(cli, [*db, "top", "--platform", "all", "--metric", "views_total"])
    assert refused.exit_code == 1
    assert "no league table by views_total on all platforms" in refused.output

    # the formula stays in force for later builds, until another is set
    assert runner.invoke(cli, [*db, "build"]).exit_code == 0
    assert top("--platform", "all", "--metric", "power_score")[0]["value"] == power[0]["value"]
    bad = tmp_path / "weights.csv"
    bad.write_text("platform,measure,units_per_point\nx,karma,10\n")
    result = runner.invoke(cli, [*db, "build", "--weights", str(bad)])
    assert result.exit_code == 1 and "row 2, column measure: 'karma'" in result.output
    assert runner.invoke(cli, [*db, "build", "--weights", "default"]).exit_code == 0
    # default: 4,300,000 / 15,000 on YouTube views; Facebook counts followers, which the table lacks
    assert round(top("--platform", "all", "--metric", "power_score")[0]["value"], 2) == 286.67
