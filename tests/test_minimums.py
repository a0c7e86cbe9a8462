"""Rankings that mean something: rates by audience rank only institutions with at least 1,000
followers, reply times only those asked at least 10 questions; every ranking says how many it left
out, and the command line's --min-followers / --min-questions change the minimum."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.warehouse.conftest import REGISTRY, land, post, snap
from warehouse.infra.paths import DataPaths

# followers on 2026-03-31 and one post's likes the day before (no comments or shares):
# engagement rate = likes / followers x 100
ACCOUNTS = {
    "alpha-bank": ("alpha", 500, 50),  # 10.00%, but under 1,000 followers
    "bravo-ins": ("bravo", 2000, 40),  # 2.00%
    "charlie-bank": ("charlie", 5000, 50),  # 1.00%
    "delta-bank": ("delta", 1000, 15),  # 1.50%: exactly the minimum counts
    "echo-cu": ("echo", 999, 30),  # 3.00%, but one follower short
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("minimums")
    (root / "registry.csv").write_text(REGISTRY)
    db = root / "data" / "finsocial.duckdb"
    assert (
        CliRunner().invoke(cli, ["--db", str(db), "registry", "import", str(root / "registry.csv")]).exit_code
        == 0
    )
    records = []
    for iid, (handle, followers, likes) in ACCOUNTS.items():
        records.append(snap(iid, "x", handle, "2026-03-31", followers))
        records.append(post(iid, "x", handle, f"{handle}-1", "2026-03-30", likes=likes, comments=0, shares=0))
    land(DataPaths(db), records)
    assert CliRunner().invoke(cli, ["--db", str(db), "build"]).exit_code == 0
    return str(db)


def top(db: str, *args: str):
    return CliRunner().invoke(
        cli, ["--db", db, "top", "--platform", "x", "--metric", "engagement_rate", *args]
    )


def test_a_rate_ranks_only_institutions_with_an_audience_and_says_how_many_it_left_out(db):
    result = top(db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Top 3 by Engagement rate (%) on X · at least 1,000 followers · as of 2026-03-31"
    assert [line.split()[2] for line in lines[2:5]] == ["Bravo", "Delta", "Charlie"]
    assert [line.split()[-1] for line in lines[2:5]] == ["2.00%", "1.50%", "1.00%"]
    assert "2 institutions under 1,000 followers left out." in lines
    rows = json.loads(top(db, "--format", "json").stdout)
    assert [r["institution_id"] for r in rows] == ["bravo-ins", "delta-bank", "charlie-bank"]
    markdown = top(db, "--format", "markdown").stdout
    assert markdown.startswith(
        "### Top 3 by Engagement rate (%) on X · at least 1,000 followers · as of 2026-03-31"
    )
    assert "2 institutions under 1,000 followers left out." in markdown


def test_the_minimum_is_the_readers_to_change(db):
    rows = json.loads(top(db, "--min-followers", "0", "--format", "json").stdout)
    assert [(r["institution_id"], round(r["value"], 2)) for r in rows] == [
        ("alpha-bank", 10.0),
        ("echo-cu", 3.0),
        ("bravo-ins", 2.0),
        ("delta-bank", 1.5),
        ("charlie-bank", 1.0),
    ]
    assert "at least" not in top(db, "--min-followers", "0").stdout
    raised = top(db, "--min-followers", "2000")  # Bravo's 2,000 and Charlie's 5,000 reach it
    assert raised.stdout.splitlines()[0].startswith(
        "Top 2 by Engagement rate (%) on X · at least 2,000 followers"
    )
    assert "3 institutions under 2,000 followers left out." in raised.stdout


def test_a_minimum_nobody_reaches_says_so_and_how_to_rank_them_all(db):
    result = top(db, "--min-followers", "1000000")
    assert result.exit_code == 1
    assert (
        "5 institutions under 1,000,000 followers left out; --min-followers 0 ranks them all" in result.output
    )


def test_counts_take_no_minimum(db):
    result = CliRunner().invoke(cli, ["--db", db, "top", "--platform", "x"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Top 5 by Followers on X · as of 2026-03-31"
    assert "left out" not in result.stdout


def test_the_league_page_states_the_minimum_and_takes_another_from_its_address(db, monkeypatch):
    from tests.dashboard.conftest import page, texts

    monkeypatch.setenv("FINSOCIAL_DB", db)
    at = page("league", platform="x", metric="engagement_rate")
    assert not at.exception, at.exception
    assert at.number_input(key="lt_min_followers").value == 1000
    assert list(at.dataframe[0].value["Institution"]) == ["Bravo Insurance", "Delta Bank", "Charlie Bank"]
    shown = texts(at)
    assert "Top 3 by Engagement rate (%) on X · at least 1,000 followers · as of 2026-03-31" in shown
    assert "2 institutions under 1,000 followers left out." in shown
    at = page("league", platform="x", metric="engagement_rate", min="0")
    assert at.number_input(key="lt_min_followers").value == 0
    assert len(at.dataframe[0].value) == 5 and "left out" not in texts(at)
    assert at.query_params["min"] == "0"  # the address keeps it


# ---- the month's movers -------------------------------------------------------------------------

# followers on the previous month's end and on the month's end
MONTH = {
    "alpha-bank": ("alpha", 1000, 6000),  # 5th -> 1st: climbs 4
    "bravo-ins": ("bravo", 2000, 2000),  # 4th -> 5th
    "charlie-bank": ("charlie", 3000, 3500),  # 3rd -> 4th
    "delta-bank": ("delta", 4000, 4000),  # 2nd -> 3rd
    "echo-cu": ("echo", 5000, 5000),  # 1st -> 2nd
}


@pytest.fixture(scope="module")
def month_db(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("movers")
    (root / "registry.csv").write_text(REGISTRY)
    db = root / "data" / "finsocial.duckdb"
    assert (
        CliRunner().invoke(cli, ["--db", str(db), "registry", "import", str(root / "registry.csv")]).exit_code
        == 0
    )
    for day, side in (("2026-02-28", 1), ("2026-03-31", 2)):
        land(DataPaths(db), [snap(i, "x", f[0], day, f[side]) for i, f in MONTH.items()], day=day)
    assert CliRunner().invoke(cli, ["--db", str(db), "build"]).exit_code == 0
    return str(db)


def test_a_months_top_with_its_movers_ready_to_paste_in_one_command(month_db):
    args = ["--db", month_db, "top", "--platform", "x", "--as-of", "2026-03-31", "--limit", "3", "--movers"]
    result = CliRunner().invoke(cli, [*args, "--format", "markdown"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    # a month's end against the previous month's end
    assert "As of 2026-03-31; movement against 2026-02-28." in text
    climbers = text.split("#### Biggest climbers since 2026-02-28\n\n")[1].split("\n\n")[0].splitlines()
    assert climbers[2:] == ["| Alpha Bank | 5 | 1 | ▲4 | 6.00K |"]
    fallers = text.split("#### Biggest fallers since 2026-02-28\n\n")[1].split("\n\n")[0].splitlines()
    # the whole league's movers, not only the top 3's: one place each, today's rank first
    assert [line.split(" | ")[0].lstrip("| ") for line in fallers[2:]] == [
        "Echo Credit Union",
        "Delta Bank",
        "Charlie Bank",
        "Bravo Insurance",
    ]
    assert text.index("Biggest fallers") < text.index("Source: finsocial")
    # and by growth: Alpha 1,000 -> 6,000 (+5,000, +500 %), Charlie 3,000 -> 3,500 (+500, +16.67 %)
    rises = text.split("#### Biggest rises in Followers since 2026-02-28\n\n")[1].split("\n\n")[0]
    assert rises.splitlines()[2:] == [
        "| Alpha Bank | 1.00K | 6.00K | +5.00K | +500.00% |",
        "| Charlie Bank | 3.00K | 3.50K | +500 | +16.67% |",
    ]
    assert "#### Biggest falls in Followers since 2026-02-28\n\nNo institution's Followers fell." in text
    assert text.index("Biggest falls") < text.index("Source: finsocial")
    table = CliRunner().invoke(cli, args)
    assert "Biggest climbers since 2026-02-28" in table.stdout and "▲4" in table.stdout
    assert CliRunner().invoke(cli, [*args, "--format", "json"]).exit_code == 2


def test_the_league_page_shows_the_whole_leagues_movers(month_db, monkeypatch):
    from tests.dashboard.conftest import page

    monkeypatch.setenv("FINSOCIAL_DB", month_db)
    at = page("league", platform="x", n="5")
    assert not at.exception, at.exception
    (movers,) = [e for e in at.expander if e.label.startswith("Movers since 2026-02-28")]
    assert movers.label == "Movers since 2026-02-28: 1 climber, 4 fallers, 2 rises, 0 falls"
    climbers, fallers, rises = (d.value for d in at.dataframe[1:4])
    assert rises.values.tolist() == [
        ["Alpha Bank", "1.00K", "6.00K", "+5.00K", "+500.00%"],
        ["Charlie Bank", "3.00K", "3.50K", "+500", "+16.67%"],
    ]
    assert list(climbers["Institution"]) == ["Alpha Bank"] and list(climbers["Move"]) == ["▲4"]
    assert list(fallers["Institution"]) == [
        "Echo Credit Union",
        "Delta Bank",
        "Charlie Bank",
        "Bravo Insurance",
    ]


# ---- peer sets ----------------------------------------------------------------------------------


def test_peers_are_suggested_saved_listed_and_deleted_beside_the_warehouse(month_db):
    from pathlib import Path

    def peers(*args: str):
        return CliRunner().invoke(cli, ["--db", month_db, "peers", *args])

    assert "no peer sets in" in peers().stdout
    # Alpha is a Dutch bank with 6,000 followers; the other banks are British: Delta's 4,000 is
    # nearer by ratio (6,000/4,000 = 1.5) than Charlie's 3,500 (1.71); insurers and credit unions
    # are another kind
    suggested = peers("suggest", "alpha-bank", "--save", "alpha-vs-banks")
    assert suggested.exit_code == 0, suggested.output
    assert [line.split("\t")[0] for line in suggested.stdout.splitlines()] == ["delta-bank", "charlie-bank"]
    assert (Path(month_db).parent / "peer_sets.json").exists()
    mine = peers("save", "echo-set", "echo-cu", "alpha-bank", "bravo-ins", "echo-cu")
    assert mine.exit_code == 0, mine.output
    assert peers("list").stdout.splitlines() == [
        "alpha-vs-banks: alpha-bank against delta-bank, charlie-bank",
        "echo-set: echo-cu against alpha-bank, bravo-ins",
    ]
    unknown = peers("save", "bad", "alpha-bank", "zulu-bank")
    assert unknown.exit_code == 1 and "unknown institution 'zulu-bank'" in unknown.output
    assert peers("delete", "echo-set").exit_code == 0
    assert peers("list").stdout.splitlines() == [
        "alpha-vs-banks: alpha-bank against delta-bank, charlie-bank"
    ]
    gone = peers("delete", "echo-set")
    assert gone.exit_code == 1 and "no peer set named 'echo-set' (saved: alpha-vs-banks)" in gone.output
    # a build replaces the warehouse, never the peer sets beside it
    assert CliRunner().invoke(cli, ["--db", month_db, "build"]).exit_code == 0
    assert peers("list").stdout.startswith("alpha-vs-banks:")


def test_suggested_peers_are_the_same_kind_from_the_same_country_first_then_the_nearest_audience():
    from warehouse.inputs.peers import suggest_peers

    def inst(i, kind, country, followers):
        return {"institution_id": i, "kind": kind, "country": country, "followers": followers}

    population = [
        inst("me", "bank", "NL", 10_000),
        inst("far-nl", "bank", "NL", 1_000_000),  # same country: first, however large
        inst("near-nl", "bank", "NL", 12_000),
        inst("near-gb", "bank", "GB", 9_000),
        inst("nearer-gb", "bank", "GB", 10_500),
        inst("unknown-gb", "bank", "GB", None),  # no audience known: last
        inst("insurer-nl", "insurer", "NL", 10_000),  # another kind: never
    ]
    assert suggest_peers("me", population, 10) == ["near-nl", "far-nl", "nearer-gb", "near-gb", "unknown-gb"]
    assert suggest_peers("me", population, 2) == ["near-nl", "far-nl"]


def test_the_league_page_ranks_a_saved_peer_set_among_itself_from_its_address(month_db, monkeypatch):
    from tests.dashboard.conftest import page, texts

    saved = CliRunner().invoke(
        cli, ["--db", month_db, "peers", "save", "alpha-set", "alpha-bank", "delta-bank", "charlie-bank"]
    )
    assert saved.exit_code == 0, saved.output
    monkeypatch.setenv("FINSOCIAL_DB", month_db)
    at = page("league", platform="x", peers="alpha-set")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    # 6,000, 4,000 and 3,500 followers; a month earlier 1,000, 4,000 and 3,000: Delta, Charlie, Alpha
    assert list(table["Institution"]) == ["Alpha Bank", "Delta Bank", "Charlie Bank"]
    assert list(table["Rank"]) == [1, 2, 3] and list(table["Move"]) == ["▲2", "▼1", "▼1"]
    assert "Top 3 by Followers on X · peer set alpha-set · as of 2026-03-31" in texts(at)
    assert at.query_params["peers"] == "alpha-set"
    everyone = page("league", platform="x")
    assert len(everyone.dataframe[0].value) == 5
