"""Markdown tables of the latest results (benchmarks/results/*.json), for BENCHMARKS.md."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
SIZES = ("S", "M", "L")


def _load() -> dict[str, dict]:
    return {
        s: json.loads((RESULTS / f"{s}.json").read_text()) for s in SIZES if (RESULTS / f"{s}.json").exists()
    }


def build_table(results: dict[str, dict]) -> str:
    lines = [
        "| size | accounts | snapshots | posts | build median (min–max) | build CPU | "
        "peak memory | warehouse file | load avg at start |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, r in results.items():
        b = r.get("build")
        if not b:
            continue
        c = b["counts"]
        s = b["seconds"]
        lines.append(
            f"| {size} | {c['accounts']:,} | {c['snapshots']:,} | {c['posts']:,} | "
            f"{s['median']:.1f} s ({s['min']:.1f}–{s['max']:.1f}, n={s['n']}) | "
            f"{min(run['cpu_seconds'] for run in b['runs']):.0f} s | "
            f"{b['peak_rss_mb']['max']:,.0f} MB | {b['warehouse_mb']:,.0f} MB | "
            f"{r['machine']['load_average_at_start'][0]:.1f} |"
        )
    return "\n".join(lines)


def _pacing(run: dict) -> str:
    host = run["collector"]["host_limit"]
    text = f"{host['per_second']:g}/s, burst {host['burst']}"
    for pattern, lim in run["collector"]["endpoint_limits"].items():
        text += f"; `{pattern.strip('$/')}` {lim['per_second']:g}/s, burst {lim['burst']}"
    return text


def collection_table(result: dict) -> str:
    """Each collector against its platform's limit (results/collection.json), before and after."""
    lines = [
        "| platform | pacing | accounts | requests (per account) | refused (first at request) | "
        "binding calls: achieved (second half) | allowed | share (second half) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for platform, entry in result["platforms"].items():
        for when in ("before", "after"):
            run = entry.get(when)
            if run is None:
                continue
            window = max(run["windows"], key=lambda w: w["answered"])
            refused = f"{run['refused']}" + (
                f" (#{run.get('first_refused_request')})" if run["refused"] else ""
            )
            pace = window["achieved_per_s"]
            steady = window["steady_per_s"]
            achieved = f"{pace:.2f}/s ({steady:.2f}/s)" if pace and steady else "–"
            if entry["kind"] == "rate":
                allowed = f"{window['allowed_per_s']:.3g}/s"
                share = f"{window['achieved_share']:.0%} ({window['steady_share']:.0%})" if pace else "–"
            else:
                span = {3600: "an hour", 86_400: "a day"}.get(window.get("allowed_seconds"), "")
                allowed = f"{window.get('allowed', 0):,.0f} {span}"
                per_window = window["accounts_per_window"]
                share = f"budget: {per_window:,.0f} accounts" if per_window else "–"
            lines.append(
                f"| {platform} ({when}) | {_pacing(run)} | {run['accounts']} | {run['requests']} "
                f"({run['requests_per_account']:.2f}) | {refused} | {window['window']}: {achieved} | "
                f"{allowed} | {share} |"
            )
    return "\n".join(lines)


def query_table(results: dict[str, dict]) -> str:
    lines = [
        "| query | size | ours median (min) | ours + connect | floor median (min) | pandas | "
        "ours/floor | pandas/ours | equal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    names = [n for r in results.values() for n in r.get("queries", {})]
    for name in dict.fromkeys(names):
        for size, r in results.items():
            q = r.get("queries", {}).get(name)
            if not q:
                continue
            lines.append(
                f"| {name} | {size} | {q['ours_ms']['median']:.1f} ({q['ours_ms']['min']:.1f}) ms | "
                f"{q['ours_with_connect_ms']['median']:.1f} ms | "
                f"{q['floor_ms']['median']:.1f} ({q['floor_ms']['min']:.1f}) ms | "
                f"{q['baseline_ms']['median']:,.0f} ms | {q['ours_vs_floor']:.1f}× | "
                f"{1 / q['ours_vs_baseline']:,.0f}× | {'yes' if q['equal_to_baseline'] else 'NO'} |"
            )
    return "\n".join(lines)


def nightly_table() -> str:
    """Full and nightly builds per size (results/nightly_<size>[_before].json): the steady-state night
    is the last one (it builds on the file kept from the build before, not on a copy)."""
    lines = [
        "| data | code | full build | CPU | peak memory | night (steady) | CPU | peak memory | "
        "first night (copy) | file | load avg |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("L_before", "L", "L18"):
        path = RESULTS / f"nightly_{name}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        full = r.get("full_build_before_the_nights") or {}
        nights = r.get("nightly_builds") or []
        last, first = (nights[-1], nights[0]) if nights else ({}, {})

        def s(x, key, fmt="{:.1f} s"):
            return fmt.format(x[key]) if key in x else "–"

        lines.append(
            f"| {r['size']} | {'before' if name.endswith('before') else 'now'} | {s(full, 'seconds')} | "
            f"{s(full, 'cpu_seconds')} | {s(full, 'peak_rss_mb', '{:,.0f} MB')} | {s(last, 'seconds')} | "
            f"{s(last, 'cpu_seconds')} | {s(last, 'peak_rss_mb', '{:,.0f} MB')} | "
            f"{s(first, 'seconds') if len(nights) > 1 else '–'} | {s(last, 'file_mb', '{:,.0f} MB')} | "
            f"{last.get('load_avg', [0])[0]:.1f} |"
        )
    return "\n".join(lines)


def page_table(results: dict[str, dict]) -> str:
    lines = [
        "| size | page | first visit (empty cache) | later visits (cached) | errors shown |",
        "|---|---|---:|---:|---:|",
    ]
    for size, r in results.items():
        for name, p in (r.get("dashboard") or {}).get("pages", {}).items():
            lines.append(
                f"| {size} | {name} | {p['first_s']:.2f} s | {p['cached_s']:.2f} s | "
                f"{p['exceptions_shown']} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    results = _load()
    collection = RESULTS / "collection.json"
    if collection.exists() and "platforms" in (loaded := json.loads(collection.read_text())):
        print(collection_table(loaded))
        print()
    print(nightly_table())
    print()
    print(build_table(results))
    print()
    print(query_table(results))
    print()
    print(page_table(results))
