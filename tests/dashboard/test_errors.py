"""A page that fails shows readers a short message, never a traceback, and logs the error."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from streamlit.testing.v1 import AppTest

from dashboard import data, ui
from tests.dashboard.conftest import ROOT, texts

APP = ROOT / "dashboard" / "app.py"


def test_a_failing_page_shows_a_short_message_and_logs_the_error(
    warehouse_state, use_db, monkeypatch, caplog
):
    use_db(warehouse_state("first_night"))

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail 4711")

    monkeypatch.setattr(data, "league_table", broken)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [ui.PAGE_FAILED]
    assert "4711" not in texts(at)
    assert "RuntimeError: internal detail 4711" in caplog.text  # the traceback is in the log


def test_a_page_that_stops_is_not_an_error(warehouse_state, use_db):
    use_db(warehouse_state("registry_only"))  # every counts page stops with an explanation
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception and not at.error
    assert "finsocial collect" in texts(at)


def test_the_app_hides_tracebacks_from_any_working_directory(tmp_path):
    config = tomllib.loads((ROOT / "dashboard" / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    # `finsocial dashboard` runs `streamlit run <path>/app.py` from wherever the user is: Streamlit
    # reads the config beside the main script as well as the one in the working directory
    probe = (
        "from streamlit import config\n"
        f"config._main_script_path = {str(APP)!r}\n"
        "print(config.get_option('client.showErrorDetails'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "none"
