"""`finsocial storms` and the mention metrics in every warehouse state (tests/states.py): a
message that names the next step where no search ran, rows on the demo."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.states import STATE_NAMES
from tests.test_states_commands import no_leaks

pytestmark = pytest.mark.timeout(180)


@pytest.mark.parametrize("state", STATE_NAMES)
def test_storms_in_every_state(warehouse_state, state):
    db = warehouse_state(state)
    for fmt in ("table", "csv", "json"):
        result = CliRunner().invoke(cli, ["--db", str(db), "storms", "--format", fmt])
        assert not isinstance(result.exception, (TypeError, ValueError, AttributeError)), result.exception
        no_leaks(result.output)
        if state == "no_file":
            assert result.exit_code == 1 and "finsocial init" in result.output
        elif state == "mentions":
            # one night searched: no baseline to judge a storm by
            assert result.exit_code == 0 and "no storms" in result.output, result.output
        elif state != "demo":
            # no search ever ran (no source has credentials in these states): say how to turn one on
            assert result.exit_code == 1, result.output
            assert "FINSOCIAL_BLUESKY_APP_PASSWORD" in result.output
        else:
            assert result.exit_code == 0, result.output
    if state == "demo":
        result = CliRunner().invoke(cli, ["--db", str(db), "storms", "--format", "json"])
        rows = json.loads(result.output)
        # the demo's outage days: mostly negative, about the outage
        assert rows and all(r["demo"] for r in rows)
        assert any(r["top_theme"] == "outage" and r["negative_share"] > 50 for r in rows)


def test_a_night_with_search_on_counts_mentions_and_zeros(warehouse_state):
    """Northwind was named twice (a loose match dropped), the others not at all: 0, not NULL."""
    db = warehouse_state("mentions")

    def top(metric: str) -> dict:
        result = CliRunner().invoke(
            cli, ["--db", str(db), "top", "--platform", "bluesky", "--metric", metric, "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        return {r["institution_id"]: r["value"] for r in json.loads(result.output)}

    assert top("mentions") == {"northwind": 2, "southbank": 0, "cedar": 0}
    assert top("share_of_voice") == {"northwind": 100.0, "southbank": 0.0, "cedar": 0.0}
    assert top("negative_share") == {"northwind": 50.0, "southbank": None, "cedar": None}
