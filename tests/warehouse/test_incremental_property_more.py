"""The other half of the incremental = full property (test_incremental_property.py): the same
strategy, drawn afresh, in a file of its own so that make test's two workers each run half."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.warehouse.test_incremental_property import PROPERTY, SEQUENCES, base, check_sequence

__all__ = ["base"]  # the module-scoped fixture: four nights built once for this file's sequences


@pytest.mark.timeout(3600)
@PROPERTY
@given(sequence=SEQUENCES)
def test_more_nightly_builds_equal_a_full_build(base, sequence):
    check_sequence(base, sequence)
