"""`python -m dashboard.serve [streamlit options]`: the dashboard's server, ready before its first reader."""

from __future__ import annotations

import importlib
import sys
import threading
import time
from pathlib import Path

# What the pages import, loaded before the server answers: otherwise the first reader waits for
# pandas, plotly and the rest (about 1.5 s on a 2-core machine) inside their first page.
PRELOAD = (
    "pandas.io.formats.style",  # the league table's highlighted row (a Styler, with jinja2)
    "plotly.graph_objects",
    "dashboard.charts",
    "dashboard.tables",
    "warehouse.domain.audience",
    "warehouse.domain.power",
    "warehouse.read.report",
    "synth.calibration",
    "warehouse.domain.webcare",
)


def _warm_up() -> None:
    """Once the server runs (the query cache is its runtime's), read each page's default selection
    and keep it warm across builds."""
    from streamlit import runtime

    while not runtime.exists():
        time.sleep(0.05)
    from dashboard import defaults  # its cached reads register with the runtime's cache

    defaults.watch()


def main(argv: list[str] | None = None) -> int:
    """Preload the pages' modules, start the query-cache warm-up, then run Streamlit on app.py."""
    for module in PRELOAD:
        importlib.import_module(module)
    from streamlit.web import cli

    threading.Thread(target=_warm_up, name="finsocial-warm-up", daemon=True).start()
    app = Path(__file__).with_name("app.py")
    sys.argv = ["streamlit", "run", str(app), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
