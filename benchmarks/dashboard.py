"""Dashboard pages in headless Chromium: time from navigation until tables and charts are drawn.

`python -m benchmarks.dashboard --db FILE [--before TREE] [--runs N] [--out FILE]`

A page counts as drawn when the script has finished (no running-script marker), no skeleton or
stale element is left, every visible plotly chart has its SVG, every visible table its grid
canvas, and the DOM has not changed for SETTLE_MS. The time reported is when that state began
(the page's last DOM change), measured in the page from navigation start (performance.now()), so
the polling adds nothing to it.

Each run starts a fresh server process and a fresh browser and measures:
- cold: the first visit of the landing page right after the server answers (imports, empty caches);
- first: each page's first visit in a fresh browser context (nothing in the browser's cache);
- warm: reloads of that page in the same context;
- cpu: with each visit and selection, the CPU seconds the server process and the browser's
  processes spent on it (/proc), which other processes' load changes far less than wall time;
- selections (with --selections): after the reloads, each of the page's SELECTIONS in turn (a
  selectbox or segmented control of the page set to another option, off the defaults the warm-up
  read), timed from the click until the page is drawn again after its script's new run.
`--before TREE` serves another source tree (e.g. `git archive REV | tar -x -C TREE`) in the same
runs, alternating which goes first, so that both meet the same machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
RESULTS = Path(__file__).parent / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWPORT = {"width": 1440, "height": 1000}
SETTLE_MS = 300
# Off-default selections per page: (widget label, the option to choose: its index in the list, or
# its text for a segmented control). Each is chosen after the one before, on the same page.
SELECTIONS: dict[str, list[tuple[str, int | str]]] = {
    "league": [("Metric", 3), ("Platform", 2)],
    "engagement": [("Platform", 1)],
    "top_posts": [("Ranked by", 1), ("Which", 2), ("Platform", 1)],
    "peers": [("Platform", 1)],
    "profile": [("History", 2)],
    "trends": [("Platform", 1)],
    "webcare": [("Platform", 1)],
    "conversation": [("Platform", 1)],
    "report": [("Month", 2)],
    "practices": [("Platform", 1)],
}

# Installed in every document before its own scripts: when the DOM last changed, when the script
# state last turned to notRunning, when the first plotly SVG appeared, and the main thread's long
# tasks (the browser's own work: parsing JavaScript, React, plotly drawing).
_INIT = """(() => {
  const s = {last: 0, scriptDone: null, scriptStart: null, firstSvg: null, longTasks: []};
  window.__fsBench = s;
  new MutationObserver(records => {
    s.last = performance.now();
    for (const r of records) {
      if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') {
        const state = r.target.getAttribute('data-test-script-state');
        if (state === 'running' && s.scriptStart === null) s.scriptStart = s.last;
        if (state === 'notRunning') s.scriptDone = s.last;
      }
    }
    if (s.firstSvg === null && document.querySelector('[data-testid="stPlotlyChart"] .main-svg')) {
      s.firstSvg = s.last;
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) s.longTasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
})();"""

# Drawn and settled: returns the moment the drawn state began, else null (polled in the page).
_DRAWN = """(settle) => {
  const s = window.__fsBench;
  const main = document.querySelector('[data-testid="stMain"]');
  const app = document.querySelector('[data-test-script-state]');
  if (!s || !main || !app || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
  if (s.mark !== undefined && (s.scriptDone === null || s.scriptDone < s.mark)) return null;
  if (!main.querySelector('h1')) return null;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"], [data-stale="true"]')) return null;
  const shown = el => el.checkVisibility({visibilityProperty: true}) && !el.closest('details:not([open])') && el.getBoundingClientRect().height > 0;
  for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (shown(chart) && !chart.querySelector('.js-plotly-plot .main-svg')) return null;
  }
  for (const grid of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    const canvas = grid.querySelector('canvas');
    if (shown(grid) && !(canvas && canvas.width > 0)) return null;
  }
  const now = performance.now();
  return now - s.last >= settle ? s.last : null;
}"""

# Why a page is not drawn yet (for the error when it never is).
_WAITING = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const app = document.querySelector('[data-test-script-state]');
  const shown = el => el.checkVisibility({visibilityProperty: true}) && !el.closest('details:not([open])') && el.getBoundingClientRect().height > 0;
  return {
    script: app && app.getAttribute('data-test-script-state'),
    heading: !!(main && main.querySelector('h1')),
    placeholders: document.querySelectorAll('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"], [data-stale="true"]').length,
    charts_undrawn: main ? [...main.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(c => shown(c) && !c.querySelector('.main-svg')).length : null,
    tables_undrawn: main ? [...main.querySelectorAll('[data-testid="stDataFrame"]')].filter(g => shown(g) && !g.querySelector('canvas')).length : null,
    since_last_change_ms: window.__fsBench ? performance.now() - window.__fsBench.last : null,
  };
}"""

# What was drawn, for the profile: charts and their points, tables, the JavaScript chunks loaded.
_WHAT = """(drawn) => {
  const s = window.__fsBench;
  const main = document.querySelector('[data-testid="stMain"]');
  const plots = [...main.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
  // plotly's own count of each trace's points (its data may be base64 arrays, without a length)
  const points = plots.map(gd => (gd._fullData || []).reduce((n, t) => n + (t._length || 0), 0));
  const chunks = performance.getEntriesByType('resource')
    .filter(e => e.name.endsWith('.js') && e.decodedBodySize > 100000)  // the large chunks only
    .map(e => [e.name.split('/').pop().split('.')[0], Math.round(e.startTime), Math.round(e.responseEnd)]);
  const busy = s.longTasks.filter(([t]) => t < drawn).reduce((n, [, d]) => n + d, 0);
  return {
    script_start_ms: s.scriptStart, script_done_ms: s.scriptDone, first_chart_ms: s.firstSvg,
    long_tasks_ms: Math.round(busy), charts: plots.length, points: points,
    traces: plots.reduce((n, gd) => n + (gd.data || []).length, 0),
    tables: main.querySelectorAll('[data-testid="stDataFrame"]').length,
    elements: main.querySelectorAll('[data-testid="stElementContainer"]').length,
    exceptions: main.querySelectorAll('[data-testid="stException"]').length,
    chunks: chunks,
  };
}"""


def router_pages(app: Path = APP) -> list[tuple[str, str]]:
    """(name, url path) of every page the router lists, in its order; the default page is '/'."""
    text = app.read_text()
    pages = []
    for match in re.finditer(r'PAGES / "(\w+)\.py"(.*?)\)', text, re.S):
        name = match.group(1)
        pages.append((name, "" if "default=True" in match.group(2) else name))
    return pages


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS"), "peak_rss_mb": fields.get("VmHWM")}


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """The CPU seconds (user + system) a process has used; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def browser_pids() -> list[int]:
    """This process's descendants that are Chromium (the browser and its renderers, GPU, utility)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    mine, found = {os.getpid()}, True
    while found:
        found = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                found = True
    out = []
    for pid in mine:
        try:
            if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                out.append(pid)
        except OSError:
            continue
    return out


class CPU:
    """CPU seconds the server and the browser spend between start() and the reading: a page's cost
    that contention from other processes changes far less than its wall time."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.start()

    def _now(self) -> tuple[float, float]:
        return _cpu_s(self.server_pid), sum(_cpu_s(pid) for pid in browser_pids())

    def start(self) -> None:
        self.server0, self.browser0 = self._now()

    def spent(self) -> dict:
        server, browser = self._now()
        return {
            "server_cpu_s": round(server - self.server0, 3),
            "browser_cpu_s": round(browser - self.browser0, 3),
        }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@contextlib.contextmanager
def serve(tree: Path, db: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """`finsocial dashboard` of the source tree TREE (first on the import path) on `db`; yields
    the URL, the process and the seconds from its start until it answered."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("FINSOCIAL_DB", None)
    cmd = [
        sys.executable,
        "-c",
        "from finsocial.cli import main; main()",
        "--db",
        str(db),
        "dashboard",
        "--address",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        started = time.perf_counter()
        server = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tree)
        try:
            while True:
                try:
                    urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read()
                    break
                except OSError:
                    if time.perf_counter() - started > 120 or server.poll() is not None:
                        raise RuntimeError(f"the dashboard did not start; see {log}") from None
                    time.sleep(0.05)
            yield base, server, time.perf_counter() - started
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


class Visitor:
    """One browser page that records the websocket traffic of each visit."""

    def __init__(self, context, cpu: CPU | None = None) -> None:
        self.cpu = cpu
        self.page = context.new_page()
        self.frames = [0, 0]
        self.errors: list[str] = []
        self.page.on("websocket", self._socket)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _socket(self, ws) -> None:
        def received(payload) -> None:
            self.frames[0] += 1
            self.frames[1] += len(payload)

        ws.on("framereceived", received)

    def try_select(self, label: str, option: int | str) -> dict:
        """select(), or what stopped it (the run goes on with the next page)."""
        try:
            return self.select(label, option)
        except Exception as exc:
            return {"widget": label, "option": option, "drawn_s": None, "skipped": str(exc).splitlines()[0]}

    def select(self, label: str, option: int | str, timeout_s: float = 180) -> dict:
        """Choose another option of the page's widget `label` (a selectbox: the option at that index;
        a segmented control: the button with that text); the time from the click until drawn."""
        page = self.page
        self.frames = [0, 0]
        if self.cpu:
            self.cpu.start()
        kind = "stButtonGroup" if isinstance(option, str) else "stSelectbox"
        widget = page.locator(f'[data-testid="{kind}"]').filter(has_text=label).first
        try:
            widget.wait_for(timeout=5000)
        except Exception:  # not on this page for this warehouse (a section it does not draw)
            return {"widget": label, "option": option, "drawn_s": None, "skipped": "not on the page"}
        if isinstance(option, str):
            button = widget.get_by_role("button", name=option).first
            mark = page.evaluate(
                "() => { const s = window.__fsBench; s.scriptDone = null; return s.mark = performance.now(); }"
            )
            button.click()
        else:
            widget.click()
            options = page.get_by_role("option")
            options.nth(option).wait_for()
            mark = page.evaluate(
                "() => { const s = window.__fsBench; s.scriptDone = null; return s.mark = performance.now(); }"
            )
            options.nth(option).click()
        try:
            handle = page.wait_for_function(_DRAWN, arg=SETTLE_MS, polling=50, timeout=timeout_s * 1000)
        except Exception as exc:
            raise RuntimeError(
                f"{page.url} not drawn after choosing {label}: {page.evaluate(_WAITING)}"
            ) from exc
        drawn = handle.json_value()
        what = page.evaluate(_WHAT, drawn)
        return {
            "widget": label,
            "option": option,
            "drawn_s": round((drawn - mark) / 1000, 3),
            "script_done_s": round((what["script_done_ms"] - mark) / 1000, 3)
            if what["script_done_ms"]
            else None,
            "exceptions": what["exceptions"],
            "ws_kb": round(self.frames[1] / 1024, 1),
            **(self.cpu.spent() if self.cpu else {}),
        }

    def visit(self, url: str | None, timeout_s: float = 180) -> dict:
        """Open `url` (None: reload) and wait until drawn; the timings and what was drawn."""
        self.frames = [0, 0]
        if self.cpu:
            self.cpu.start()
        if url is None:
            self.page.reload(wait_until="commit")
        else:
            self.page.goto(url, wait_until="commit")
        try:
            handle = self.page.wait_for_function(_DRAWN, arg=SETTLE_MS, polling=50, timeout=timeout_s * 1000)
        except Exception as exc:
            raise RuntimeError(f"{self.page.url} not drawn: {self.page.evaluate(_WAITING)}") from exc
        drawn = handle.json_value()
        what = self.page.evaluate(_WHAT, drawn)
        return {
            "drawn_s": round(drawn / 1000, 3),
            **{k: round(v / 1000, 3) if k.endswith("_ms") and v is not None else v for k, v in what.items()},
            "ws_frames": self.frames[0],
            "ws_kb": round(self.frames[1] / 1024, 1),
            **(self.cpu.spent() if self.cpu else {}),
        }


def measure_tree(
    tree: Path, db: Path, browser_type, reloads: int, log: Path, pages=None, selections: bool = False
) -> dict:
    """One run on one source tree: a fresh server and a fresh browser."""
    pages = pages or router_pages(tree / "dashboard" / "app.py")
    out: dict = {"load_average_before": load_average(), "pages": {}}
    with serve(tree, db, log) as (base, server, start_s):
        out["server_start_s"] = round(start_s, 3)
        out["server_idle"] = _rss_mb(server.pid)
        browser = browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            context.add_init_script(_INIT)
            cpu = CPU(server.pid)
            out["cold"] = Visitor(context, cpu).visit(f"{base}/")
            context.close()
            for name, path in pages:
                context = browser.new_context(viewport=VIEWPORT)
                context.add_init_script(_INIT)
                visitor = Visitor(context, cpu)
                first = visitor.visit(f"{base}/{path}")
                warm = [visitor.visit(None) for _ in range(reloads)]
                chosen = (
                    [visitor.try_select(*pick) for pick in SELECTIONS.get(name, [])] if selections else []
                )
                out["pages"][name] = {
                    "first": first,
                    "warm": warm,
                    "selections": chosen,
                    "page_errors": visitor.errors,
                }
                context.close()
        finally:
            browser.close()
        out["server_after"] = _rss_mb(server.pid)
    out["load_average_after"] = load_average()
    return out


def spread(samples: list[float]) -> dict:
    return {"median": round(statistics.median(samples), 3), "min": min(samples), "max": max(samples)}


def summarize(runs: list[dict]) -> dict:
    """Median and min per page over the runs: cold, first visit and warm (every reload)."""
    summary: dict = {"cold_s": spread([r["cold"]["drawn_s"] for r in runs]), "pages": {}}
    summary["cold_script_done_s"] = spread([r["cold"]["script_done_ms"] or 0 for r in runs])
    for name in runs[0]["pages"]:
        first = [r["pages"][name]["first"] for r in runs]
        warm = [w for r in runs for w in r["pages"][name]["warm"]]
        summary["pages"][name] = {
            "first_s": spread([v["drawn_s"] for v in first]),
            "warm_s": spread([v["drawn_s"] for v in warm]),
            "warm_script_done_s": spread([v["script_done_ms"] or 0 for v in warm]),
            "warm_long_tasks_s": spread([v["long_tasks_ms"] for v in warm]),
            "charts": first[-1]["charts"],
            "points": first[-1]["points"],
            "tables": first[-1]["tables"],
            "exceptions": sum(v["exceptions"] for v in first + warm),
        }
        chosen = [r["pages"][name].get("selections", []) for r in runs]
        if any(chosen):
            summary["pages"][name]["selections_s"] = [
                {
                    "widget": picks[0]["widget"],
                    **spread([p["drawn_s"] for p in picks if p["drawn_s"] is not None]),
                }
                for picks in zip(*chosen, strict=True)
                if any(p["drawn_s"] is not None for p in picks)
            ]
    return summary


def server_times(paths, runs: int = 3) -> dict:
    """Each page script run by Streamlit's AppTest, no browser: the server's share of a page's
    time. The first run starts from an empty query cache; the later ones hit it."""
    from streamlit.testing.v1 import AppTest

    os.environ["FINSOCIAL_DB"] = str(paths.db)
    out = {}
    for name, _ in router_pages():
        times, errors = [], 0
        for _ in range(runs):
            app = AppTest.from_file(str(APP.parent / "views" / f"{name}.py"), default_timeout=120)
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
            errors += len(app.exception)
        out[name] = {"first_s": times[0], "cached_s": min(times[1:]), "exceptions": errors}
    return out


def measure(
    db: Path,
    trees: dict[str, Path],
    runs: int = 3,
    reloads: int = 3,
    log=print,
    logfile: Path | None = None,
    selections: bool = False,
    only: list[str] | None = None,
) -> dict:
    """`runs` runs of every tree, alternating which goes first; every visit and the summary."""
    from playwright.sync_api import sync_playwright

    logfile = logfile or Path(f"/tmp/finsocial-dashboard-bench-{os.getpid()}.log")
    results: dict = {
        "db": str(db),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "load_average_at_start": load_average(),
        "settle_ms": SETTLE_MS,
        "runs": runs,
        "reloads": reloads,
        "trees": {name: {"path": str(path), "runs": []} for name, path in trees.items()},
    }
    with contextlib.suppress(OSError):
        results["status_at_start"] = Path("/work/bench/STATUS").read_text().strip()
    names = list(trees)
    with sync_playwright() as pw:
        for i in range(runs):
            for name in names if i % 2 == 0 else names[::-1]:
                pages = [
                    p for p in router_pages(trees[name] / "dashboard" / "app.py") if not only or p[0] in only
                ]
                run = measure_tree(trees[name], db, pw.chromium, reloads, logfile, pages, selections)
                results["trees"][name]["runs"].append(run)
                pages = run["pages"]
                log(
                    f"run {i + 1} {name}: cold {run['cold']['drawn_s']:.2f} s; "
                    + ", ".join(
                        f"{p} {v['first']['drawn_s']:.2f}/{min(w['drawn_s'] for w in v['warm']):.2f}"
                        + "".join(
                            f"/{c['widget']} {c['drawn_s']:.2f}"
                            for c in v.get("selections", [])
                            if c["drawn_s"]
                        )
                        for p, v in pages.items()
                    )
                    + f"; load {run['load_average_after'][0]}"
                )
    for tree in results["trees"].values():
        tree["summary"] = summarize(tree["runs"])
    results["load_average_at_end"] = load_average()
    with contextlib.suppress(OSError):
        results["status_at_end"] = Path("/work/bench/STATUS").read_text().strip()
    return results


def run(paths, log=print, visits: int = 3) -> dict:
    """For `python -m benchmarks --dashboard`: one run on this tree, in the older result shape."""
    if not Path(CHROMIUM).exists():
        return {"skipped": f"no browser at {CHROMIUM}"}
    result = measure(paths.db, {"now": ROOT}, runs=1, reloads=visits - 1, log=log)
    only = result["trees"]["now"]["runs"][0]
    pages = {
        name: {
            "first_s": p["first"]["drawn_s"],
            "cached_s": min(w["drawn_s"] for w in p["warm"]),
            "visits_s": [p["first"]["drawn_s"], *(w["drawn_s"] for w in p["warm"])],
            "exceptions_shown": p["first"]["exceptions"] + sum(w["exceptions"] for w in p["warm"]),
        }
        for name, p in only["pages"].items()
    }
    return {
        "pages": pages,
        "cold_s": only["cold"]["drawn_s"],
        "server_idle": only["server_idle"],
        "server_after": only["server_after"],
        "settle_s": SETTLE_MS / 1000,
        "server_script_s": server_times(paths),
    }


def report(results: dict) -> str:
    """A Markdown table of the summary: per page, first visit and warm reload, median (min)."""
    trees = list(results["trees"])
    head = "| page | " + " | ".join(f"{t}: first visit | {t}: reload" for t in trees) + " |"
    lines = [head, "|---|" + "---:|---:|" * len(trees)]
    cold = " | ".join(
        f"{results['trees'][t]['summary']['cold_s']['median']:.2f} ({results['trees'][t]['summary']['cold_s']['min']:.2f}) | "
        for t in trees
    )
    lines.append(f"| cold first visit (new server) | {cold}")
    for name in results["trees"][trees[0]]["summary"]["pages"]:
        cells = []
        for t in trees:
            p = results["trees"][t]["summary"]["pages"].get(name)
            if p is None:
                cells.append("– | –")
                continue
            f, w = p["first_s"], p["warm_s"]
            cells.append(f"{f['median']:.2f} ({f['min']:.2f}) | {w['median']:.2f} ({w['min']:.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def selections_report(results: dict) -> str:
    """A Markdown table of the off-default selections: per page and widget, median (min) from the
    click until drawn."""
    trees = list(results["trees"])
    lines = ["| page: widget | " + " | ".join(trees) + " |", "|---|" + "---:|" * len(trees)]
    first = results["trees"][trees[0]]["summary"]["pages"]
    for name, page in first.items():
        for i, pick in enumerate(page.get("selections_s", [])):
            cells = []
            for t in trees:
                picks = results["trees"][t]["summary"]["pages"].get(name, {}).get("selections_s", [])
                cells.append(f"{picks[i]['median']:.2f} ({picks[i]['min']:.2f})" if i < len(picks) else "–")
            lines.append(f"| {name}: {pick['widget']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cpu_report(results: dict) -> str:
    """A Markdown table of the CPU seconds per visit (server + browser), medians over the runs:
    cold, each page's reload and its selections; a page's cost that other processes' load barely
    changes (its wall time under contention does)."""
    trees = list(results["trees"])

    def cell(visits: list[dict]) -> str:
        visits = [v for v in visits if v and "server_cpu_s" in v]
        if not visits:
            return "–"
        server = statistics.median(v["server_cpu_s"] for v in visits)
        browser = statistics.median(v["browser_cpu_s"] for v in visits)
        return f"{server:.2f} + {browser:.2f}"

    lines = [
        "| CPU s: server + browser | " + " | ".join(trees) + " |",
        "|---|" + "---:|" * len(trees),
        "| cold first visit | "
        + " | ".join(cell([r["cold"] for r in results["trees"][t]["runs"]]) for t in trees)
        + " |",
    ]
    first = results["trees"][trees[0]]["runs"][0]["pages"]
    for name in first:
        row = []
        for t in trees:
            runs = results["trees"][t]["runs"]
            row.append(cell([w for r in runs if name in r["pages"] for w in r["pages"][name]["warm"]]))
        lines.append(f"| {name}: reload | " + " | ".join(row) + " |")
        for i, pick in enumerate(first[name].get("selections", [])):
            row = []
            for t in trees:
                runs = results["trees"][t]["runs"]
                row.append(
                    cell(
                        [
                            r["pages"][name]["selections"][i]
                            for r in runs
                            if name in r["pages"] and i < len(r["pages"][name]["selections"])
                        ]
                    )
                )
            lines.append(f"| {name}: {pick['widget']} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def profile(results: dict, tree: str = "now") -> str:
    """Where a reload's time goes, per page (medians over every reload): until the script starts
    (the page's HTML, JavaScript and websocket), the script (server), and after it (drawing)."""
    lines = [
        "| page | script starts | script done | drawn | browser busy (long tasks) | charts (points) | tables | websocket |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    runs = results["trees"][tree]["runs"]
    for name in runs[0]["pages"]:
        warm = [w for r in runs for w in r["pages"][name]["warm"]]

        def med(key: str, visits: list = warm) -> float:
            return statistics.median(v[key] or 0 for v in visits)

        last = warm[-1]
        lines.append(
            f"| {name} | {med('script_start_ms'):.2f} s | {med('script_done_ms'):.2f} s | "
            f"{med('drawn_s'):.2f} s | {med('long_tasks_ms'):.2f} s | {last['charts']} "
            f"({sum(last['points']):,}) | {last['tables']} | {med('ws_kb'):.0f} kB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the warehouse to serve")
    parser.add_argument("--before", type=Path, help="another source tree to measure in the same runs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reloads", type=int, default=3)
    parser.add_argument("--out", type=Path, help="where to write the JSON (default: print only)")
    parser.add_argument("--report", type=Path, help="only print the tables of a JSON written before")
    parser.add_argument("--selections", action="store_true", help="also time SELECTIONS off the defaults")
    parser.add_argument("--pages", nargs="+", metavar="NAME", help="only these pages (e.g. report profile)")
    args = parser.parse_args(argv)
    if args.report:
        results = json.loads(args.report.read_text())
        print(report(results))
        print()
        print(selections_report(results))
        print()
        print(cpu_report(results))
        print()
        print(profile(results))
        return 0
    trees = {"before": args.before.resolve()} if args.before else {}
    trees["now"] = ROOT
    results = measure(
        args.db.resolve(),
        trees,
        args.runs,
        args.reloads,
        log=lambda m: print(m, flush=True),
        selections=args.selections,
        only=args.pages,
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(report(results))
    print()
    print(selections_report(results))
    print()
    print(cpu_report(results))
    print()
    print(profile(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
