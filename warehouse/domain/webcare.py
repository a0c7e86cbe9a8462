"""Webcare reply-time targets per platform: the defaults, and a user's file that overrides them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from warehouse.domain.platforms import PLATFORM_BY_NAME

# ABN AMRO's published webcare targets: an answer within 15 minutes on Twitter (X) and within
# 30 minutes on Facebook (on their rows, `webcare_minutes`). Platforms it set no target for get 60.
TARGETS_SOURCE = "ABN AMRO's published webcare targets (15 min on Twitter/X, 30 min on Facebook)"
DEFAULT_TARGET_MINUTES = 60.0
TARGETS_ENV = "FINSOCIAL_WEBCARE_TARGETS"


def default_target(platform: str) -> float:
    """Minutes within which a question counts as answered in time, unless the user's file says otherwise."""
    row = PLATFORM_BY_NAME.get(platform)
    return (
        row.webcare_minutes if row is not None and row.webcare_minutes is not None else DEFAULT_TARGET_MINUTES
    )


def webcare_targets(platforms: tuple[str, ...] | list[str]) -> dict[str, float]:
    """Minutes within which a question counts as answered in time, for each platform.

    The JSON file FINSOCIAL_WEBCARE_TARGETS names maps a platform to minutes, e.g. {"x": 20}
    (a platform's default is on its row: platforms.Platform.webcare_minutes).
    """
    targets = {p: default_target(p) for p in platforms}
    path = os.environ.get(TARGETS_ENV)
    if not path:
        return targets
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{TARGETS_ENV} {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{TARGETS_ENV} {path}: expected an object of platform: minutes")
    for platform, minutes in data.items():
        if platform not in targets:
            raise ValueError(f"{TARGETS_ENV} {path}: unknown platform {platform!r}")
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes <= 0:
            raise ValueError(f"{TARGETS_ENV} {path}: {platform}: minutes must be a positive number")
        targets[platform] = float(minutes)
    return targets
