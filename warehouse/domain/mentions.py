"""Mentions of institutions by others: what a storm is, and where its thresholds come from."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# A storm: a day whose mentions are at least MULTIPLE times the institution's median day of the 28
# days before, and at least MINIMUM; or whose negative share jumps likewise (with at least MINIMUM
# negative mentions). A day needs BASELINE_DAYS searched days before it to be judged at all.
STORM_MULTIPLE = 3.0
STORM_MINIMUM = 20
STORM_BASELINE_DAYS = 7
MULTIPLE_ENV = "FINSOCIAL_STORM_MULTIPLE"
MINIMUM_ENV = "FINSOCIAL_STORM_MINIMUM"


@dataclass(frozen=True)
class StormRule:
    """The thresholds a storm is read with."""

    multiple: float = STORM_MULTIPLE
    minimum: int = STORM_MINIMUM
    baseline_days: int = STORM_BASELINE_DAYS

    def __post_init__(self) -> None:
        if not self.multiple > 1:
            raise ValueError(f"a storm's multiple must be above 1, not {self.multiple}")
        if self.minimum < 1:
            raise ValueError(f"a storm's minimum must be at least 1 mention, not {self.minimum}")


def storm_rule(
    env: Mapping[str, str] | None = None, multiple: float | None = None, minimum: int | None = None
) -> StormRule:
    """The rule from explicit values, else FINSOCIAL_STORM_MULTIPLE and FINSOCIAL_STORM_MINIMUM, else
    the defaults (3× and 20); ValueError naming the variable for a value that is not a number."""
    env = os.environ if env is None else env

    def number(name: str, kind: type, default: float | int) -> float | int:
        raw = env.get(name, "").strip()
        if not raw:
            return default
        try:
            return kind(raw)
        except ValueError:
            raise ValueError(
                f"{name} must be a {'whole ' if kind is int else ''}number, not {raw!r}"
            ) from None

    return StormRule(
        multiple=multiple if multiple is not None else number(MULTIPLE_ENV, float, STORM_MULTIPLE),
        minimum=minimum if minimum is not None else number(MINIMUM_ENV, int, STORM_MINIMUM),
    )
