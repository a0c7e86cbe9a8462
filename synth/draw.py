"""What every generator draws with: the rows an extra lands, Arrow columns from numpy, whole counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class ExtraRecords:
    """Rows of one landing record kind made by an extra generator, and the day each is landed."""

    kind: str  # a key of warehouse.landing.records.SCHEMAS, e.g. "comments"
    day: np.ndarray  # per row: the day index (0 = world.first_day) whose run lands it
    table: pa.Table  # the rows, with the columns of SCHEMAS[kind]


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Seconds since the epoch as an Arrow UTC timestamp column."""
    return pa.array(np.asarray(seconds).astype(np.int64) * 1_000_000, pa.timestamp("us", tz="UTC"))


def ints(values: np.ndarray, null: np.ndarray | bool = False) -> pa.Array:
    """An Arrow int64 column, NULL where `null`."""
    values = np.asarray(values)
    mask = np.broadcast_to(np.asarray(null, dtype=bool), values.shape)
    return pa.array(values.astype(np.int64), pa.int64(), mask=mask if mask.any() else None)


def counts(rng: np.random.Generator, expected: np.ndarray) -> np.ndarray:
    """Whole counts with the given expectation (stochastic rounding: 0.4 is 1 four times in ten)."""
    return np.floor(expected + rng.random(len(expected))).astype(np.int64)
