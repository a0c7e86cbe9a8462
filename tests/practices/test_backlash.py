"""The backlash flag says why: a campaign post whose comments are mostly negative, in Dutch and in
English, is flagged "negative comments"; a post whose many comments are in a language without a
lexicon is judged by its angry reactions (Facebook) or not at all. Facebook pages on the local
server in the Graph API's documented format, through `collect`, `build` and `finsocial posts`."""

from __future__ import annotations

import json

import duckdb
import pytest
from click.testing import CliRunner

from collectors.run import collect
from finsocial.cli import cli
from tests.support.collector_fakes import NOW, write_registry
from warehouse.build.builder import build

NL_ANGRY = ["Wat een slechte bank, echt schandalig!", "Waardeloze service, ik ben boos en teleurgesteld"]
NL_KIND = ["Dit is een goed idee", "Mooie campagne, goed gedaan"]
EN_ANGRY = [
    "This is terrible, awful service. Shame on you!",
    "What a horrible and disgusting advert, I hate it",
]
EN_KIND = ["What a great and helpful initiative, thank you so much"]
PL = ["To jest okropne, fatalna obsługa klienta", "Nie podoba mi się ta reklama"]


def comment(post: str, n: int, text: str) -> dict:
    return {
        "id": f"{post}_{n}",
        "created_time": f"2026-02-26T{10 + n // 60:02d}:{n % 60:02d}:00+0000",
        "from": {"name": "A Customer", "id": f"555{n:04d}"},
        "message": text,
        "comment_count": 0,
    }


def post(page: str, n: int, texts: list[str], likes: int, angry: int) -> tuple[dict, dict]:
    post_id = f"{page}_{n}"
    summary = {
        "id": post_id,
        "created_time": f"2026-02-{20 + n:02d}T09:00:00+0000",
        "permalink_url": f"https://www.facebook.com/{page}/posts/{n}",
        "message": "Onze nieuwe campagne" if page.startswith("1") else "Our new campaign",
        # reactions of every kind, and the ANGRY ones under the alias the collector asks for
        "reactions": {"data": [], "summary": {"total_count": likes, "viewer_reaction": "NONE"}},
        "reactions_angry": {"data": [], "summary": {"total_count": angry}},
        "comments": {"data": [], "summary": {"order": "ranked", "total_count": len(texts)}},
    }
    edge = {
        "data": [comment(post_id, i, t) for i, t in enumerate(texts)],
        "paging": {"cursors": {"before": "QVFIUbefore", "after": "QVFIUafter"}},
    }
    return summary, edge


PAGES = {
    # Dutch: 24 of 30 comments negative
    "northwindbank": ("100", [(1, NL_ANGRY * 12 + NL_KIND * 3, 100, 2)]),
    # English: 20 of 25 negative
    "southbank": ("200", [(1, EN_ANGRY * 10 + EN_KIND * 5, 100, 1)]),
    # Polish, no lexicon: 40 comments each; the first drew 60 angry reactions of 200, the second none
    "polskibank": ("300", [(1, PL * 20, 200, 60), (2, PL * 20, 200, 0)]),
}
REGISTRY = [
    {
        "institution_id": "northwind",
        "name": "Northwind",
        "kind": "bank",
        "country": "NL",
        "facebook": "northwindbank",
    },
    {
        "institution_id": "southbank",
        "name": "Southbank",
        "kind": "bank",
        "country": "GB",
        "facebook": "southbank",
    },
    {
        "institution_id": "polski",
        "name": "Polski Bank",
        "kind": "bank",
        "country": "PL",
        "facebook": "polskibank",
    },
]


@pytest.fixture(scope="module")
def flagged_db(tmp_path_factory):
    from collectors.http import HttpClient
    from localservers import TOKENS
    from tests.support.collector_fakes import FakeServer
    from warehouse.infra.paths import DataPaths

    server = FakeServer()
    pages = {}
    for handle, (page_id, posts) in PAGES.items():
        summaries = []
        for n, texts, likes, angry in posts:
            summary, edge = post(page_id, n, texts, likes, angry)
            summaries.append(summary)
            server.route(f"/v21.0/{summary['id']}/comments", edge)
        pages[handle] = {
            "id": page_id,
            "name": handle,
            "fan_count": 1000,
            "followers_count": 1200,
            "posts": {"data": summaries},
        }
    server.route("/v21.0/", pages)  # the ids= lookup of every page at once
    paths = DataPaths(tmp_path_factory.mktemp("backlash") / "finsocial.duckdb")
    write_registry(paths, [{**r, "website": "https://bank.example/"} for r in REGISTRY])
    env = {"FINSOCIAL_FACEBOOK_API": server.url + "/v21.0", **TOKENS}
    client = HttpClient(timeout=(1.0, 2.0), max_retries=0, sleep=lambda _: None, limits_enabled=False)
    try:
        result = collect(paths, ["facebook"], client=client, now=NOW, env=env, log=lambda _: None)
        assert result.status == "complete", result
        assert json.dumps(server.requests_to("/v21.0/")[0].query).count("reactions.type(ANGRY)") == 1
    finally:
        server.close()
    build(paths)
    return paths.db


def flagged(db) -> dict[str, str]:
    result = CliRunner().invoke(
        cli, ["--db", str(db), "posts", "--flagged", "--period", "2026-02", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return {r["post_id"]: r["flag_reason"] for r in json.loads(result.stdout)}


def test_a_mostly_negative_campaign_post_is_flagged_for_its_negative_comments(flagged_db):
    reasons = flagged(flagged_db)
    assert reasons["100_1"] == "negative comments"  # Dutch
    assert reasons["200_1"] == "negative comments"  # English
    con = duckdb.connect(str(flagged_db), read_only=True)
    try:
        shares = dict(
            con.execute(
                "SELECT post_id, [comments_toned, negative_comments] FROM post_practices WHERE post_id IN ('100_1', '200_1')"
            ).fetchall()
        )
    finally:
        con.close()
    # every comment judged; 24 of 30 and 20 of 25 negative: 80%, at least 2× the default norm of 15%
    assert shares == {"100_1": [30, 24], "200_1": [25, 20]}


def test_comments_in_a_language_without_a_lexicon_are_judged_by_reactions_or_not_at_all(flagged_db):
    reasons = flagged(flagged_db)
    # 60 angry of 200 reactions: 30%, at least 5% and twice the account's own (none before)
    assert reasons["300_1"] == "angry reactions"
    # the same comments without angry reactions: no verdict, never a guess from the words
    assert "300_2" not in reasons
    con = duckdb.connect(str(flagged_db), read_only=True)
    try:
        toned = con.execute(
            "SELECT post_id, comments_toned, negative_comment_share, angry_share FROM post_practices"
            " WHERE post_id LIKE '300_%' ORDER BY post_id"
        ).fetchall()
    finally:
        con.close()
    assert toned == [("300_1", 0, None, 30.0), ("300_2", 0, None, 0.0)]


def test_the_table_and_markdown_say_why(flagged_db):
    table = CliRunner().invoke(cli, ["--db", str(flagged_db), "posts", "--flagged", "--period", "2026-02"])
    assert table.exit_code == 0, table.output
    assert "negative comments" in table.output and "angry reactions" in table.output
    md = CliRunner().invoke(
        cli, ["--db", str(flagged_db), "posts", "--flagged", "--period", "2026-02", "--format", "markdown"]
    )
    assert "⚠ negative comments" in md.output and "⚠ angry reactions" in md.output
