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


def test_the_conversation_of_a_peer_set_is_its_institutions(warehouse_state, monkeypatch):
    monkeypatch.setenv("FINSOCIAL_DB", str(warehouse_state("mentions")))
    everyone = page("conversation")
    at = page("conversation", peers="northwind-south")
    for shown_page in (everyone, at):
        shown_page.session_state["cv_everyone"] = True  # the table of every institution, opened
        shown_page.run()
        assert not shown_page.exception, [e.message for e in shown_page.exception]
    (heading,) = [s.value for s in at.subheader if s.value.startswith("Share of voice")]
    assert heading.endswith(" · peer set northwind-south")
    table = at.dataframe[-1].value  # every institution of the selection: the set's two
    assert list(table["Institution"]) == ["Northwind Bank", "South Bank"]
    assert list(table["Share of voice (%)"]) == ["100.00%", "0.00%"]
    assert "Cedar Credit Union" in list(everyone.dataframe[-1].value["Institution"])
