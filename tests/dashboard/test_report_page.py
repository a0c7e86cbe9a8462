"""The dashboard's Monthly report page: the same tables as `finsocial report`, and its files."""

from __future__ import annotations

from dashboard.ui import plain
from tests.dashboard.conftest import page
from tests.states import NIGHT
from warehouse.domain.posts import parse_period
from warehouse.read import queries
from warehouse.read.monthly import Selection, monthly_report


def test_the_page_previews_the_months_report(demo_db, use_db):
    use_db(demo_db)
    at = page("report")
    assert not at.exception, at.exception
    with queries.connect(demo_db) as con:
        report = monthly_report(con, parse_period("2026-10"), Selection())
    assert at.selectbox(key="rp_month").value == "2026-10"  # the last month the demo covers to its end
    # every section listed, the first open: its table and chart drawn, the others' when opened
    assert [e.label for e in at.expander] == [plain(s.title) for s in report.sections]
    first = report.sections[0].tables[0]
    assert [h.value for h in at.subheader][-1] == plain(first.title)
    assert len(at.get("plotly_chart")) == len(report.sections[0].tables)
    followers = at.dataframe[0].value
    assert list(followers["Institution"]) == [row[2] for row in first.cells]
    assert list(followers["Followers"]) == [row[5] for row in first.cells]
    assert any(first.command in c.value for c in at.caption)  # the command that prints the same figures
    assert any("Demo data" in w.value for w in at.warning)
    for section in report.sections:
        at.session_state[f"rp_section_{section.key}"] = True
    at.run()
    assert not at.exception, at.exception
    headings = [h.value for h in at.subheader]
    tables = [t for s in report.sections for t in s.tables]
    for table in tables:
        assert plain(table.title) in headings  # made literal for Markdown
    assert len(at.get("plotly_chart")) == sum(t.chart is not None for t in tables)


def test_the_strategists_edition_on_a_month_not_over(warehouse_state, use_db):
    use_db(warehouse_state("one_institution"))
    at = page("report")
    assert not at.exception, at.exception
    # the state's only night is yesterday: its month, not yet over, is the only one offered
    assert at.selectbox(key="rp_month").options == [f"{NIGHT.year}-{NIGHT.month:02d}"]
    assert any("before the month does" in c.value for c in at.caption)
    at.selectbox(key="rp_institution").select("northwind").run()
    assert not at.exception, at.exception
    assert plain("Northwind Bank against its peers on all platforms") in [h.value for h in at.subheader]
