"""A league with declines, exported as the command line draws it, read back in Chromium: every
negative value keeps its minus beside its own bar (never under the names) and the heading carries
every filter."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.e2e.conftest import CHROMIUM
from tests.warehouse.conftest import land, snap
from warehouse.infra.paths import DataPaths

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(180),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

REGISTRY = """institution_id,name,kind,country,website,groups,x
aldmoor,Aldmoor Bank,bank,NL,https://aldmoor.example/,nl-banks,aldmoor
brisk,Brisk,bank,NL,https://brisk.example/,nl-banks,brisk
zanmere,Zanmere Assurance Bank,bank,NL,https://zanmere.example/,nl-banks,zanmere
dunhallow,Dunhallow Savings Bank of the Lowlands,bank,NL,https://dunhallow.example/,nl-banks,dunhallow
eskervale,Eskervale Bank,bank,NL,https://eskervale.example/,nl-banks,eskervale
fenwick,Fenwick Bank,bank,NL,https://fenwick.example/,nl-banks,fenwick
outsider,Outsider Bank,bank,GB,https://outsider.example/,,outsider
"""
# followers on 2026-03-01 and on 2026-03-31: growth_30d_pct = (after - before) / before x 100
FOLLOWERS = {
    "aldmoor": (1000, 1100),  # +10.00%
    "brisk": (2000, 1985),  # -0.75%
    "zanmere": (5000, 4963),  # -0.74%
    "dunhallow": (4000, 3000),  # -25.00%
    "eskervale": (10000, 10100),  # +1.00%
    "fenwick": (3000, 3000),  # 0.00%
    "outsider": (1000, 500),  # -50.00%, but in GB: filtered out
}
EXPECTED = [
    ("Aldmoor Bank", "+10.00%"),
    ("Eskervale Bank", "+1.00%"),
    ("Fenwick Bank", "0.00%"),
    ("Zanmere Assurance Bank", "-0.74%"),
    ("Brisk", "-0.75%"),
    ("Dunhallow Savings Bank of the Lowlands", "-25.00%"),
]
FILTERS = ["--platform", "x", "--metric", "growth_30d_pct", "--country", "nl", "--kind", "bank"]
FILTERS += ["--group", "nl-banks", "--as-of", "2026-03-31"]
# a rate by audience ranks accounts of at least 1,000 followers (all six have), and says so
HEADING = "Top 6 by Growth, 30 days (%) on X · NL · Bank · group nl-banks · at least 1,000 followers · as of 2026-03-31"

# Each bar's box, its label's box, and the boxes of the names beside the axis, as drawn.
BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; };
  const points = [...document.querySelectorAll('g.trace.bars g.point')];
  return {
    bars: points.map(p => ({bar: box(p.querySelector('path')),
                            text: p.querySelector('text') ? p.querySelector('text').textContent : null,
                            label: p.querySelector('text') ? box(p.querySelector('text')) : null})),
    names: [...document.querySelectorAll('g.ytick text')].map(t => ({text: t.textContent, box: box(t)})),
    title: [...document.querySelectorAll('.gtitle')].map(t => t.textContent),
  };
}"""


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("export")
    registry = root / "registry.csv"
    registry.write_text(REGISTRY)
    db = root / "data" / "finsocial.duckdb"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "registry", "import", str(registry)]).exit_code == 0
    for day, side in (("2026-03-01", 0), ("2026-03-31", 1)):
        land(DataPaths(db), [snap(i, "x", i, day, f[side]) for i, f in FOLLOWERS.items()], day=day)
    assert runner.invoke(cli, ["--db", str(db), "build"]).exit_code == 0
    return db


def test_an_exported_league_keeps_each_minus_beside_its_bar_and_every_filter_in_its_heading(
    db, tmp_path, browser
):
    svg, png = tmp_path / "league.svg", tmp_path / "league.png"
    for fmt, out in (("svg", svg), ("png", png)):
        result = CliRunner().invoke(
            cli, ["--db", str(db), "top", *FILTERS, "--format", fmt, "--output", str(out)]
        )
        assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">I", png.read_bytes()[16:20])[0] == 2000  # the same 1000 px figure, at scale 2

    page = browser.new_page()
    page.goto(svg.as_uri())
    drawn = page.evaluate(BOXES)
    page.close()
    assert drawn["title"] == [HEADING]
    names = sorted(drawn["names"], key=lambda n: n["box"][2])  # top to bottom
    assert [n["text"] for n in names] == [f"{i} · {name}" for i, (name, _) in enumerate(EXPECTED, 1)]
    assert [b["text"] for b in drawn["bars"]] == [value for _, value in EXPECTED]
    names_end = max(n["box"][1] for n in drawn["names"])
    for (name, value), bar, row in zip(EXPECTED, drawn["bars"], names, strict=True):
        b_left, b_right, b_top, b_bottom = bar["bar"]
        t_left, t_right, t_top, t_bottom = bar["label"]
        assert t_left > names_end, f"{name}: label {value} starts under the names"
        assert t_top < (row["box"][2] + row["box"][3]) / 2 < t_bottom, f"{name}: {value} is not on its row"
        if value == "0.00%":
            continue  # no bar to stand beside
        if value.startswith("-"):
            # the minus reads first, just left of the bar's end
            assert 0 <= b_left - t_right <= 12, (name, value, bar)
        else:
            assert 0 <= t_left - b_right <= 12, (name, value, bar)


def test_the_dashboards_league_chart_keeps_its_minus_signs_at_page_widths(db, browser, tmp_path):
    # the league page draws the same chart in its right-hand column: about 560 px at 1280, 640 at 1440
    import pandas as pd

    from dashboard.charts import league_bar
    from dashboard.export import figure_image
    from warehouse.read import queries

    with queries.connect(db) as con:
        rows, _ = queries.league_rows(con, "x", "growth_30d_pct", None, "NL", "bank", "nl-banks", 10)
    for width in (560, 640):
        path = tmp_path / f"bar-{width}.svg"
        path.write_bytes(figure_image(league_bar(pd.DataFrame(rows), "growth_30d_pct", "x"), "svg", width))
        page = browser.new_page()
        page.goto(path.as_uri())
        drawn = page.evaluate(BOXES)
        page.close()
        names_end = max(n["box"][1] for n in drawn["names"])
        for bar in drawn["bars"]:
            assert bar["label"][0] > names_end, (width, bar)
            assert bar["label"][1] <= width, (width, bar)  # nothing cut at the right edge
