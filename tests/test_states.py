"""Every dashboard page and the CLI's `top`, `status` and exports in every warehouse state a real
installation passes through (tests/states.py): no exception, no "None", "NaT" or "nan" shown, and
a message that says what is missing."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import PAGES, open_on_demand, page
from tests.states import GONE_SET, NIGHT, STATE_NAMES, STATES

pytestmark = pytest.mark.timeout(180)

# How a missing value looks when it slips through: Python's, pandas' and NumPy's spellings.
LEAKED = re.compile(r"\b(None|NaT|nan|NaN)\b|<NA>")
BY_NAME = {s.name: s for s in STATES}
# The demo's pages first: make test gives this file and test_states_commands.py (which asks for the
# demo last) a worker each at the start, so one builds the demo while the other works through the
# small states, instead of one waiting some 18 s for the other's build
DEMO_FIRST = sorted(STATE_NAMES, key=lambda name: name != "demo")


def shown(at: AppTest) -> list[str]:
    """Every piece of text a reader sees on the page, table cells included."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "caption",
        "markdown",
        "info",
        "warning",
        "error",
        "success",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value} {m.delta}" for m in at.metric]
    parts += [str(c.value) for c in at.code]
    parts += [t.label for t in at.tabs] + [e.label for e in at.expander]
    for widget in (*at.selectbox, *at.multiselect, *at.radio):
        parts += [widget.label, *map(str, widget.options)]
    for table in at.dataframe:
        frame = table.value
        # Streamlit draws a missing cell as a grey "None" unless the table sets a placeholder
        placeholder = table.proto.placeholder or "None"
        parts += list(map(str, frame.columns))
        parts += [
            placeholder if missing else str(v)
            for v, missing in zip(frame.to_numpy().ravel(), frame.isna().to_numpy().ravel(), strict=True)
        ]
    return parts


def leaks(parts: list[str]) -> list[str]:
    return [p for p in parts if LEAKED.search(p)]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("state", DEMO_FIRST)
def test_every_page_in_every_state(warehouse_state, monkeypatch, state, name):
    monkeypatch.setenv("FINSOCIAL_DB", str(warehouse_state(state)))
    at = page(name, **BY_NAME[state].notes.get("query", {}))
    open_on_demand(at, name)  # what a page draws only when asked is read too
    assert not at.exception, [e.message for e in at.exception]
    parts = shown(at)
    assert not leaks(parts), leaks(parts)
    banner = any("fictional" in w.value for w in at.warning)
    assert banner == (state == "demo"), "the demo banner belongs on the demo and only there"
    if state == "demo":
        assert at.title[0].value
    expect = BY_NAME[state].expect
    if expect and name != "methodology":
        assert any(expect in p for p in parts), f"{state}/{name} does not say {expect!r}"
    if BY_NAME[state].counts and name in ("league", "health"):
        assert at.dataframe, f"{state}/{name} shows no table"
    if state == "peer_set" and name in PEER_SET_PAGES:  # the set from the address, named in headings
        (picker,) = [s for s in at.selectbox if s.label == "Peer set"]
        assert picker.value == "northwind-peers"
        headings = [s.value for s in at.subheader if " · " in s.value]
        assert all("peer set northwind\\-peers" in h or "peer set northwind-peers" in h for h in headings), (
            headings
        )
    if state == "peer_set" and name == "league":
        assert any("peer set northwind-peers" in p for p in parts), parts
    if state == "two_nights" and name == "league":  # Northwind's Mastodon failed the second night
        assert "1 of 2 accounts without data" in parts, parts
    if name == "top_posts" and BY_NAME[state].counts and at.selectbox:
        # a ranking by a rate states its minimum audience, on whatever the period holds
        at.selectbox(key="tp_by").set_value("engagement_rate").run()
        assert not at.exception, [e.message for e in at.exception]
        assert at.number_input(key="tp_min_followers").value == 1000
        ranked = [p for p in shown(at) if p.startswith("Top ") and " posts by " in p]
        assert all("accounts with at least 1,000 followers" in p for p in ranked), ranked
    if name == "top_posts" and BY_NAME[state].counts and at.selectbox:
        # the period defaults to the last complete month, the current one offered "(so far)"
        which = at.selectbox(key="tp_period_month")
        assert which.value.end <= NIGHT.date(), which.value


# the pages with a Peer set box that draw it on the first night (Conversation draws it once a mention
# search ran; the Peer benchmark picks its own)
PEER_SET_PAGES = ["league", "engagement", "top_posts", "trends", "webcare", "practices", "report", "peers"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_on_a_peer_set_naming_an_institution_gone_from_the_registry(
    warehouse_state, monkeypatch, name
):
    monkeypatch.setenv("FINSOCIAL_DB", str(warehouse_state("peer_set")))
    at = page(name, peers=GONE_SET)
    assert not at.exception, [e.message for e in at.exception]
    assert not leaks(shown(at)), leaks(shown(at))
    if name in PEER_SET_PAGES:
        warned = [w.value.replace("\\", "") for w in at.warning]
        assert any("oldbank is no longer in the registry, so left out" in w for w in warned), warned


def test_every_table_on_every_page_draws_a_missing_cell_as_a_dash():
    # a state may not reach every table's missing cells, so the pages' source is checked too
    import ast
    from pathlib import Path

    pages = Path(__file__).resolve().parents[1] / "dashboard" / "views"
    bare = []
    for script in sorted(pages.glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("dataframe", "data_editor")
                and "placeholder" not in {k.arg for k in node.keywords}
            ):
                bare.append(f"{script.name}:{node.lineno}")
    assert not bare, f"st.dataframe without placeholder=ui.MISSING at {bare}"
