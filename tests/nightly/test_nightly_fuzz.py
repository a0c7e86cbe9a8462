"""Bad input, fuzzed: importers and parsers end in a clear error, never a crash or a wrong number."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors import COLLECTOR_BY_PLATFORM
from collectors.discover import parse_page
from collectors.http import HttpClient
from finsocial.cli import cli
from localservers import TOKENS
from tests.support.collector_fakes import make_collector, target
from warehouse.domain.handles import normalize_handle
from warehouse.infra.csvcheck import InputError
from warehouse.infra.paths import DataPaths
from warehouse.inputs.counts import parse_count, parse_counts
from warehouse.inputs.registry import COUNTRIES, KINDS, parse_registry
from warehouse.landing.records import PLATFORMS, to_table
from warehouse.landing.runs import complete_runs, incomplete_runs

CASES: Counter = Counter()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
INT64_MAX = 2**63 - 1


@pytest.fixture(scope="module", autouse=True)
def report_cases():
    yield
    out = Path(__file__).resolve().parents[2] / "test-artifacts" / "nightly-fuzz.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({**CASES, "total": sum(CASES.values())}, indent=2))
    print(f"\nfuzz cases tried: {dict(CASES)}, total {sum(CASES.values())}")


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


# every example's file in one folder, removed when the process ends (a folder an example was left
# on the test machine's tmpfs: some 2,700 a run)
_FUZZ_FILES = tempfile.TemporaryDirectory(prefix="fuzz-")


def temp_file(data: str | bytes) -> Path:
    folder = Path(tempfile.mkdtemp(dir=_FUZZ_FILES.name))
    path = folder / "input.csv"
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


def assert_clear(exc: InputError, path: Path) -> None:
    assert exc.problems, "an InputError names at least one problem"
    for problem in exc.problems:
        assert problem.file == str(path) and problem.message
    assert "nothing from the file was applied" in str(exc)


garbage = st.text(max_size=12)

# -- the registry ------------------------------------------------------------------------------

REGISTRY_HEADER = [
    "institution_id",
    "name",
    "kind",
    "country",
    "website",
    "groups",
    "total_assets",
    "bluesky",
    "x",
]
registry_cells = {
    "institution_id": st.sampled_from(["northwind", "south-bank", "Bad Id", "", "a" * 70]) | garbage,
    "name": st.sampled_from(["Northwind Bank", ""]) | garbage,
    "kind": st.sampled_from([*KINDS, "Bank", ""]) | garbage,
    "country": st.sampled_from(["GB", "NL", "UK", "gb", ""]) | garbage,
    "website": st.sampled_from(["https://www.northwind.example/", "northwind.example", "ftp://x.y"])
    | garbage,
    "groups": st.sampled_from(["", "g-sib;eu", "Bad Tag"]) | garbage,
    "total_assets": st.sampled_from(["", "1e9", "-5", "1_000"]) | garbage,
    "bluesky": st.sampled_from(["", "northwind.bsky.social", "https://bsky.app/profile/x.bsky.social", "@@"])
    | garbage,
    "x": st.sampled_from(["", "@NorthwindBank", "https://x.com/northwind", "no spaces allowed"]) | garbage,
}


@st.composite
def registry_files(draw) -> str | bytes:
    shape = draw(st.sampled_from(["rows", "rows", "rows", "header", "bytes"]))
    if shape == "bytes":
        return draw(st.binary(max_size=200))
    header = list(REGISTRY_HEADER)
    if shape == "header":
        header = draw(st.permutations(header + ["unknown", "name"]))[: draw(st.integers(0, 10))]
    rows = draw(
        st.lists(st.fixed_dictionaries({c: registry_cells.get(c, garbage) for c in header}), max_size=4)
    )
    return csv_text(header, [[row[c] for c in header] for row in rows])


@FUZZ
@given(data=registry_files())
def test_registry_import_ends_in_institutions_or_a_clear_error(data):
    CASES["registry"] += 1
    path = temp_file(data)
    try:
        institutions = parse_registry(path)
    except InputError as exc:
        assert_clear(exc, path)
        return
    for inst in institutions:
        assert inst.kind in KINDS and inst.country in COUNTRIES
        assert inst.website.startswith(("http://", "https://"))
        for platform, handles in inst.handles.items():
            assert all(normalize_handle(platform, h) == h for h in handles)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=registry_files())
def test_a_bad_registry_file_applies_nothing(data):
    CASES["registry import (CLI)"] += 1
    path = temp_file(data)
    try:
        parse_registry(path)
        return  # a good file: the other test covers it
    except InputError:
        pass
    paths = DataPaths(path.parent / "data" / "finsocial.duckdb")
    paths.ensure()
    installed = "institution_id,name,kind,country,website\nkeep,Keep Bank,bank,GB,https://keep.example/\n"
    paths.registry.write_text(installed)
    result = CliRunner().invoke(cli, ["--db", str(paths.db), "registry", "import", str(path)])
    assert result.exit_code == 1
    assert "error:" in result.output and str(path) in result.output
    assert paths.registry.read_text() == installed
    assert not paths.db.exists()


# -- the counts importer -----------------------------------------------------------------------

TODAY = dt.date(2026, 3, 1)
COUNTS_HEADER = ["institution_id", "platform", "date", "followers", "handle", "likes_total"]


@st.composite
def follower_cells(draw) -> tuple[str, int | None]:
    """(cell text, the number a person meant, or None for text that is not meant as a count)."""
    n = draw(st.integers(0, 10**12))
    return draw(
        st.sampled_from(
            [
                (str(n), n),
                (f"{n:,}", n),
                (f" {n} ", n),
                (f"{n:,}".replace(",", "."), None),
                (str(-n - 1), None),
                ("", None),
                ("n/a", None),
                (f"{n}.5", None),
            ]
        )
        | garbage.map(lambda t: (t, None))
    )


@st.composite
def counts_files(draw) -> tuple[str, list[tuple[str, int | None]]]:
    rows, meant = [], []
    for _ in range(draw(st.integers(0, 4))):
        cell, number = draw(follower_cells())
        rows.append(
            [
                draw(st.sampled_from(["northwind", "unknown", ""]) | garbage),
                draw(st.sampled_from(["linkedin", "tiktok", "LinkedIn", "myspace", ""])),
                draw(st.sampled_from(["2026-02-28", "2026-03-02", "28/02/2026", ""])),
                cell,
                draw(
                    st.sampled_from(
                        ["", "northwind-bank", "https://www.linkedin.com/company/northwind/", "@@"]
                    )
                ),
                draw(st.sampled_from(["", "1.2M", "12,345", "-3", "x"])),
            ]
        )
        meant.append((cell, number))
    return csv_text(COUNTS_HEADER, rows), meant


@FUZZ
@given(case=counts_files())
def test_counts_import_stores_the_number_meant_or_names_the_bad_cell(case):
    CASES["counts"] += 1
    text, meant = case
    path = temp_file(text)
    try:
        snapshots = parse_counts(path, {"northwind"}, TODAY)
    except InputError as exc:
        assert_clear(exc, path)
        for problem in exc.problems:
            assert problem.row is None or problem.row >= 1
        return
    assert len(snapshots) == len(meant)
    for snapshot, (cell, number) in zip(snapshots, meant, strict=True):
        # an empty cell is a count not published (NULL) when the row has another count
        expected = number if number is not None else parse_count(cell)[0] if cell.strip() else None
        assert snapshot.followers == expected
        assert expected is None or snapshot.followers <= INT64_MAX
    to_table("snapshots", snapshots)  # lands without an overflow


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=counts_files())
def test_a_bad_counts_file_lands_nothing(case):
    CASES["import-counts (CLI)"] += 1
    text, _ = case
    path = temp_file(text)
    try:
        parse_counts(path, {"northwind"}, dt.datetime.now(dt.UTC).date())
        return
    except InputError:
        pass
    paths = DataPaths(path.parent / "data" / "finsocial.duckdb")
    paths.ensure()
    paths.registry.write_text(
        "institution_id,name,kind,country,website\nnorthwind,N,bank,GB,https://n.example/\n"
    )
    result = CliRunner().invoke(cli, ["--db", str(paths.db), "import-counts", str(path)])
    assert result.exit_code == 1 and "error:" in result.output
    assert complete_runs(paths.landing) == [] and incomplete_runs(paths.landing) == []


# -- the collectors' parsers -------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
# A good payload per platform, and where its follower count sits.
PROFILES = {
    "bluesky": (
        {
            "did": "did:plc:n",
            "handle": "northwind.bsky.social",
            "followersCount": 5,
            "followsCount": 1,
            "postsCount": 2,
            "displayName": "N",
        },
        ("followersCount",),
    ),
    "mastodon": (
        {
            "id": "1",
            "followers_count": 5,
            "following_count": 1,
            "statuses_count": 2,
            "display_name": "N",
            "locked": False,
        },
        ("followers_count",),
    ),
    "youtube": (
        {
            "id": "UCnorthwindBank000000000",
            "statistics": {"subscriberCount": "5", "videoCount": "2", "viewCount": "9"},
            "snippet": {"title": "N"},
        },
        ("statistics", "subscriberCount"),
    ),
    "x": (
        {
            "id": "1",
            "name": "N",
            "protected": False,
            "public_metrics": {"followers_count": 5, "following_count": 1, "tweet_count": 2},
        },
        ("public_metrics", "followers_count"),
    ),
    "facebook": ({"id": "1", "name": "N", "followers_count": 5, "fan_count": 4}, ("followers_count",)),
    "instagram": (
        {"id": "1", "name": "N", "followers_count": 5, "follows_count": 1, "media_count": 2},
        ("followers_count",),
    ),
}
HANDLES = {
    "bluesky": "northwind.bsky.social",
    "mastodon": "news@bank.example",
    "youtube": "UCnorthwindBank000000000",
    "x": "NorthwindBank",
    "facebook": "northwindbank",
    "instagram": "northwindbank",
}


def paths_in(payload: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(payload, dict):
        for key, value in payload.items():
            found += paths_in(value, (*prefix, key))
    return found


def put(payload: dict, where: tuple, value: object) -> None:
    for key in where[:-1]:
        payload = payload[key]
    payload[where[-1]] = value


@st.composite
def profiles(draw, platform: str) -> dict:
    good, followers_at = PROFILES[platform]
    payload = json.loads(json.dumps(good))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from([followers_at, followers_at, *paths_in(good)]))
        if draw(st.booleans()) or len(where) == 1:
            # an earlier change may have replaced the parent: then there is nothing to put into
            with contextlib.suppress(KeyError, TypeError):
                put(payload, where, draw(json_values))
        else:
            parent = payload
            for key in where[:-2]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if isinstance(parent, dict):
                parent.pop(where[-2], None)
    return payload


def followers_given(payload: dict, platform: str) -> object:
    value: object = payload
    for key in PROFILES[platform][1]:
        value = value.get(key) if isinstance(value, dict) else None
    return value


@pytest.mark.parametrize("platform", list(PROFILES))
def test_collector_parsers_end_in_a_record_or_a_parse_error(platform):
    cls = COLLECTOR_BY_PLATFORM[platform]
    client = HttpClient(limits_enabled=False)

    @FUZZ
    @given(profile=profiles(platform), pages=st.lists(json_values, max_size=2))
    def check(profile, pages):
        CASES[f"parse {platform}"] += 1
        collector = make_collector(cls, client, TOKENS)
        collector.fetch_posts = lambda target, profile: pages  # the posts parser gets junk too
        outcome = collector.collect_account(target(platform, HANDLES[platform]), profile)
        if outcome.error is not None:
            assert outcome.error.kind in ("parse_error", "private", "not_found") and outcome.error.message
        given_count = followers_given(profile, platform)
        if outcome.snapshot is not None and outcome.snapshot.followers is not None:
            followers = outcome.snapshot.followers
            assert 0 <= followers <= INT64_MAX
            if isinstance(given_count, int) and not isinstance(given_count, bool):
                assert followers == given_count
            elif isinstance(given_count, str):
                assert followers == int(given_count.strip())
            else:
                assert isinstance(given_count, float) and followers == given_count
        # whatever came out lands: a value the landing schema cannot hold would lose the whole run
        to_table("snapshots", [outcome.snapshot] if outcome.snapshot else [])
        to_table("accounts", [outcome.account] if outcome.account else [])
        to_table("posts", outcome.posts)
        to_table("errors", [outcome.error] if outcome.error else [])

    check()


# -- the discovery HTML parser -----------------------------------------------------------------

PROFILE_URLS = [
    "https://bsky.app/profile/northwind.bsky.social",
    "https://x.com/NorthwindBank",
    "https://twitter.com/intent/tweet?text=hi",
    "https://www.facebook.com/sharer.php?u=x",
    "https://www.instagram.com/northwind/",
    "https://www.youtube.com/@northwind",
    "https://mastodon.social/@northwind",
    "https://www.linkedin.com/company/northwind/",
    "/over-ons",
    "/contact#team",
    "javascript:alert(1)",
    "https://x.com/",
    "mailto:a@b.c",
]


@st.composite
def html_pages(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["a", "chrome", "quote", "jsonld", "text", "broken"]))
        href = draw(st.sampled_from(PROFILE_URLS) | garbage)
        if kind == "a":
            parts.append(
                f'<a href="{href}" rel="{draw(st.sampled_from(["me", "", "nofollow me"]))}">{draw(garbage)}</a>'
            )
        elif kind == "chrome":
            parts.append(f'<{draw(st.sampled_from(["header", "footer", "nav"]))}><a href="{href}">x</a>')
        elif kind == "quote":
            parts.append(f'<blockquote><a href="{href}">post</a></blockquote>')
        elif kind == "jsonld":
            body = draw(
                st.sampled_from([json.dumps({"sameAs": PROFILE_URLS}), "{", "[]"])
                | json_values.map(json.dumps)
            )
            parts.append(f'<script type="application/ld+json">{body}</script>')
        elif kind == "text":
            parts.append(draw(st.text(max_size=30)))
        else:
            parts.append(
                draw(st.sampled_from(["<a href=", "<<a>>", "<a href='x.com/'>", "</footer>", "<!--"]))
            )
    return "".join(parts)


@FUZZ
@given(html=html_pages())
def test_discovery_parser_finds_only_well_formed_accounts(html):
    CASES["discover parse_page"] += 1
    candidates, about = parse_page(html, "https://www.northwind.example/")
    for c in candidates:
        assert c.platform in PLATFORMS
        assert normalize_handle(c.platform, c.handle) == c.handle
    for url in about:
        assert url.startswith("https://www.northwind.example/") and "#" not in url
