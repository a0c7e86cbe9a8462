"""Dashboard pages in headless Chromium: time until each page is rendered, and server memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from warehouse.paths import DataPaths

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
CHROMIUM = "/usr/bin/chromium"
PAGES = ("league", "engagement", "peers", "profile", "trends", "health", "methodology")
# Rendered: a heading shown, no skeleton (charts still loading) and no script running, and the
# page's element count unchanged for this long. The time reported is when that state began.
SETTLE_S = 0.3

_RENDERED = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const skeleton = document.querySelector('[data-testid="stAppSkeleton"], [data-testid="stSkeleton"]');
  const heading = main && main.querySelector('h1, h2, [data-testid="stHeading"]');
  if (!heading || running || skeleton) return -1;
  return main.querySelectorAll('[data-testid="stElementContainer"]').length;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return {"rss_mb": fields.get("VmRSS"), "peak_rss_mb": fields.get("VmHWM")}


def _render_time(page, url: str, timeout_s: float = 120.0) -> tuple[float, int]:
    """Seconds from navigation until rendered and settled; and the count of exceptions shown."""
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    done_at, seen = None, -1
    while time.perf_counter() - started < timeout_s:
        count = page.evaluate(_RENDERED)
        if count >= 0 and count == seen:
            if time.perf_counter() - done_at >= SETTLE_S:
                break
        else:
            done_at, seen = time.perf_counter(), count
        time.sleep(0.02)
    else:
        raise TimeoutError(f"{url} not rendered in {timeout_s:.0f} s")
    errors = page.locator('[data-testid="stException"]').count()
    return done_at - started, errors


def server_times(paths: DataPaths, runs: int = 3) -> dict:
    """Each page script run by Streamlit's AppTest, no browser: the server's share of a page's
    time. The first run starts from an empty query cache; the later ones hit it."""
    from streamlit.testing.v1 import AppTest

    os.environ["FINSOCIAL_DB"] = str(paths.db)
    out = {}
    for name in PAGES:
        times, errors = [], 0
        for _ in range(runs):
            app = AppTest.from_file(str(APP.parent / "pages" / f"{name}.py"), default_timeout=120)
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
            errors += len(app.exception)
        out[name] = {"first_s": times[0], "cached_s": min(times[1:]), "exceptions": errors}
    return out


def run(paths: DataPaths, log=print, visits: int = 3) -> dict:
    """Start the dashboard on the warehouse, visit every page `visits` times (the first on an
    empty cache), and read the server's memory."""
    if not APP.exists():
        return {"skipped": "dashboard/app.py does not exist yet"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"no browser at {CHROMIUM}"}
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {**os.environ, "FINSOCIAL_DB": str(paths.db)}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("the dashboard did not start") from None
                time.sleep(0.2)
        idle = _rss_mb(server.pid)
        pages: dict[str, dict] = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                for name in PAGES:
                    # the first visit in a fresh browser (nothing cached, in the browser or in
                    # the server's query cache for this page); then reloads in the same browser
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    times, errors = [], 0
                    for _ in range(visits):
                        seconds, shown = _render_time(page, f"{base}/{name}")
                        times.append(seconds)
                        errors += shown
                    context.close()
                    pages[name] = {
                        "first_s": times[0],
                        "cached_s": min(times[1:]) if len(times) > 1 else None,
                        "visits_s": times,
                        "exceptions_shown": errors,
                    }
                    log(f"page {name}: first {times[0]:.2f} s, then {min(times[1:]):.2f} s")
            finally:
                browser.close()
        after = _rss_mb(server.pid)
        return {
            "pages": pages,
            "server_idle": idle,
            "server_after": after,
            "settle_s": SETTLE_S,
            "server_script_s": server_times(paths),
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    import json

    from benchmarks import scale

    size = sys.argv[1] if len(sys.argv) > 1 else "S"
    print(json.dumps(server_times(scale.paths_for(size)), indent=2))
