"""The command line for operators and readers: exit codes a scheduler can trust, errors naming the input."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.collectors.test_discover import institution, site
from tests.support.collector_fakes import Reply, write_registry
from tests.warehouse.conftest import land, snap

ROOT = Path(__file__).parents[2]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ---- discover and collect: exit codes ----------------------------------------------------------


@pytest.fixture
def no_dns(monkeypatch):
    """Every name but the local server's fails to resolve, as on a machine without network."""
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host in ("127.0.0.1", "localhost"):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_discover_exit_codes_complete_partial_failed(server, paths, no_dns):
    site(server)
    db = str(paths.db)
    write_registry(paths, [institution("northwind", server.url + "/")])
    assert run("--db", db, "discover", "--allow-loopback").exit_code == 0

    write_registry(
        paths, [institution("northwind", server.url + "/"), institution("gone", "https://gone.example/")]
    )
    partial = run("--db", db, "discover", "--allow-loopback")
    assert partial.exit_code == 3, partial.output
    assert "https://gone.example/: cannot resolve gone.example" in partial.output
    assert "refused" not in partial.output

    write_registry(
        paths, [institution("gone", "https://gone.example/"), institution("lost", "https://lost.example/")]
    )
    failed = run("--db", db, "discover", "--allow-loopback")
    assert failed.exit_code == 1, failed.output
    assert "failed, 0 accounts found, 2 of 2 websites failed" in failed.output


def test_discover_and_collect_with_nothing_to_do_exit_78_and_say_what_next(paths):
    db = str(paths.db)
    write_registry(paths, [institution("northwind", "https://northwind.example/")])  # no handles
    result = run("--db", db, "collect")
    assert result.exit_code == 78
    assert "nothing to collect" in result.output and "finsocial discover" in result.output
    nothing = run("--db", db, "discover", "--institution", "nobody")
    assert nothing.exit_code == 78 and "nothing to discover" in nothing.output


def test_collect_console_line_gives_the_cause_and_singular_account(server, env, paths, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    write_registry(
        paths, [{**institution("northwind", "https://n.example/"), "bluesky": "northwind.bsky.social"}]
    )
    server.route("/xrpc/app.bsky.actor.getProfiles", Reply({"error": "BadRequest"}, 400))
    result = run("--db", str(paths.db), "collect", "--platform", "Bluesky")
    assert result.exit_code == 1, result.output
    assert "bluesky: collecting 1 account\n" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("bluesky: 0/1 collected"))
    assert "1 http_error: " in line and "HTTP 400" in line


# ---- top: filters, titles, formats ------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    from tests.warehouse.conftest import REGISTRY

    registry = tmp_path / "registry.csv"
    registry.write_text(REGISTRY)
    db = tmp_path / "data" / "finsocial.duckdb"
    assert run("--db", str(db), "registry", "import", str(registry)).exit_code == 0
    from warehouse.infra.paths import DataPaths

    land(
        DataPaths(db),
        [
            snap("alpha-bank", "x", "alpha", "2026-03-31", 1000),
            snap("charlie-bank", "x", "charlie", "2026-03-31", 5000),
            snap("alpha-bank", "instagram", "alpha", "2026-03-31", 2000),
        ],
    )
    assert run("--db", str(db), "build").exit_code == 0
    return str(db)


