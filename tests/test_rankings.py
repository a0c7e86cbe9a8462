"""Rankings that mean something, for posts: a ranking by a rate lists only posts of accounts with at
least 1,000 followers, a reaction multiple only posts with at least 20 comments; every export says
which minimums it applied and how many posts they left out."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.warehouse.conftest import REGISTRY, land, post, snap
from warehouse.domain.posts import parse_period
from warehouse.infra.paths import DataPaths

# followers (on 2026-03-01 and 2026-03-31), and two posts on X: (likes, comments) on 03-05, whose
# comments per like are the account's usual ratio for the second, and on 03-20.
POSTS = {
    "alpha-bank": ("alpha", 35, (10, 1), (30, 10)),  # 03-20: 40 / 35 = 114.29 %; 0.333 / 0.1 = 3.33x
    "bravo-ins": ("bravo", 2000, (96, 4), (1, 1)),  # one like, one comment: 1 / (4/96) = 24x
    "charlie-bank": ("charlie", 5000, (100, 10), (100, 40)),  # 0.4 / 0.1 = 4x, 40 comments
    "delta-bank": ("delta", 1000, (100, 5), (20, 20)),  # 1 / 0.05 = 20x, 20 comments: flagged
    "echo-cu": ("echo", 999, (10, 1), (50, 0)),  # one follower short of the minimum
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("post-minimums")
    (root / "registry.csv").write_text(REGISTRY)
    db = root / "data" / "finsocial.duckdb"
    imported = CliRunner().invoke(cli, ["--db", str(db), "registry", "import", str(root / "registry.csv")])
    assert imported.exit_code == 0, imported.output
    paths = DataPaths(db)
    land(paths, [snap(i, "x", p[0], "2026-03-01", p[1]) for i, p in POSTS.items()], day="2026-03-01")
    records = [snap(i, "x", p[0], "2026-03-31", p[1]) for i, p in POSTS.items()]
    for iid, (handle, _, (likes1, comments1), (likes2, comments2)) in POSTS.items():
        records.append(
            post(iid, "x", handle, f"{handle}-1", "2026-03-05", likes=likes1, comments=comments1, shares=0)
        )
        records.append(
            post(iid, "x", handle, f"{handle}-2", "2026-03-20", likes=likes2, comments=comments2, shares=0)
        )
    land(paths, records)
    assert CliRunner().invoke(cli, ["--db", str(db), "build"]).exit_code == 0
    return str(db)


def posts(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, "posts", "--period", "2026-03", *args])


def test_engagement_rate_lists_only_posts_of_accounts_with_an_audience(db):
    result = posts(db, "--by", "engagement_rate", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # (likes + comments) / followers x 100: Delta 105 / 1,000, Bravo 100 / 2,000, Delta 40 / 1,000,
    # Charlie 140 / 5,000 and 110 / 5,000, Bravo 2 / 2,000; Alpha's 35 and Echo's 999 followers left out
    assert [(r["post_id"], round(r["value"], 2)) for r in rows] == [
        ("delta-1", 10.5),
        ("bravo-1", 5.0),
        ("delta-2", 4.0),
        ("charlie-2", 2.8),
        ("charlie-1", 2.2),
        ("bravo-2", 0.1),
    ]
    # the minimum, in every row of the export
    assert {(r["min_followers"], r["min_comments"], r["left_out_followers"]) for r in rows} == {
        (1000, None, 4)
    }
    table = posts(db, "--by", "engagement_rate").stdout.splitlines()
    assert table[0] == (
        "Top 6 posts by Engagement rate (%) on all platforms, 2026-03 · accounts with at least 1,000 followers"
    )
    assert "4 posts of accounts under 1,000 followers left out." in table
    everyone = json.loads(
        posts(db, "--by", "engagement_rate", "--min-followers", "0", "--format", "json").stdout
    )
    assert (everyone[0]["post_id"], round(everyone[0]["value"], 2)) == ("alpha-2", 114.29)
    assert everyone[0]["min_followers"] is None and everyone[0]["left_out_followers"] == 0


def test_a_reaction_multiple_ranks_only_posts_with_enough_comments_and_audience(db):
    rows = json.loads(posts(db, "--by", "reaction_multiple", "--format", "json").stdout)
    # Bravo's one like and one comment (24x) and Alpha's 35 followers are not a reaction to rank
    assert [(r["post_id"], round(r["value"], 2)) for r in rows] == [("delta-2", 20.0), ("charlie-2", 4.0)]
    assert (rows[0]["min_followers"], rows[0]["min_comments"]) == (1000, 20)
    # with a multiple: Alpha's and Echo's second posts (under 1,000 followers), Bravo's (1 comment)
    assert (rows[0]["left_out_followers"], rows[0]["left_out_comments"]) == (2, 1)
    markdown = posts(db, "--by", "reaction_multiple", "--format", "markdown").stdout
    assert markdown.startswith(
        "### Top 2 posts by Reaction vs usual on all platforms, 2026-03 · accounts with at least "
        "1,000 followers · at least 20 comments\n"
    )
    assert (
        "2 posts of accounts under 1,000 followers left out; 1 post with fewer than 20 comments left out."
        in markdown
    )
    loose = posts(
        db, "--by", "reaction_multiple", "--min-followers", "0", "--min-comments", "0", "--format", "csv"
    )
    table = list(csv.DictReader(io.StringIO(loose.stdout)))
    assert [(r["post_id"], round(float(r["value"]), 2)) for r in table][:3] == [
        ("bravo-2", 24.0),
        ("delta-2", 20.0),
        ("charlie-2", 4.0),
    ]
    assert table[0]["min_followers"] == "" and table[0]["left_out_followers"] == "0"


def test_counts_and_flagged_posts_take_no_minimum_audience(db):
    rows = json.loads(posts(db, "--by", "likes", "--limit", "3", "--format", "json").stdout)
    # 100 likes each, the earlier post first (then by id)
    assert [r["post_id"] for r in rows] == ["charlie-1", "delta-1", "charlie-2"]
    assert rows[0]["min_followers"] is None and "left out" not in posts(db, "--by", "likes").stdout
    flagged = json.loads(posts(db, "--flagged", "--format", "json").stdout)
    # a flagged post is a thread to read whatever the audience: the flag asks its own 20 comments
    assert [(r["post_id"], r["flag_reason"], r["min_followers"]) for r in flagged] == [
        ("delta-2", "comments per like", None)
    ]
    nobody = posts(db, "--by", "engagement_rate", "--min-followers", "1000000")
    assert nobody.exit_code == 1
    assert "10 posts of accounts under 1,000,000 followers left out (--min-followers 0 lists them all)" in (
        nobody.output
    )


def test_the_top_posts_page_states_the_minimum_and_takes_another(db, monkeypatch):
    from tests.dashboard.conftest import page, texts

    monkeypatch.setenv("FINSOCIAL_DB", db)
    at = page("top_posts")
    # the posts end on 2026-03-20: the last complete month is February, March is asked for
    at.selectbox(key="tp_period_month").set_value(parse_period("2026-03"))
    at.selectbox(key="tp_by").set_value("engagement_rate").run()
    assert not at.exception, at.exception
    assert at.number_input(key="tp_min_followers").value == 1000
    shown = texts(at)
    assert (
        "Top 6 posts by Engagement rate (%) on all platforms, 2026-03 · accounts with at least 1,000 followers"
        in (shown)
    )
    assert "4 posts of accounts under 1,000 followers left out." in shown
    at.number_input(key="tp_min_followers").set_value(0).run()
    assert len(at.dataframe[0].value) == 10 and "left out" not in texts(at)


def test_tops_csv_and_json_state_the_minimum_they_applied(db):
    def top(*args: str):
        return CliRunner().invoke(cli, ["--db", db, "top", "--platform", "x", *args])

    # interactions per post of the 28 days to 2026-03-31 by followers: Delta 72.5 / 1,000 = 7.25 %,
    # Bravo 51 / 2,000 = 2.55 %, Charlie 125 / 5,000 = 2.50 %; Alpha (35) and Echo (999) left out
    rows = json.loads(top("--metric", "engagement_rate", "--format", "json").stdout)
    assert [(r["institution_id"], round(r["value"], 2)) for r in rows] == [
        ("delta-bank", 7.25),
        ("bravo-ins", 2.55),
        ("charlie-bank", 2.5),
    ]
    assert {(r["min_followers"], r["min_questions"], r["left_out"]) for r in rows} == {(1000, None, 2)}
    table = list(csv.DictReader(io.StringIO(top("--metric", "engagement_rate", "--format", "csv").stdout)))
    assert (table[0]["min_followers"], table[0]["min_questions"], table[0]["left_out"]) == ("1000", "", "2")
    counts = json.loads(top("--format", "json").stdout)  # followers take no minimum
    assert (counts[0]["min_followers"], counts[0]["left_out"]) == (None, None)
