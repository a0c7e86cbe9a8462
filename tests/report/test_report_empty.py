"""finsocial report for a selection that holds no institution, though each of its filters does or
the kind is a known one: a clear error naming the selection, exit 1, no files written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.states import NIGHT

MONTH = f"{NIGHT.year}-{NIGHT.month:02d}"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--kind", "insurer"], "no institution in the selection (Insurer)"),  # the registry has none
        (
            ["--country", "GB", "--kind", "credit_union"],
            "no institution in the selection (GB · Credit union)",
        ),
    ],
)
def test_a_selection_without_institutions(warehouse_state, tmp_path, args, said):
    db = warehouse_state("one_platform")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["--db", str(db), "report", "--period", MONTH, *args, "--output", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert f"error: {said}" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())
