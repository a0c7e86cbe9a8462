"""Of several observations of one snapshot key or one post, the build keeps the latest collected,
whichever run landed it and whether or not the key has a handle (stg_snapshots, stg_posts: only
keys seen more than once go through the window that picks it)."""

from __future__ import annotations

import duckdb

from tests.warehouse.conftest import at, land, post, snap
from warehouse.build.builder import build
from warehouse.inputs.registry import parse_registry, save_registry


def test_the_latest_observation_wins_in_one_build(paths, registry_file):
    save_registry(parse_registry(registry_file), paths.registry)
    alpha = ("alpha-bank", "x", "alpha")
    land(paths, [snap(*alpha, f"2026-03-0{d}", 100 * d) for d in (1, 2, 3)], day="2026-03-03")
    # landed later, collected earlier: loses to the first run's 3 March
    land(paths, [snap(*alpha, "2026-03-03", 999, collected_at=at("2026-03-03", 1))], day="2026-03-04")
    # collected later: replaces 2 March
    land(paths, [snap(*alpha, "2026-03-02", 250, collected_at=at("2026-03-04", 5))], day="2026-03-04")
    # counts without a handle where the registry has no account: the key's handle stays NULL
    bravo = ("bravo-ins", "instagram", None)
    land(paths, [snap(*bravo, "2026-03-02", 40, collected_at=at("2026-03-02", 9))], "import", "2026-03-02")
    land(paths, [snap(*bravo, "2026-03-02", 41, collected_at=at("2026-03-02", 10))], "import", "2026-03-02")
    land(paths, [snap(*bravo, "2026-03-03", 42)], "import", "2026-03-03")
    # a post seen three times: its counts as last seen
    for likes, hour in ((5, 4), (9, 6), (7, 5)):
        seen = post(*alpha, "p1", "2026-03-02", likes=likes, comments=1)
        seen.collected_at = at("2026-03-03", hour)
        land(paths, [seen], day="2026-03-03")
    land(paths, [post(*alpha, "p2", "2026-03-03", likes=3)], day="2026-03-03")
    build(paths, full=True)

    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        snapshots = con.execute(
            "SELECT account_id, snapshot_date::VARCHAR, followers FROM account_snapshots ORDER BY ALL"
        ).fetchall()
        posts = con.execute("SELECT post_id, likes, interactions FROM posts ORDER BY post_id").fetchall()
    finally:
        con.close()
    assert snapshots == [
        ("alpha-bank/x/alpha", "2026-03-01", 100),
        ("alpha-bank/x/alpha", "2026-03-02", 250),
        ("alpha-bank/x/alpha", "2026-03-03", 300),
        ("bravo-ins/instagram/-", "2026-03-02", 41),
        ("bravo-ins/instagram/-", "2026-03-03", 42),
    ]
    assert posts == [("p1", 9, 10), ("p2", 3, 3)]
