"""The monthly report: every figure equals what `top` and `posts` print for the same selection and
day, on the demo and on the states a real installation passes through; its files are there, the
same bytes each time, and the PDF is A4 pages that read back as the report."""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from publish.documents import report_markdown
from tests.states import NIGHT
from warehouse.domain.posts import parse_period
from warehouse.read import queries
from warehouse.read.monthly import (
    Report,
    ReportError,
    Selection,
    Table,
    last_complete_month,
    monthly_report,
)


def run(db: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == code, (args, result.output)
    return result


def top_json(db: Path, table: Table) -> list[dict]:
    """What `top` prints for the table's command (its selection, metric, platform and day)."""
    args = table.command.split()[1:]
    return json.loads(run(db, *args, "--format", "json").output)


def posts_json(db: Path, table: Table) -> list[dict]:
    args = table.command.split()[1:]
    return json.loads(run(db, *args, "--format", "json").output)


def check_against_cli(db: Path, report: Report) -> int:
    """Each league and posts table's ranks, names and values against the command it names; returns
    how many tables were checked."""
    checked = 0
    for section in report.sections:
        for table in section.tables:
            if table.command is None or "METRIC" in table.command or "--movers" in table.command:
                continue
            printed = (
                top_json(db, table) if table.command.startswith("finsocial top") else posts_json(db, table)
            )
            printed = [r for r in printed if r["value"] is not None]
            assert [(r["rank"], r["name"]) for r in table.rows] == [(r["rank"], r["name"]) for r in printed]
            for ours, theirs in zip(table.rows, printed, strict=True):
                assert ours["value"] == pytest.approx(theirs["value"], rel=1e-12), (table.title, ours["name"])
            checked += 1
    return checked


@pytest.fixture(scope="module")
def demo_report(demo_db) -> Report:
    with queries.connect(demo_db) as con:
        return monthly_report(con, parse_period("2026-10"), Selection(country="NL"))


def test_last_complete_month_is_the_last_the_data_covers_to_its_end():
    assert last_complete_month(dt.date(2026, 12, 2)).label == "2026-11"
    assert last_complete_month(dt.date(2026, 11, 30)).label == "2026-11"
    assert last_complete_month(dt.date(2026, 11, 21)).label == "2026-10"
    assert last_complete_month(dt.date(2026, 1, 5)).label == "2025-12"


def test_blogger_edition_on_the_demo_equals_top_and_posts(demo_db, demo_report):
    report = demo_report
    assert (report.as_of, report.previous) == (dt.date(2026, 10, 31), dt.date(2026, 9, 30))
    keys = [s.key for s in report.sections]
    assert keys[:5] == ["followers", "movers", "growth", "engagement", "posts"]
    assert check_against_cli(demo_db, report) >= 10
    followers = report.sections[0].tables[0]
    assert all(r["country"] == "NL" for r in followers.rows)
    # a ranked table: the values never rise down the table (followers: the largest first)
    values = [r["value"] for r in followers.rows]
    assert values == sorted(values, reverse=True)
    # each table says where its figures come from, that they are the demo's and which minimums hold
    for table in (t for s in report.sections for t in s.tables):
        assert table.source.startswith("Source: finsocial")
        assert any(n.startswith("Minimums:") for n in table.notes)
        if table.key != "flagged":  # a post flagged for negative comments may have no multiple to chart
            assert table.chart is not None and len(table.chart.values) == len(table.cells)
    assert report.demo


def test_movers_are_the_places_gained_and_lost_in_top(demo_db, demo_report):
    movers = next(s for s in demo_report.sections if s.key == "movers")
    printed = json.loads(
        run(demo_db, "top", "--platform", "all", "--metric", "followers", "--country", "NL",
            "--as-of", "2026-10-31", "--limit", "10000", "--format", "json").output
    )  # fmt: skip
    moved = [
        (r["name"], r["previous_rank"] - r["rank"])
        for r in printed
        if r["previous_rank"] is not None and r["value"] is not None and r["previous_rank"] != r["rank"]
    ]
    if not moved:
        assert not movers.tables and "changed places" in movers.empty
        return
    table = movers.tables[0]
    climbers = sorted((m for m in moved if m[1] > 0), key=lambda m: -m[1])[:5]
    fallers = sorted((m for m in moved if m[1] < 0), key=lambda m: m[1])[:5]
    got = [(r["name"], r["change"]) for r in table.rows]
    assert sorted(got) == sorted(climbers + fallers)
    assert [c[0] for c in table.cells] == ["Climber"] * len(climbers) + ["Faller"] * len(fallers)


def test_webcare_leaders_rank_the_fastest_first(demo_report):
    webcare = next(s for s in demo_report.sections if s.key == "webcare")
    reply = next(t for t in webcare.tables if t.key == "webcare-reply_time_median")
    values = [r["value"] for r in reply.rows]
    assert values == sorted(values)  # lower is better


def test_strategist_edition_ranks_us_among_the_peers_as_top_does(demo_db, demo_report):
    me = demo_report.sections[0].tables[0].rows[2]  # the third largest Dutch institution
    with queries.connect(demo_db) as con:
        report = monthly_report(con, parse_period("2026-10"), Selection(institution_id=me["institution_id"]))
    assert report.selection.country == "NL"  # its country's institutions are the peers by default
    peers = next(s for s in report.sections if s.key == "peers")
    table = next(t for t in peers.tables if t.key == "peers-all")
    row = next(r for r in table.rows if r["metric"] == "followers")
    assert (row["rank"], row["value"]) == (3, me["value"])
    printed = json.loads(
        run(demo_db, "top", "--platform", "all", "--metric", "followers", "--country", "NL",
            "--as-of", "2026-10-31", "--limit", "1000", "--format", "json").output
    )  # fmt: skip
    values = sorted(r["value"] for r in printed if r["value"] is not None)
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    assert row["peer_median"] == pytest.approx(median)
    before = json.loads(
        run(demo_db, "top", "--platform", "all", "--metric", "followers", "--country", "NL",
            "--as-of", "2026-09-30", "--limit", "1000", "--format", "json").output
    )  # fmt: skip
    ours_before = next(r for r in before if r["institution_id"] == me["institution_id"])
    assert row["previous_value"] == ours_before["value"]
    assert [s.key for s in report.sections] == ["peers", "reply-times", "tone", "our-posts"]
    tone = next(s for s in report.sections if s.key == "tone")
    with queries.connect(demo_db) as con:
        said = queries.institution_mentions(con, me["institution_id"], report.as_of)
    if tone.tables:  # the demo searches mentions: what is said about us, as the Conversation page reads it
        assert [r["platform"] for r in tone.tables[0].rows] == list(said["platform"])
        assert [r["mentions"] for r in tone.tables[0].rows] == list(said["mentions"])
    else:
        assert said.empty
    reply = next(s for s in report.sections if s.key == "reply-times")
    with queries.connect(demo_db) as con:
        webcare = queries.institution_webcare(con, me["institution_id"], report.as_of)
    if reply.tables:
        assert [r["platform"] for r in reply.tables[0].rows] == [
            p
            for p, q in zip(webcare["platform"], webcare["questions"], strict=True)
            if q == q and q is not None
        ]


def test_a_report_names_what_is_wrong(demo_db):
    with queries.connect(demo_db) as con:
        with pytest.raises(ReportError, match="--country: no institution in country UK"):
            monthly_report(con, None, Selection(country="UK"))
        with pytest.raises(ReportError, match="no data in 2030-01"):
            monthly_report(con, parse_period("2030-01"), Selection())
        with pytest.raises(ReportError, match="--institution: no institution 'nobody'"):
            monthly_report(con, None, Selection(institution_id="nobody"))
    run(demo_db, "report", "--period", "2026-13", "--output", "x", code=2)


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_markdown_and_html_files_are_there_and_the_same_each_time(demo_db, tmp_path):
    args = ["report", "--period", "2026-10", "--country", "NL", "--platform", "instagram"]
    args += ["--format", "markdown", "--format", "html"]
    run(demo_db, *args, "--output", str(tmp_path / "a"))
    run(demo_db, *args, "--output", str(tmp_path / "b"))
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert Path("finsocial-2026-10-nl.md") in files and Path("finsocial-2026-10-nl.html") in files
    for name in files:  # byte for byte: no timestamp, no random id
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    markdown = (tmp_path / "a" / "finsocial-2026-10-nl.md").read_text()
    linked = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    charts = [f for f in files if f.suffix == ".png"]
    assert sorted(Path(p) for p in linked) == charts and len(charts) >= 5
    for chart in charts:
        width, height = png_size(tmp_path / "a" / chart)
        assert width == 2000 and 480 <= height <= 1200, (chart, width, height)
    assert "Demo data: fictional institutions" in markdown
    page = (tmp_path / "a" / "finsocial-2026-10-nl.html").read_text()
    assert page.count("data:image/svg+xml;base64,") == len(charts)  # self-contained
    assert "<script" not in page and 'src="http' not in page


def test_the_pdf_is_a4_pages_that_read_as_the_report(demo_db, tmp_path):
    run(
        demo_db, "report", "--period", "2026-10", "--country", "NL", "--platform", "x", "--format", "pdf",
        "--output", str(tmp_path),
    )  # fmt: skip
    pdf = tmp_path / "finsocial-2026-10-nl.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    assert 3 <= pages <= 12, info
    assert "(A4)" in info and "1970" in info  # no moment of printing inside
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Financial institutions on social media, 2026-10" in text
    assert "Top 7 by Followers on all platforms" in text
    assert "Demo data: fictional institutions with generated numbers." in text
    with queries.connect(demo_db) as con:
        report = monthly_report(con, parse_period("2026-10"), Selection(country="NL"), ["x"])
    for row in report.sections[0].tables[0].cells:
        assert re.search(rf"{row[0]}\s+{row[1]}\s+{re.escape(row[2])}.*{re.escape(row[5])}", text), row


# ---- the states a real installation passes through ------------------------------------------------

NIGHT_MONTH = f"{NIGHT.year}-{NIGHT.month:02d}"


@pytest.mark.parametrize("state", ["first_night", "one_institution", "two_nights"])
def test_blogger_edition_on_the_states_equals_top(warehouse_state, state):
    db = warehouse_state(state)
    with queries.connect(db) as con:
        report = monthly_report(con, parse_period(NIGHT_MONTH), Selection())
    assert report.as_of == NIGHT.date() and not report.demo
    assert check_against_cli(db, report) >= 1
    webcare = next(s for s in report.sections if s.key == "webcare")
    assert not webcare.tables and "No webcare for the selection" in webcare.empty  # no threads observed
    conversation = next(s for s in report.sections if s.key == "conversation")
    assert not conversation.tables and "No mentions are collected" in conversation.empty


def test_strategist_edition_of_the_only_institution(warehouse_state):
    db = warehouse_state("one_institution")
    with queries.connect(db) as con:
        report = monthly_report(con, parse_period(NIGHT_MONTH), Selection(institution_id="northwind"))
    assert report.peers == ["northwind"]
    table = next(t for t in report.sections[0].tables if t.key == "peers-all")
    followers = next(r for r in table.rows if r["metric"] == "followers")
    printed = json.loads(
        run(db, "top", "--platform", "all", "--metric", "followers", "--as-of", report.as_of.isoformat(),
            "--format", "json").output
    )  # fmt: skip
    assert (followers["rank"], followers["value"], followers["ranked"]) == (1, printed[0]["value"], 1)
    reply = next(s for s in report.sections if s.key == "reply-times")
    assert "No webcare for Northwind Bank" in reply.empty
    text = report_markdown(report)
    assert "# Northwind Bank: " + NIGHT_MONTH + " against GB" in text
    assert "Demo data" not in text


@pytest.mark.parametrize("state", ["empty", "registry_only"])
def test_without_counts_the_command_says_so(warehouse_state, state, tmp_path):
    result = run(warehouse_state(state), "report", "--output", str(tmp_path), code=1)
    assert "no counts in the warehouse yet" in result.output
    assert not any(tmp_path.iterdir())
