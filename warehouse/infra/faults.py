"""Fault-injection points: a test can stop a writer at a named point to kill it there."""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_at(point: str) -> None:
    """Test hook: sleep at a named point when FINSOCIAL_TEST_PAUSE_AT names it (crash tests).

    Touches $FINSOCIAL_TEST_PAUSE_FILE first so the test knows where the process is; does
    nothing at all unless the variable is set.
    """
    if os.environ.get("FINSOCIAL_TEST_PAUSE_AT") != point:
        return
    marker = os.environ.get("FINSOCIAL_TEST_PAUSE_FILE")
    if marker:
        Path(marker).write_text(f"{point} {os.getpid()}\n")
    time.sleep(float(os.environ.get("FINSOCIAL_TEST_PAUSE_SECONDS", "60")))
