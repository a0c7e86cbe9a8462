"""The league and peer pages ranked by a mention metric, on the demo and where no search ran."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import page
from tests.test_states import leaks, shown

pytestmark = pytest.mark.timeout(180)


@pytest.mark.parametrize("state", ["first_night", "mentions", "demo"])
@pytest.mark.parametrize("metric", ["share_of_voice", "negative_share"])
def test_league_by_a_mention_metric(warehouse_state, monkeypatch, state, metric):
    monkeypatch.setenv("FINSOCIAL_DB", str(warehouse_state(state)))
    at = page("league", metric=metric)
    assert not at.exception, [e.message for e in at.exception]
    assert not leaks(shown(at)), leaks(shown(at))
    if state == "demo":
        assert at.dataframe, "the demo has mentions to rank"
