"""Peers that stay: a saved peer set (`finsocial peers`) is a selection everywhere. `top --peers`,
`posts --peers` and `report --peers` rank the set's institutions among themselves, in the query
(ranks among the peers, now and a month earlier), and the report's figures equal top's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from publish.documents import report_markdown
from tests.report.test_report import check_against_cli
from tests.warehouse.conftest import REGISTRY, land, post, snap
from warehouse.domain.posts import parse_period
from warehouse.infra.paths import DataPaths
from warehouse.read import queries
from warehouse.read.monthly import Selection, monthly_report

# followers on X at the end of February and of March, and one March post's likes
X = {
    "alpha-bank": ("alpha", 1000, 6000, 60),
    "bravo-ins": ("bravo", 2000, 2000, 500),
    "charlie-bank": ("charlie", 3000, 3500, 35),
    "delta-bank": ("delta", 4000, 4000, 80),
    "echo-cu": ("echo", 5000, 5000, 900),
}
# Alpha against Delta and Charlie: on 02-28 Delta 4,000 (1st), Charlie 3,000 (2nd), Alpha 1,000
# (3rd); on 03-31 Alpha 6,000 (1st), Delta 4,000 (2nd), Charlie 3,500 (3rd). In the whole league
# Echo (5,000) and Bravo (2,000) stand between them: ranks among the set are not the league's.
SET = ("alpha-set", "alpha-bank", "delta-bank", "charlie-bank")


def finsocial(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, *args])


@pytest.fixture(scope="module")
def peers_db(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("peer-sets")
    (root / "registry.csv").write_text(REGISTRY)
    db = str(root / "data" / "finsocial.duckdb")
    assert finsocial(db, "registry", "import", str(root / "registry.csv")).exit_code == 0
    for day, side in (("2026-02-28", 1), ("2026-03-31", 2)):
        records = [snap(i, "x", f[0], day, f[side]) for i, f in X.items()]
        if side == 2:
            records += [
                post(i, "x", f[0], f"{f[0]}-1", "2026-03-20", likes=f[3], comments=0, shares=0)
                for i, f in X.items()
            ]
        land(DataPaths(Path(db)), records, day=day)
    assert finsocial(db, "build").exit_code == 0
    saved = finsocial(db, "peers", "save", *SET)
    assert saved.exit_code == 0, saved.output
    return db


def test_top_ranks_a_peer_set_among_itself_now_and_a_month_earlier(peers_db):
    args = ["top", "--platform", "x", "--peers", "alpha-set"]
    rows = json.loads(finsocial(peers_db, *args, "--format", "json").stdout)
    assert [(r["name"], r["rank"], r["previous_rank"], r["value"]) for r in rows] == [
        ("Alpha Bank", 1, 3, 6000),
        ("Delta Bank", 2, 1, 4000),
        ("Charlie Bank", 3, 2, 3500),
    ]
    table = finsocial(peers_db, *args)
    assert table.stdout.splitlines()[0] == "Top 3 by Followers on X · peer set alpha-set · as of 2026-03-31"
    markdown = finsocial(peers_db, *args, "--format", "markdown").stdout
    assert markdown.startswith("### Top 3 by Followers on X · peer set alpha-set · as of 2026-03-31")
    assert "| 1 | ▲2 | Alpha Bank |" in markdown
    # the whole league is not narrowed: Echo and Bravo rank there
    whole = json.loads(finsocial(peers_db, "top", "--platform", "x", "--format", "json").stdout)
    assert [r["name"] for r in whole][:3] == ["Alpha Bank", "Echo Credit Union", "Delta Bank"]
    unknown = finsocial(peers_db, *args[:-1], "nope")
    assert unknown.exit_code == 1
    assert "--peers: no peer set named 'nope' (saved: alpha-set)" in unknown.output


def test_posts_of_a_peer_set_are_its_institutions_posts(peers_db):
    args = ["posts", "--period", "2026-03", "--peers", "alpha-set", "--format", "json"]
    rows = json.loads(finsocial(peers_db, *args).stdout)
    # Echo's 900 likes and Bravo's 500 are not the set's
    assert [(r["name"], r["likes"], r["rank"]) for r in rows] == [
        ("Delta Bank", 80, 1),
        ("Alpha Bank", 60, 2),
        ("Charlie Bank", 35, 3),
    ]
    markdown = finsocial(peers_db, *args[:-2], "--format", "markdown").stdout
    assert markdown.startswith("### Top 3 posts by Likes on all platforms, 2026-03 (peer set alpha-set)")


def _set_selection(institution: str | None = None) -> Selection:
    return Selection(institution_id=institution, peer_set=SET[0], institutions=SET[1:])


def test_the_report_of_a_peer_set_says_what_top_says(peers_db, tmp_path):
    with queries.connect(peers_db) as con:
        report = monthly_report(con, parse_period("2026-03"), _set_selection())
    assert report.title.endswith("2026-03 · peer set alpha-set")
    followers = report.sections[0].tables[0]
    assert "--peers alpha-set" in followers.command
    assert [(r["name"], r["rank"], r["previous_rank"]) for r in followers.rows] == [
        ("Alpha Bank", 1, 3),
        ("Delta Bank", 2, 1),
        ("Charlie Bank", 3, 2),
    ]
    assert check_against_cli(peers_db, report) >= 3  # followers, engagement on X and posts, by command
    movers = next(s for s in report.sections if s.key == "movers").tables[0]
    assert [(r["name"], r["change"]) for r in movers.rows] == [
        ("Alpha Bank", 2),
        ("Delta Bank", -1),
        ("Charlie Bank", -1),
    ]
    assert report.slug == "finsocial-2026-03-peers-alpha-set"
    assert "Top 3 by Followers on all platforms" in report_markdown(report)
    # the command line takes the set by name (an unknown one is an error naming the saved ones)
    wrong = finsocial(peers_db, "report", "--peers", "nope", "--output", str(tmp_path))
    assert wrong.exit_code == 1 and "no peer set named 'nope' (saved: alpha-set)" in wrong.output
    assert not any(tmp_path.iterdir())


def test_the_strategists_report_of_a_peer_set_ranks_us_among_the_set(peers_db):
    with queries.connect(peers_db) as con:
        report = monthly_report(con, parse_period("2026-03"), _set_selection("alpha-bank"))
    assert report.peers == ["alpha-bank", "delta-bank", "charlie-bank"]
    table = next(t for t in report.sections[0].tables if t.key == "peers-all")
    followers = next(r for r in table.rows if r["metric"] == "followers")
    # 6,000 among 6,000, 4,000 and 3,500: first of 3, the median 4,000; 1,000 a month before
    assert (followers["rank"], followers["ranked"], followers["peer_median"]) == (1, 3, 4000)
    assert followers["previous_value"] == 1000
    with queries.connect(peers_db) as con, pytest.raises(Exception, match="not in the selection"):
        monthly_report(con, parse_period("2026-03"), _set_selection("echo-cu"))
