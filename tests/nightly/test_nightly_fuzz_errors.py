"""Fuzzed: error bodies of any JSON shape, JSON-LD depth, and landing files cut anywhere."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors import COLLECTOR_BY_PLATFORM
from localservers import TOKENS
from tests.collectors.test_robust import HANDLES, OneAnswerClient
from tests.nightly.test_nightly_fuzz import CASES, FUZZ, json_values
from tests.support.collector_fakes import make_collector, target

ERROR_KINDS = {"parse_error", "not_found", "private", "auth_missing", "http_error", "rate_limited"}
# the platforms' documented error envelopes, with any JSON where their fields should be
error_bodies = json_values | st.fixed_dictionaries(
    {"error": json_values, "message": json_values, "errors": json_values, "title": json_values}
)


@pytest.mark.parametrize("platform", sorted(COLLECTOR_BY_PLATFORM))
def test_an_error_body_of_any_shape_ends_in_an_account_error(platform):
    cls = COLLECTOR_BY_PLATFORM[platform]

    @FUZZ
    @given(body=error_bodies, status=st.sampled_from([400, 401, 403, 404, 410, 422, 200]))
    def check(body, status):
        CASES[f"error body {platform}"] += 1
        json.dumps(body)  # a body a server can send
        collector = make_collector(cls, OneAnswerClient(status, body), TOKENS)
        (outcome,) = collector.collect([target(platform, HANDLES[platform])])
        if outcome.error is not None:
            assert outcome.error.kind in ERROR_KINDS and outcome.error.message
        else:
            assert status == 200  # only a 200 can be read as a profile

    check()


# -- the new parsers: JSON-LD depth, and landing files cut anywhere --------------------------------


def nesting(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((nesting(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((nesting(v) for v in value.values()), default=0)
    return 0


@FUZZ
@given(value=json_values, limit=st.integers(1, 8))
def test_json_depth_agrees_with_the_documents_nesting(value, limit):
    from collectors.discover import json_depth

    CASES["json depth"] += 1
    text = json.dumps(value)
    assert json_depth(text, limit) == min(nesting(value), limit + 1)


@pytest.mark.parametrize("name", ["manifest.json", "snapshots.parquet"])
def test_a_landing_file_cut_anywhere_is_damage_or_whole(tmp_path_factory, name):
    import datetime as dt

    from tests.warehouse.conftest import snap
    from warehouse.landing.runs import LandingRun, scan_runs

    root = tmp_path_factory.mktemp("landing")
    run = LandingRun(root, "collect", dt.date(2026, 3, 1))
    run.extend([snap("alpha-bank", "x", "alpha", "2026-03-01", n) for n in range(3)])
    run.commit()
    whole = (run.path / name).read_bytes()

    @FUZZ
    @given(cut=st.integers(0, len(whole)))
    def check(cut):
        CASES[f"landing cut {name}"] += 1
        (run.path / name).write_bytes(whole[:cut])
        good, damaged = scan_runs(root)  # never raises
        if cut == len(whole):
            assert [r.run_id for r in good] == [run.run_id] and damaged == []
        else:
            assert good == [] and len(damaged) == 1 and name in damaged[0].reason

    check()
