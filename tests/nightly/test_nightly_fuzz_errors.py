"""Error bodies of any JSON shape, fuzzed: every collector reads them into an account's error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors import COLLECTOR_BY_PLATFORM
from tests.collectors.test_robust import HANDLES, OneAnswerClient
from tests.nightly.test_nightly_fuzz import CASES, FUZZ, json_values
from tests.support.collector_fakes import TOKENS, make_collector, target

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
