"""`finsocial collect` on a searchPosts answer no one would design: a text of megabytes, zero-width
and right-to-left characters, HTML with a script, emoji only, languages without a lexicon, and
posts missing their record, author, time or text. What names the institution lands with its tone,
what does not is dropped as a loose match, what cannot be read is skipped; nothing crashes, no text
is kept, and the built metrics are as worked by hand."""

from __future__ import annotations

import pyarrow.parquet as pq

from tests.mentions.test_collect_mentions import collect_with_search
from tests.mentions.test_search_sources import NOW, post
from warehouse.build.builder import build
from warehouse.read import queries

HUGE = "Northwind Bank app down again, terrible. " + "lorem ipsum dolor " * 200_000  # 3.6 MB


def hostile(seen):
    if seen.query["q"] == '"South Bank"':
        return {
            "posts": [post("s1", "did:plc:carl", "carl.bsky.social", "Love South Bank, great service", 7)]
        }
    if seen.query["q"] != '"Northwind Bank"':
        return {"posts": []}
    no_record = post("m1", "did:plc:hal", "hal.bsky.social", "Northwind Bank terrible", 5)
    del no_record["record"]
    no_author = post("m2", "did:plc:hal", "hal.bsky.social", "Northwind Bank terrible", 5)
    del no_author["author"]
    no_time = post("m3", "did:plc:hal", "hal.bsky.social", "Northwind Bank terrible", 5)
    del no_time["record"]["createdAt"], no_time["indexedAt"]
    indexed_only = post(
        "m5", "did:plc:ivy", "ivy.bsky.social", "Northwind Bank app down again, terrible service", 5
    )
    del indexed_only["record"]["createdAt"]  # placed on its day by indexedAt
    text_not_a_string = post("m4", "did:plc:hal", "hal.bsky.social", "", 5)
    text_not_a_string["record"]["text"] = 12345
    return {
        "posts": [
            post("h1", "did:plc:alice", "alice.bsky.social", HUGE, 5),
            post("h2", "did:plc:bob", "bob.bsky.social", "\u200bNorth\u200bwind\u200d Bank\u200f is \u202eterrible\u202c", 5),
            post("h3", "did:plc:carl", "carl.bsky.social", "\u200b\u200c\u200d\u200f\u202e\u2066\u2069", 5),
            post("h4", "did:plc:dave", "dave.bsky.social", "<p>Northwind Bank is <b>great</b></p><script>terrible terrible</script>", 5),
            post("h5", "did:plc:erin", "erin.bsky.social", "😡😡😡", 5),
            post("h6", "did:plc:alice", "alice.bsky.social", "Northwind Bank 😡😡😡", 5),
            post("h7", "did:plc:fred", "fred.bsky.social", "Northwind Bank on aivan kauhea pankki, en suosittele", 5),
            post("h8", "did:plc:gina", "gina.bsky.social", "בנק Northwind Bank גרוע מאוד", 5),
            no_record,
            no_author,
            no_time,
            text_not_a_string,
            indexed_only,
            "not a post",
            None,
        ]
    }  # fmt: skip


def test_hostile_posts_land_what_names_the_institution_and_build_right(tmp_path):
    paths, result, lines = collect_with_search(tmp_path, hostile, read_timeout=5)
    assert result.status == "complete", lines
    # Northwind: h1, h2, h4, h6, h7, h8 and m5 name it; h3 (zero-width and direction marks only)
    # and h5 (emoji only) do not: loose matches. Four posts without a record, author, time or
    # text, and two non-posts, are skipped.
    stats = result.stats["mentions"]["bluesky"]
    assert (stats["searched"], stats["mentions"], stats["dropped"], stats["failed"]) == (2, 8, 2, 0)
    # the six skipped are counted, said in the summary and landed as Northwind's parse_error, naming
    # what each lacked; the searches did not fail (South Bank's answer was whole: no error of its own)
    assert stats["malformed"] == 6
    [said] = [line for line in lines if line.startswith("bluesky mentions:")]
    assert (
        "2/2 institutions searched, 8 mentions kept, 2 loose matches dropped, 6 malformed posts skipped"
        in said
    )
    [errors_file] = paths.landing.rglob("errors.parquet")
    [error] = pq.read_table(errors_file).to_pylist()
    assert (error["institution_id"], error["platform"], error["handle"], error["kind"]) == (
        "northwind", "bluesky", None, "parse_error"
    )  # fmt: skip
    assert error["message"] == (
        "mentions: 6 posts of the search answer skipped: author.did (1), not a post view (2),"
        " record.createdAt (1), record.text (2)"
    )

    [mentions_file] = paths.landing.rglob("mentions.parquet")
    landed = {m["post_id"].rsplit("/", 1)[1]: m for m in pq.read_table(mentions_file).to_pylist()}
    assert {k: (m["language"], m["tone"]) for k, m in landed.items()} == {
        "h1": ("en", "negative"),  # the first words of a text of megabytes
        "h2": ("en", "negative"),  # zero-width and direction marks do not split "Northwind" or hide "terrible"
        "h4": ("en", "positive"),  # HTML tags stripped, the script's words not read
        "h6": (None, "negative"),  # a clear emoji decides without a language
        "h7": ("fi", None),  # a language without a lexicon: no tone
        "h8": ("he", None),
        "m5": ("en", "negative"),
        "s1": ("en", "positive"),
    }  # fmt: skip
    # no text kept anywhere: the whole landing zone is far smaller than the one text of megabytes
    assert sum(p.stat().st_size for p in paths.landing.rglob("*") if p.is_file()) < 200_000

    build(paths)
    with queries.connect(paths.db) as con:
        rows = con.execute(
            "SELECT institution_id, mentions, mention_authors, negative_share, positive_share"
            " FROM institution_mentions WHERE platform = 'bluesky' AND day = ? ORDER BY 1",
            [NOW.date()],
        ).fetchall()
    # Northwind: 7 mentions by 6 authors (alice twice); 5 have a tone: 4 negative, 1 positive
    assert rows == [("northwind", 7, 6, 80.0, 20.0), ("southbank", 1, 1, 0.0, 100.0)]
    with queries.connect(paths.db) as con:
        built = con.execute("SELECT institution_id, kind, message FROM run_errors").fetchall()
    assert built == [("northwind", "parse_error", error["message"])]
