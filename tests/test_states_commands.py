"""The command line's `top`, `posts`, `status`, `report` and `peers` in every warehouse state a real
installation passes through (tests/states.py): no exception, no "None", "NaT" or "nan" shown, and
a message that says what is missing. The pages are in test_states.py: a file of its own, so that
make test's workers share the matrix."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from click.testing import CliRunner

from tests.states import GONE_SET, NIGHT, STATE_NAMES, STATES
from warehouse.domain.posts import parse_period
from warehouse.read import queries
from warehouse.read.monthly import Selection, monthly_report

pytestmark = pytest.mark.timeout(180)

# How a missing value looks when it slips through: Python's, pandas' and NumPy's spellings.
LEAKED = re.compile(r"\b(None|NaT|nan|NaN)\b|<NA>")
BY_NAME = {s.name: s for s in STATES}


# ---- the command line ---------------------------------------------------------------------------


def finsocial(db, *args: str):
    from finsocial.cli import cli

    return CliRunner().invoke(cli, ["--db", str(db), *args])


def no_leaks(text: str) -> None:
    found = [line for line in text.splitlines() if LEAKED.search(line)]
    assert not found, found


@pytest.mark.parametrize(
    "metric", ["followers", "growth_30d", "engagement_rate", "share_of_voice", "negative_share", "mentions"]
)
@pytest.mark.parametrize("state", STATE_NAMES)
def test_top_in_every_format_in_every_state(warehouse_state, state, metric):
    db = warehouse_state(state)
    outputs = {}
    for fmt in ("table", "csv", "json", "markdown"):
        result = finsocial(db, "top", "--platform", "all", "--metric", metric, "--format", fmt)
        assert not isinstance(result.exception, (TypeError, ValueError, AttributeError)), result.exception
        no_leaks(result.output)
        if not BY_NAME[state].counts:
            assert result.exit_code != 0
            next_step = "finsocial init" if state == "no_file" else "finsocial collect"
            assert next_step in result.output, result.output
            continue
        if (
            "no institution has a value" in result.output
            or "no institution reaches the minimum" in result.output
        ):
            # issue 11: a table where nobody has a value (growth on the first night, engagement of
            # manual counts) is a message and exit 1, not rows of "–"
            assert result.exit_code == 1, result.output
            continue
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.stdout
    if not outputs:
        return
    rows = json.loads(outputs["json"])
    assert rows and all(r["metric"] == metric for r in rows)
    if metric == "engagement_rate":  # a rate by audience: the minimum and what it left out are said
        assert "at least 1,000 followers" in outputs["table"].splitlines()[0], outputs["table"]
        assert "under 1,000 followers left out." in outputs["table"]
        assert "under 1,000 followers left out." in outputs["markdown"]
    for row in rows:
        for key, value in row.items():
            assert value is None or not (isinstance(value, float) and value != value), (key, value)
    # honest totals: a total that misses some of its accounts of the day says so, the others do not
    short = {r["institution_id"]: r["accounts_without_data"] for r in rows if r["accounts_without_data"]}
    if metric in ("share_of_voice", "negative_share", "mentions"):
        assert all(r["accounts_without_data"] is None for r in rows)  # not a sum of accounts
    elif state == "two_nights":
        assert short == {"northwind": 1}, short
        assert "1 of 2 accounts without data" in outputs["table"]
        assert "| 1 of 2 accounts without data |" in outputs["markdown"]
    elif state != "demo":
        assert not short and "without data" not in outputs["table"], short
    table = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert [r["institution_id"] for r in table] == [r["institution_id"] for r in rows]
    for json_row, csv_row in zip(rows, table, strict=True):
        for key, value in json_row.items():
            # a missing value is null in JSON and an empty cell in CSV
            assert (value is None) == (csv_row[key] == ""), (key, value, csv_row[key])


@pytest.mark.parametrize("state", STATE_NAMES)
def test_posts_by_a_rate_in_every_state(warehouse_state, state):
    """Post rankings by a rate state their minimums in every format, and how many posts they left out."""
    db = warehouse_state(state)
    month = (NIGHT - dt.timedelta(days=1)).strftime("%Y-%m")  # the month of the states' latest posts
    outputs = {}
    for fmt in ("table", "csv", "json", "markdown"):
        result = finsocial(db, "posts", "--period", month, "--by", "engagement_rate", "--format", fmt)
        assert not isinstance(result.exception, (TypeError, ValueError, AttributeError)), result.exception
        no_leaks(result.output)
        if result.exit_code != 0:  # no posts (no counts, manual counts only) or none reaches the minimum
            assert result.exit_code == 1 and "error: no" in result.output, result.output
            continue
        outputs[fmt] = result.stdout
    if not outputs:
        return
    rows = json.loads(outputs["json"])
    assert {(r["min_followers"], r["min_comments"]) for r in rows} == {(1000, None)}
    assert all(r["followers"] >= 1000 for r in rows), rows
    assert outputs["table"].splitlines()[0].endswith("· accounts with at least 1,000 followers")
    assert "under 1,000 followers left out." in outputs["table"]
    assert "under 1,000 followers left out." in outputs["markdown"]
    assert [r["min_followers"] for r in csv.DictReader(io.StringIO(outputs["csv"]))] == ["1000"] * len(rows)


@pytest.mark.parametrize("state", STATE_NAMES)
def test_status_in_every_state(warehouse_state, state):
    db = warehouse_state(state)
    result = finsocial(db, "status")
    no_leaks(result.output)
    if state == "no_file":
        assert result.exit_code != 0 and "finsocial init" in result.output
        return
    assert result.exit_code == 0, result.output
    stale = finsocial(db, "status", "--max-age", "72")
    no_leaks(stale.output)
    # with no platform at all, nothing is stale; the demo's age depends on today's date (its api
    # platforms pass 72 h, its imported ones are judged by their weekly cadence)
    if state not in ("empty", "demo"):
        fresh = BY_NAME[state].counts and state != "stale"
        assert (stale.exit_code == 0) == fresh, stale.output
    if state == "free_only":
        # platforms without their credential are off: named once, never stale
        assert (
            "Off (not collected, never stale): x (FINSOCIAL_X_BEARER_TOKEN not set), youtube " in stale.output
        )
        assert stale.output.count("FINSOCIAL_X_BEARER_TOKEN") == 1


def test_commands_on_a_peer_set_naming_an_institution_gone_from_the_registry(warehouse_state, tmp_path):
    db = warehouse_state("peer_set")
    top = finsocial(db, "top", "--peers", GONE_SET, "--format", "json")
    assert top.exit_code == 0, top.output
    # Northwind's 12,840 + 5,400 followers and South Bank's 980 + 310, among themselves
    assert [(r["institution_id"], r["rank"], r["value"]) for r in json.loads(top.stdout)] == [
        ("northwind", 1, 18_240),
        ("southbank", 2, 1_290),
    ]
    assert f"note: peer set {GONE_SET}: oldbank is no longer in the registry, so left out" in top.stderr
    # the report takes the set the same way (a month without data: an error, after the note, no files)
    report = finsocial(db, "report", "--peers", GONE_SET, "--period", "2020-01", "--output", str(tmp_path))
    assert f"note: peer set {GONE_SET}: oldbank is no longer in the registry" in report.stderr
    assert report.exit_code == 1 and "no data in 2020-01" in report.stderr
    assert not any(tmp_path.iterdir())
    with queries.connect(db) as con:
        made = monthly_report(
            con,
            parse_period(f"{NIGHT.year}-{NIGHT.month:02d}"),
            Selection(institution_id="northwind", peer_set=GONE_SET, institutions=("northwind", "southbank")),
        )
    assert made.peers == ["northwind", "southbank"]
    assert made.title.startswith("Northwind Bank: ") and made.title.endswith(f"against peer set {GONE_SET}")
    gone = finsocial(db, "peers", "list")
    assert (
        f"{GONE_SET}: northwind against oldbank, southbank (oldbank no longer in the registry)" in gone.stdout
    )
