"""Monthly report: the month's report for the selection, previewed, with its files to download."""

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from dashboard import data, ui
from dashboard.charts import TEMPLATE
from publish import charts
from publish.documents import PublishError, write_report
from warehouse.domain.posts import parse_period
from warehouse.read.monthly import ReportError, Selection, last_complete_month
from warehouse.read.report import DEMO_LINE, SOURCE_LINE

wh = ui.page(
    "Monthly report",
    "The month's report, ready to publish: the largest audiences, growth and engagement per "
    "platform, the top posts, the webcare leaders and the posts that drew an unusual reaction; "
    "or, for your own institution, where it leads and lags its peers. The same report as "
    "`finsocial report`, as Markdown with its charts, HTML or an A4 PDF.",
)
options = wh.options
default = last_complete_month(wh.last_day)
months = []
day = wh.last_day
while day >= wh.first_day.replace(day=1) and len(months) < 24:
    months.append(f"{day.year}-{day.month:02d}")
    day = day.replace(day=1) - dt.timedelta(days=1)
c = st.columns([1, 1, 1, 1, 1.6])
month = c[0].selectbox(
    "Month",
    months,
    index=months.index(default.label) if default.label in months else 0,
    key="rp_month",
)
country, kind, group = ui.population_filters(c[1:4], options, "rp")
names = data.institution_names()
mine = c[4].selectbox(
    "Edition",
    [None, *names],
    key="rp_institution",
    format_func=lambda v: "Blogger's: the whole selection" if v is None else f"Strategist's: {names[v]}",
)

# a saved peer set as the selection, as `finsocial report --peers NAME` takes it
peer_set = ui.peer_set_picker(st.columns([3, 2])[0], "rp_peers", names)
selection = Selection(
    country,
    kind,
    group,
    mine,
    peer_set.name if peer_set is not None else None,
    tuple(peer_set.resolve(names)[0]) if peer_set is not None else None,
)
try:
    report = data.monthly_report(parse_period(month), selection)
except ReportError as exc:
    ui.explain(str(exc))
    ui.footer(wh)
    st.stop()

st.subheader(ui.plain(report.title), anchor=False)
st.caption(
    f"{report.period.start.isoformat()} to {report.period.end.isoformat()} · as of {report.as_of.isoformat()} "
    f"· movement against {report.previous.isoformat()}"
    + (
        f" · the data ends on {report.as_of.isoformat()}, before the month does"
        if report.as_of < report.period.end
        else ""
    )
)

# ---- the files ------------------------------------------------------------------------------------
FORMATS = {"markdown": "Markdown and charts (zip)", "html": "HTML (one file)", "pdf": "PDF (A4)"}
chosen = st.segmented_control("Files", list(FORMATS), format_func=FORMATS.get, key="rp_format")
if chosen and st.button("Prepare the file", key="rp_prepare"):
    with st.spinner("Drawing the charts (about a second each)…"), tempfile.TemporaryDirectory() as tmp:
        try:
            written = write_report(report, Path(tmp), (chosen,))
        except PublishError as exc:
            st.error(str(exc), icon=":material/error:")
            written = []
        if written and chosen == "markdown":
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for item in sorted(written, key=lambda w: str(w.path)):
                    info = zipfile.ZipInfo(str(item.path.relative_to(tmp)), date_time=(1980, 1, 1, 0, 0, 0))
                    archive.writestr(info, item.path.read_bytes())
            st.session_state["rp_file"] = (f"{report.slug}.zip", buffer.getvalue(), "application/zip")
        elif written:
            mime = {"html": "text/html", "pdf": "application/pdf"}[chosen]
            st.session_state["rp_file"] = (written[0].path.name, written[0].path.read_bytes(), mime)
prepared = st.session_state.get("rp_file")
if prepared and prepared[0].startswith(report.slug):
    st.download_button(f"Download {prepared[0]}", prepared[1], file_name=prepared[0], mime=prepared[2])

# ---- the preview ----------------------------------------------------------------------------------
# A section at a time: each in an expander whose tables and charts are drawn only while it is open
# (the whole report at once was 23 charts and 23 tables, 6.7 s of the browser's work on a reload).
# The first is open; the files above always hold every section.
footer = SOURCE_LINE + (f". {DEMO_LINE}" if report.demo else "")
for number, section in enumerate(report.sections):
    shown = st.expander(
        ui.plain(section.title),
        expanded=number == 0,
        key=f"rp_section_{section.key}",
        on_change="rerun",
    )
    if not shown.open:
        continue
    with shown:
        if section.text:
            st.text(section.text)
        if section.empty:
            ui.explain(section.empty)
        for table in section.tables:
            st.subheader(ui.plain(table.title), anchor=False)
            st.caption(table.intro)
            ui.table(
                {h: [row[i] for row in table.cells] for i, h in enumerate(table.headings)},
                placeholder=ui.MISSING,
                hide_index=True,
                width="stretch",
            )
            if table.chart is not None:
                # the report's own chart, with its source line; the PNG adds the table's title
                ui.chart(
                    charts.figure(table.chart, footer, template=TEMPLATE),
                    f"rp_chart_{table.key}",
                    f"{table.title} · {report.period.label}",
                    f"{report.slug}-{table.key}",
                    wh,
                )
            st.caption(ui.plain(" ".join([table.source, *table.notes])))
            if table.command:
                # inline code, not a code block: a block loads the browser's syntax highlighter
                st.caption(f"The same figures: {ui.inline_code(table.command)}")
ui.footer(wh)
