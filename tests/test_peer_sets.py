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


# ---- the dashboard ----------------------------------------------------------------------------------


def _follow(at, label: str):
    """Click a page link as the browser does: the target page with the link's address."""
    from urllib.parse import parse_qsl

    from tests.dashboard.conftest import page

    links = {link.proto.label: link.proto for link in at.get("page_link")}
    target = links[label]
    return page(target.page.rsplit("/", 1)[-1].removesuffix(".py"), **dict(parse_qsl(target.query_string)))


def test_us_against_our_peers_on_every_metric_in_one_click_from_the_profile(demo_db, monkeypatch):
    from tests.dashboard.conftest import page

    monkeypatch.setenv("FINSOCIAL_DB", str(demo_db))
    with queries.connect(demo_db) as con:
        day = queries.latest_day(con)
        league, _ = queries.league_rows(con, "all", "followers", day, limit=None)
    me = league[len(league) // 3]  # a large institution, not the leader
    profile = page("profile", institution=me["institution_id"])
    assert not profile.exception, [e.message for e in profile.exception]
    # the one click: the profile's link opens the benchmark with its suggested peers chosen
    at = _follow(profile, f"Peer benchmark of {me['name']}")
    assert not at.exception, [e.message for e in at.exception]
    suggested = finsocial(str(demo_db), "peers", "suggest", me["institution_id"]).stdout.splitlines()
    peers = [line.split("\t")[0] for line in suggested]
    assert len(peers) == 5
    assert at.subheader[0].value.startswith(f"{me['name']} against 5 peers · as of {day.isoformat()}")
    side = at.table[0].value
    ids = {r["institution_id"]: r for r in league}
    # us, then each peer, then their median, a column each; a metric a row
    assert list(side.columns) == [me["name"], *[ids[p]["name"] for p in peers], "Peer median"]
    # every metric, webcare and posting included, side by side
    for label in (
        "Followers",
        "Growth, 30 days",
        "Posts per week",
        "Interactions per post",
        "Engagement rate (%)",
        "Questions answered (%)",
        "Median reply time",
        "Answered within target (%)",
        "Share of voice (%)",
    ):
        assert label in side.index, (label, list(side.index))
    from warehouse.read.formatting import format_value

    assert side.at["Followers", me["name"]] == format_value("followers", me["value"], me["rounded"])
    first = ids[peers[0]]
    assert side.at["Followers", first["name"]] == format_value("followers", first["value"], first["rounded"])
    assert any(
        s.value.startswith("Top posts by interactions · All platforms · 28 days to") for s in at.subheader
    )


def test_peers_are_suggested_and_saved_from_the_dashboard_and_stay_in_the_address(peers_db, monkeypatch):
    from tests.dashboard.conftest import page

    monkeypatch.setenv("FINSOCIAL_DB", peers_db)
    # a saved set: the profile's link opens the benchmark with it
    profile = page("profile", institution="alpha-bank")
    at = _follow(profile, "Peer benchmark of Alpha Bank")
    assert not at.exception, [e.message for e in at.exception]
    assert at.radio(key="pb_mode").value == "saved" and at.selectbox(key="pb_set").value == "alpha-set"
    assert at.subheader[0].value == "Alpha Bank against 2 peers · as of 2026-03-31 · peer set alpha-set"
    side = at.table[0].value
    # 6,000, 4,000 and 3,500 followers; their median 4,000
    assert list(side.columns) == ["Alpha Bank", "Delta Bank", "Charlie Bank", "Peer median"]
    assert list(side.loc["Followers"]) == ["6.00K", "4.00K", "3.50K", "4.00K"]
    # suggested: the other banks (both British), the nearest audience first (Delta's 4,000)
    at = page("peers", institution="bravo-ins", mode="suggested")
    assert "No institution of the same kind (Insurer) to suggest." in at.info[0].value  # the only one
    at = page("peers", institution="alpha-bank", mode="suggested")
    assert at.subheader[0].value.startswith("Alpha Bank against 2 peers")
    assert list(at.table[0].value.columns)[:3] == ["Alpha Bank", "Delta Bank", "Charlie Bank"]
    at.number_input(key="pb_count").set_value(1).run()
    assert list(at.table[0].value.columns) == ["Alpha Bank", "Delta Bank", "Peer median"]
    at.text_input(key="pb_save_name").input("alpha-nearest").run()
    at.button(key="pb_save_button").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Saved peer set alpha-nearest" in s.value.replace("\\", "") for s in at.success), at.error
    assert at.query_params["peers"] == "alpha-nearest" and at.query_params["mode"] == "saved"
    listed = finsocial(peers_db, "peers", "list").stdout.splitlines()
    assert "alpha-nearest: alpha-bank against delta-bank" in listed
    # the league's picker offers it at once, and a change there sticks (and goes in the address)
    league = page("league", platform="x", peers="alpha-set")
    assert league.selectbox(key="lt_peers").value == "alpha-set"
    league.selectbox(key="lt_peers").set_value("alpha-nearest").run()
    assert league.selectbox(key="lt_peers").value == "alpha-nearest"
    assert league.query_params["peers"] == "alpha-nearest"
    assert "Top 2 by Followers on X · peer set alpha-nearest · as of 2026-03-31" in [
        s.value for s in league.subheader
    ]
    assert finsocial(peers_db, "peers", "delete", "alpha-nearest").exit_code == 0
    # hand-picked peers are kept in the address: a reload (or a shared link) shows the same peers
    at = page("peers", institution="alpha-bank", mode="picked", picked="echo-cu,bravo-ins")
    assert at.subheader[0].value.startswith("Alpha Bank against 2 peers")
    at.multiselect(key="pb_picked").set_value(["echo-cu"]).run()
    assert at.query_params["picked"] == "echo-cu" and at.subheader[0].value.startswith(
        "Alpha Bank against 1 peer ·"
    )


@pytest.fixture(scope="module")
def demo_with_a_set(demo_db, tmp_path_factory) -> tuple[str, str, list[str]]:
    """A copy of the demo warehouse with a saved set: an institution and its suggested peers."""
    import shutil

    folder = tmp_path_factory.mktemp("demo-peers")
    db = str(folder / "finsocial.duckdb")
    shutil.copyfile(demo_db, db)
    from warehouse.domain.posts import last_complete

    with queries.connect(db) as con:
        league, _ = queries.league_rows(con, "all", "followers", None, limit=None)
        names = {r["institution_id"]: r["name"] for r in league}
        # the author of the top post of the month the Top posts page opens on: it has posts to show
        month = last_complete(queries.latest_post_day(con), "month")
        me = queries.industry_posts(con, month, "likes", limit=1)["institution_id"].iloc[0]
    saved = finsocial(db, "peers", "suggest", me, "--save", "ours")
    assert saved.exit_code == 0, saved.output
    members = [me, *[line.split("\t")[0] for line in saved.stdout.splitlines()]]
    return db, "ours", [names[i] for i in members]


@pytest.mark.parametrize("name", ["league", "engagement", "top_posts", "webcare", "practices", "trends"])
def test_every_page_of_the_demo_shows_only_the_sets_institutions(demo_with_a_set, monkeypatch, name):
    from tests.dashboard.conftest import open_on_demand, page

    db, set_name, members = demo_with_a_set
    monkeypatch.setenv("FINSOCIAL_DB", db)
    at = open_on_demand(page(name, peers=set_name), name)
    assert not at.exception, [e.message for e in at.exception]
    # the headings that carry filters name the set (a screenshot says what it shows)
    headings = [s.value for s in at.subheader if " · " in s.value or "(" in s.value]
    assert headings and all(f"peer set {set_name}" in h for h in headings), headings
    if name == "trends":  # the whole set is compared
        assert len(at.multiselect[0].value) == len(members)
        return
    listed = set()
    for table in at.dataframe:
        frame = table.value.data if hasattr(table.value, "data") else table.value
        if "Institution" in frame:
            listed |= {str(v).split(" · ")[0] for v in frame["Institution"]}
    assert listed and listed <= set(members), listed - set(members)
    if name == "league":  # all of them, ranked among themselves
        table = at.dataframe[0].value
        table = table.data if hasattr(table, "data") else table  # a styled table
        assert sorted(table["Institution"]) == sorted(members)
        assert list(table["Rank"]) == list(range(1, len(members) + 1))
