"""Each page run with AppTest on the demo warehouse and with a hostile name (every page in every
warehouse state: tests/test_states.py)."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from tests.conftest import DEMO_END
from tests.dashboard.conftest import ROOT, SCRIPT_NAME, page, shown, texts

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def demo(demo_db, use_db):
    use_db(demo_db)
    return demo_db


def test_router_runs_the_league_table_by_default(demo):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "League tables"


# ---- league tables ------------------------------------------------------------------------------


def test_league_table_defaults_to_top_ten_by_followers_on_all_platforms(demo):
    at = page("league")
    table = at.dataframe[0].value
    assert len(table) == 10
    assert list(table["Rank"]) == sorted(table["Rank"])
    assert at.selectbox(key="lt_platform").value == "all"
    assert at.selectbox(key="lt_metric").value == "followers"
    assert at.date_input(key="lt_as_of").value == DEMO_END
    assert f"Top 10 by Followers on all platforms · as of {DEMO_END.isoformat()}" in texts(at)


def test_league_table_reads_its_state_from_the_url(demo):
    at = page("league", platform="x", metric="engagement_rate", country="NL", n="5")
    assert not at.exception
    assert at.selectbox(key="lt_platform").value == "x"
    assert at.selectbox(key="lt_metric").value == "engagement_rate"
    assert at.selectbox(key="lt_country").value == "NL"
    table = at.dataframe[0].value
    assert 0 < len(table) <= 5
    assert set(table["Country"]) == {"NL"}
    assert all(v.endswith("%") for v in table["Engagement rate (%)"] if v != "–")
    # the heading names every filter and the day: a screenshot is never mislabelled
    assert "Top 5 by Engagement rate (%) on X · NL · at least 1,000 followers · as of " in texts(at)


def test_league_table_writes_its_state_to_the_url(demo):
    at = page("league")
    at.selectbox(key="lt_platform").set_value("youtube").run()
    at.selectbox(key="lt_n").set_value(20).run()
    at.selectbox(key="lt_kind").set_value("insurer").run()
    assert not at.exception
    params = dict(at.query_params)
    assert params["platform"] in ("youtube", ["youtube"])
    assert params["n"] in ("20", ["20"])
    assert params["kind"] in ("insurer", ["insurer"])
    assert "country" not in params  # "all countries" stays out of the link
    assert set(at.dataframe[0].value["Kind"]) == {"Insurer"}


def test_league_table_ignores_nonsense_in_the_url(demo):
    at = page("league", platform="myspace", metric="DROP TABLE", n="-3", as_of="1999-01-01")
    assert not at.exception
    assert at.selectbox(key="lt_platform").value == "all"
    assert at.selectbox(key="lt_metric").value == "followers"
    assert at.date_input(key="lt_as_of").value == DEMO_END
    assert len(at.dataframe[0].value) == 10


def test_league_table_as_of_an_earlier_day(demo):
    at = page("league", as_of="2026-06-30", platform="facebook")
    assert at.date_input(key="lt_as_of").value.isoformat() == "2026-06-30"
    assert "2026-06-30" in texts(at)


def test_league_table_explains_a_selection_without_values(demo):
    # LinkedIn counts come in by hand without posts: no engagement to rank by
    at = page("league", platform="linkedin", metric="engagement_rate")
    assert not at.exception
    assert not at.dataframe
    assert any("Engagement needs posts" in i.value for i in at.info)


def test_league_table_by_a_count_and_a_refused_sum(demo):
    at = page("league", platform="youtube", metric="views_total")
    assert not at.exception and at.dataframe
    at = page("league", platform="all", metric="views_total")
    assert not at.exception and not at.dataframe
    assert any("No league table by Views on All platforms" in i.value for i in at.info)
    at = page("league", platform="x", metric="growth_90d_pct")
    assert not at.exception


def test_methodology_names_the_formula_in_force(demo):
    at = page("methodology")
    assert "In force: **default**" in texts(at)
    terms = at.dataframe[-1].value
    assert ("YouTube", "1 point per 15,000 views_total") in zip(
        terms["Platform"], terms["Points"], strict=True
    )


def test_league_table_offers_csv_and_markdown(demo):
    at = page("league")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download PNG", "Download CSV", "Download Markdown"]
    assert not at.code  # the Markdown is drawn when its expander is opened
    at.session_state["lt_markdown"] = True
    markdown = at.run().code[0].value
    assert markdown.startswith("### Top 10 by Followers on all platforms")
    assert "| Rank | Move | Institution |" in markdown
    assert "Demo data" in markdown


# ---- the other pages ----------------------------------------------------------------------------


def test_engagement_highlights_an_institution_and_lists_over_and_under_performers(demo):
    at = page("engagement")
    assert at.selectbox(key="ea_platform").value == "facebook"
    above, below = at.dataframe[0].value, at.dataframe[1].value
    assert len(above) == 5 and len(below) == 5

    def ratio(text: str) -> float:
        return float(text.rstrip("×"))

    assert min(map(ratio, above["Against expected"])) > max(map(ratio, below["Against expected"]))
    highlight = at.selectbox(key="ea_highlight")
    assert highlight.value == ""  # no institution highlighted at first
    at.selectbox(key="ea_highlight").set_value("brildora-assurance").run()
    assert not at.exception
    traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    marked = [t for t in traces if t.get("mode") == "markers+text"]
    assert [t["name"] for t in marked] == ["Brildora Assurance"]


def test_engagement_explains_a_platform_without_posts(demo):
    at = page("engagement")
    at.selectbox(key="ea_platform").set_value("linkedin").run()
    assert not at.exception
    assert any("too few to compare" in i.value for i in at.info)


def test_peer_benchmark_from_the_url_and_hand_picked_peers(demo):
    from warehouse.read import queries

    with queries.connect(demo) as con:
        ids = queries.institutions(con)["institution_id"].tolist()
    at = page("peers", institution=ids[3])
    assert at.selectbox(key="pb_institution").value == ids[3]
    assert "against" in at.subheader[0].value
    at.radio(key="pb_mode").set_value("picked").run()
    assert any("No peers" in i.value for i in at.info)
    at.multiselect(key="pb_picked").set_value(ids[:3]).run()
    assert not at.exception
    assert "against 3 peers" in at.subheader[0].value
    table = at.dataframe[0].value
    assert {"Peer median", "Top quartile", "Leader", "Percentile", "Gap to median"} <= set(table)


def test_profile_shows_accounts_history_rhythm_and_top_posts(demo):
    at = page("profile", institution="brildora-assurance")
    assert not at.exception
    assert at.header[0].value == "Brildora Assurance"
    accounts = at.dataframe[0].value
    assert len(accounts) >= 3 and "Handle" in accounts
    assert len(at.get("plotly_chart")) == 2
    assert len(at.tabs) == 3
    assert at.query_params["institution"] in ("brildora-assurance", ["brildora-assurance"])


def test_trends_compares_the_five_largest_by_default(demo):
    at = page("trends")
    assert not at.exception
    assert len(at.multiselect[0].value) == 5
    assert len(at.get("plotly_chart")) == 3
    at.selectbox(key="tr_metric").set_value("growth_30d_pct").run()
    assert not at.exception


def test_data_health_shows_freshness_runs_failures_and_anomalies(demo):
    at = page("health")
    assert not at.exception
    fresh = at.dataframe[0].value
    assert set(fresh["Platform"]) >= {"Facebook", "YouTube", "LinkedIn"}
    assert "Rounded" in texts(at)  # YouTube's rounded counts are called out
    assert "Last run" in texts(at)


def test_methodology_lists_every_metric(demo):
    from warehouse.domain.metrics import METRICS

    at = page("methodology")
    body = texts(at)
    for metric in METRICS.values():
        assert metric.label in body
    assert "Rival IQ" in body and "0.040%" in body  # the demo's calibration and its reference


# Every page in every warehouse state (no file, empty, first night, demo, ...): tests/test_states.py.


# ---- names from outside -------------------------------------------------------------------------


def test_a_script_name_is_shown_as_text(script_db, use_db):
    use_db(script_db)
    at = page("league")
    assert not at.exception
    assert SCRIPT_NAME in at.dataframe[0].value["Institution"].tolist()
    at.session_state["lt_markdown"] = True  # open the Markdown for a blog post
    assert SCRIPT_NAME in at.run().code[0].value  # the Markdown keeps it as typed
    chart = at.get("plotly_chart")[0].proto.spec
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert all(not getattr(m.proto, "allow_html", False) for m in at.markdown)

    at = page("profile", institution=_first_id(script_db))
    assert not at.exception
    assert at.header[0].value == r"\<script\>alert\('x'\)\</script\> Bank"  # Markdown-escaped


def _first_id(db) -> str:
    from warehouse.read import queries

    with queries.connect(db) as con:
        frame = queries.institutions(con)
    return frame.loc[frame["name"].str.startswith("<script>"), "institution_id"].iloc[0]


# ---- what a widget shows is what the page shows ---------------------------------------------------


def test_peer_benchmark_metric_control_always_shows_the_metric_on_display(demo):
    at = page("peers")

    def agrees(step: str) -> None:
        assert not at.exception, (step, [e.message for e in at.exception])
        label = shown(at.get("button_group")[0])
        table = at.dataframe[0].value
        assert label == [ui_metric(table)], (step, label, ui_metric(table))

    agrees("start")
    at.get("button_group")[0].set_value("engagement_rate").run()
    agrees("metric → engagement rate")
    # hand-picked with nobody picked stops the page before the Metric control is drawn
    at.radio(key="pb_mode").set_value("picked").run()
    assert not at.get("button_group")
    at.radio(key="pb_mode").set_value("country").run()
    agrees("peers → same country")  # the bug: the control fell back to Followers
    assert shown(at.radio(key="pb_mode")) == ["Same country"]
    at.radio(key="pb_mode").set_value("kind").run()
    agrees("peers → same kind")
    at.selectbox(key="pb_institution").set_value("brildora-assurance").run()
    agrees("another institution")
    assert shown(at.selectbox(key="pb_institution")) == ["Brildora Assurance"]
    at.get("button_group")[0].set_value(None).run()  # a click on the chosen button deselects it
    agrees("metric deselected")
    at.date_input(key="pb_as_of").set_value(DEMO_END - dt.timedelta(days=60)).run()
    agrees("an earlier day")


def ui_metric(table) -> str:
    """The metric the peer table shows (its hidden Metric column holds one label)."""
    labels = set(table["Metric"])
    assert len(labels) == 1, labels
    return labels.pop()


# ---- "my institution" is chosen once and carried by every page ---------------------------------


def param(at, name: str) -> str | None:
    value = dict(at.query_params).get(name)
    return value[0] if isinstance(value, list) else value


def go(at, name: str):
    """Switch page as the sidebar does: the browser starts the new page with a bare address."""
    for key in list(at.query_params):
        del at.query_params[key]
    at.switch_page(f"views/{name}.py")
    return at.run()


def test_my_institution_is_chosen_once_and_carried_by_every_page(demo):
    me, name = "brildora-assurance", "Brildora Assurance"
    at = page("profile", institution=me)
    assert not at.exception
    links = {link.proto.label: link.proto for link in at.get("page_link")}
    to_peers = links[f"Peer benchmark of {name}"]
    assert to_peers.page.endswith("peers") and "institution=brildora-assurance" in to_peers.query_string

    go(at, "league")
    assert not at.exception and param(at, "institution") == me
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    bold = [label for label in chart["y"] if label.startswith("<b>")]
    assert len(bold) == 1 and name in bold[0]
    assert chart["marker"]["color"][chart["y"].index(bold[0])] == "#D62728"

    go(at, "engagement")
    assert param(at, "institution") == me
    assert shown(at.selectbox(key="ea_highlight")) == [name]
    traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert [t["name"] for t in traces if t.get("mode") == "markers+text"] == [name]

    go(at, "peers")
    assert param(at, "institution") == me
    assert shown(at.selectbox(key="pb_institution")) == [name]
    assert at.subheader[0].value.startswith(name)
    back = {link.proto.label: link.proto for link in at.get("page_link")}[f"Profile of {name}"]
    assert back.page.endswith("profile") and "institution=brildora-assurance" in back.query_string

    go(at, "trends")
    assert param(at, "institution") == me
    assert me in at.multiselect[0].value

    # choosing another one on any page makes it everyone's
    go(at, "peers")
    at.selectbox(key="pb_institution").set_value("ostfjord-bank").run()
    assert param(at, "institution") == "ostfjord-bank"
    go(at, "profile")
    assert at.header[0].value == "Ostfjord Bank"
    go(at, "engagement")
    at.selectbox(key="ea_highlight").set_value("").run()  # "No institution" clears the choice
    assert param(at, "institution") is None


# ---- a registry without data --------------------------------------------------------------------


def test_profile_lists_the_registry_and_its_accounts_before_any_count(unfound_db, use_db):
    use_db(unfound_db)
    at = page("profile")
    assert not at.exception, [e.message for e in at.exception]
    accounts, registry = at.dataframe[0].value, at.dataframe[1].value
    assert list(accounts["Handle"]) == ["bank1.example"] and list(accounts["Status, found via"]) == [
        "not_found · registry"
    ]
    assert list(registry["Institution"]) == ["Bank 1", "Bank 2"]
    assert "not found" in texts(at)  # why: the last run's errors


@pytest.mark.parametrize("name", ["league", "engagement", "peers", "trends"])
def test_benchmark_pages_without_counts_link_to_the_last_runs_errors(unfound_db, use_db, name):
    use_db(unfound_db)
    at = page(name)
    assert not at.exception, [e.message for e in at.exception]
    info = texts(at)
    assert "No counts yet" in info
    assert "Bluesky: 2 not found (no bluesky account 'bank1.example')" in info.replace("\\", "")
    [link] = at.get("page_link")
    assert link.proto.page.endswith("health")


def test_trends_puts_audiences_far_apart_on_a_log_axis(demo):
    at = page("trends")

    def followers_chart() -> dict:
        return json.loads(at.get("plotly_chart")[0].proto.spec)

    assert followers_chart()["layout"]["yaxis"]["type"] == "linear"  # the five largest: alike
    at.selectbox(key="tr_country").set_value("NL").run()
    assert not at.exception
    chart = followers_chart()
    assert at.toggle[0].value is True and chart["layout"]["yaxis"]["type"] == "log"
    ticks = chart["layout"]["yaxis"]["tickvals"]
    assert all(round(t / 10 ** math.floor(math.log10(t)), 6) in (1, 2, 5) for t in ticks)
    at.toggle[0].set_value(False).run()  # the reader can still ask for a linear axis
    assert followers_chart()["layout"]["yaxis"]["type"] == "linear"


# ---- webcare ------------------------------------------------------------------------------------


def test_webcare_page_shows_answered_share_reply_times_and_the_unanswered(demo):
    at = page("webcare")
    assert not at.exception, [e.message for e in at.exception]
    charts_ = at.get("plotly_chart")
    assert len(charts_) == 3  # the scatter, the distribution against peers, the unanswered
    at.selectbox(key="wc_platform").set_value("x").run()
    assert not at.exception
    scatter = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert scatter["layout"]["shapes"], "the X target line is missing"
    assert "target 15 min" in json.dumps(scatter)
    at.session_state["wc_everyone"] = True  # the table of every institution, opened
    body = texts(at.run())
    assert "lower is better" in body and "Instagram lists no comments" in body
    assert "The dashed line is X's target (15 min;" in body


def test_webcare_on_all_platforms_promises_no_line_it_does_not_draw(demo):
    at = page("webcare")
    scatter = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert not scatter["layout"].get("shapes")
    assert "all platforms together have no line" in texts(at) and "The dashed line" not in texts(at)


def test_webcare_reply_times_follow_the_pages_institution(demo):
    from warehouse.read import queries

    with queries.connect(demo) as con:
        frame = queries.webcare_overview(con, "all", DEMO_END, None, None, None)
    answering = sorted(frame.dropna(subset=["reply_time_median"])["institution_id"])
    # an institution chosen on another page (kept in the address), not the picker's first choice
    mine = answering[-1]
    at = page("webcare", institution=mine)
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="wc_institution").value == mine


def test_peers_offers_only_the_metrics_the_peer_benchmark_computes():
    # the peer query unpivots a fixed set of columns: a metric outside it drew "No values"
    import re

    from warehouse.read.queries import PEER_METRICS, query_sql

    unpivoted = re.search(r"ON (.*?)\s+INTO NAME", query_sql("peer_values"), re.S).group(1)
    assert [m.strip() for m in unpivoted.split(",")] == list(PEER_METRICS)