def test_top_accepts_db_after_the_subcommand_and_platform_in_any_case(db):
    result = run("top", "--db", db, "--platform", "X", "--metric", "followers", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["institution_id"] for r in rows] == ["charlie-bank", "alpha-bank"]
    assert all("demo" not in r for r in rows)  # only demo data carries the flag


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--country", "UK"], "--country: no institution in country UK (did you mean GB?)"),
        (["--country", "FR"], "--country: no institution in country FR; countries: GB, NL"),
        (["--kind", "banks"], "--kind: unknown kind 'banks'; expected one of bank, credit_union, insurer"),
        (["--group", "small"], "--group: no peer group 'small'; groups: big, nl-banks"),
    ],
)
def test_every_filter_error_names_the_filter(db, args, message):
    result = run("--db", db, "top", "--platform", "x", "--metric", "followers", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "None" not in result.output


def test_top_without_values_or_data_says_so_and_exits_1(db):
    nobody = run("--db", db, "top", "--platform", "instagram", "--metric", "engagement_rate")
    assert nobody.exit_code == 1
    assert "no institution has a value for engagement rate (%) on Instagram as of 2026-03-31" in nobody.output
    threads = run("--db", db, "top", "--platform", "threads", "--metric", "followers")
    assert threads.exit_code == 1
    assert "no data for Threads" in threads.output and "platforms with data: instagram, x" in threads.output
    early = run("--db", db, "top", "--platform", "all", "--metric", "followers", "--as-of", "2020-01-01")
    assert early.exit_code == 1 and "no all data" not in early.output and "None" not in early.output
    assert "no data as of 2020-01-01: the data runs from 2026-03-31 to 2026-03-31" in early.output


def test_titles_carry_every_filter_and_the_rounded_note_only_when_rounded(db):
    result = run(
        "--db",
        db,
        "top",
        "--platform",
        "x",
        "--metric",
        "followers",
        "--country",
        "nl",
        "--kind",
        "bank",
        "--format",
        "markdown",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("### Top 1 by Followers on X · NL · Bank · as of 2026-03-31\n")
    assert "≈" not in result.stdout
    table = run("--db", db, "top", "--platform", "x", "--metric", "followers", "--group", "big")
    assert table.stdout.splitlines()[0] == "Top 2 by Followers on X · group big · as of 2026-03-31"
    assert "≈" not in table.stdout


def test_top_png_and_svg_draw_the_league_chart(db, tmp_path):
    png, svg = tmp_path / "top.png", tmp_path / "top.svg"
    result = run(
        "--db", db, "top", "--platform", "x", "--metric", "followers", "--format", "png", "--output", str(png)
    )
    assert result.exit_code == 0, result.output
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert (width, height) == (2000, 2 * (260 + 80))  # 1000 px wide at scale 2; bars' minimum height
    assert png.stat().st_size > 10_000
    assert (
        run(
            "--db",
            db,
            "top",
            "--platform",
            "x",
            "--metric",
            "followers",
            "--format",
            "svg",
            "--output",
            str(svg),
        ).exit_code
        == 0
    )
    text = svg.read_text()
    assert "Top 2 by Followers on X · as of 2026-03-31" in text and "Source: finsocial" in text
    assert "Charlie Bank" in text and "Demo data" not in text
    missing = run("--db", db, "top", "--platform", "x", "--metric", "followers", "--format", "png")
    assert missing.exit_code == 2 and "--output" in missing.output


def test_demo_json_csv_and_image_carry_the_demo_flag(demo_db, tmp_path):
    args = ["--db", str(demo_db), "top", "--platform", "all", "--metric", "followers"]
    rows = json.loads(run(*args, "--format", "json").stdout)
    assert rows and all(r["demo"] is True for r in rows)
    assert run(*args, "--format", "csv").stdout.splitlines()[0].endswith(",demo")
    svg = tmp_path / "demo.svg"
    assert run(*args, "--format", "svg", "--output", str(svg)).exit_code == 0
    assert "Demo data: fictional institutions" in svg.read_text()


# ---- init, foreign files, status --------------------------------------------------------------


def test_init_next_step_repeats_db_and_a_foreign_file_is_one_line(tmp_path):
    db = tmp_path / "w" / "mine.duckdb"
    result = run("init", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert f"Next: finsocial --db {db} registry import registry/institutions.csv" in result.output
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n")
    foreign = run("--db", str(text), "top", "--platform", "x", "--metric", "followers")
    assert foreign.exit_code == 1
    assert f"error: {text} is not a finsocial warehouse" in foreign.output
    assert "Traceback" not in foreign.output and len(foreign.output.strip().splitlines()) == 1


def test_status_judges_each_platform_by_its_cadence_and_prints_plain(db, tmp_path):
    import datetime as dt

    from warehouse.infra.paths import DataPaths

    now = dt.datetime.now(dt.UTC)
    today = now.date().isoformat()
    land(
        DataPaths(Path(db)),
        [
            snap("alpha-bank", "x", "alpha", today, 1100, collected_at=now - dt.timedelta(hours=2)),
            snap(
                "alpha-bank",
                "linkedin",
                "company/alpha",
                today,
                90,
                collected_at=now - dt.timedelta(hours=100),
            ),
        ],
        kind="import",
        day=today,
    )
    assert run("--db", db, "build").exit_code == 0
    # x (api, 2 h old) is fresh at 36 h; linkedin (import, 100 h old) is fresh at the weekly 192 h;
    # instagram's newest count is from 2026-03-31, stale for a nightly platform
    result = run("--db", db, "status", "--max-age", "36")
    assert result.exit_code == 1
    # mastodon has a registered account never collected: no data is never fresh
    assert "stale: instagram (stale), mastodon (no data), older than their cadence allows" in result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Freshness per platform" and "─" not in result.stdout  # plain, no box drawing
    linkedin = next(x for x in lines if x.startswith("linkedin "))
    assert linkedin.split()[-2:] == ["192", "fresh"]
    monthly = run("--db", db, "status", "--max-age", "1e6", "--import-max-age", "48")
    assert monthly.exit_code == 1 and "stale: linkedin (stale), mastodon (no data)," in monthly.output
    lenient = run("--db", db, "status", "--max-age", "1e6")
    assert lenient.exit_code == 1 and "stale: mastodon (no data)," in lenient.output
    assert run("--db", db, "status").exit_code == 0  # without a limit, status only shows


# ---- the dashboard process ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dashboard_on_a_used_port_fails_clearly(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            "--db", str(tmp_path / "x.duckdb"), "dashboard", "--port", str(port), "--address", "127.0.0.1"
        )
    assert result.exit_code == 1
    assert f"port {port} is in use" in result.output


def test_dashboard_stops_with_sigterm_and_frees_the_port(demo_db):
    port = free_port()
    finsocial = Path(sys.executable).parent / "finsocial"
    proc = subprocess.Popen(
        [str(finsocial), "dashboard", "--db", str(demo_db), "--port", str(port), "--address", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"},
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, "the dashboard exited before listening"
            time.sleep(0.3)
        else:
            pytest.fail("the dashboard never listened")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        with socket.socket() as again:
            again.bind(("127.0.0.1", port))  # nothing is left holding the port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
