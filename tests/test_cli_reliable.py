"""Issue 26's command-line cases: clear errors instead of tracebacks, exit codes that tell a build
left a run out, `runs retract` taking a run id and never a pattern, a crash inside `runs restore`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.test_cli_robust import installed  # noqa: F401 (a fixture)
from tests.warehouse.conftest import land, post, snap
from warehouse.domain.posts import POST_MEASURES
from warehouse.infra.paths import DataPaths
from warehouse.landing import store
from warehouse.landing.quarantine import list_runs, restore, retract
from warehouse.landing.runs import complete_runs


@pytest.fixture
def one_night(installed):  # noqa: F811 (the fixture imported above)
    land(
        installed,
        [
            snap("alpha-bank", "x", "alpha", "2026-03-01", 800),
            post("alpha-bank", "x", "alpha", "p1", "2026-03-01", likes=3, views=10),
        ],
        day="2026-03-01",
    )
    assert invoke(installed, "build").exit_code == 0
    return installed


def invoke(paths: DataPaths, *args: str):
    return CliRunner().invoke(cli, ["--db", str(paths.db), *args])


def assert_clear_error(result, *words: str, code: int = 1) -> None:
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception  # never a traceback
    for word in words:
        assert word in result.output, result.output


def test_top_as_of_a_day_before_any_data_is_a_clear_error(one_night):
    result = invoke(one_night, "top", "--platform", "x", "--metric", "followers", "--as-of", "0001-01-01")
    assert_clear_error(result, "no data as of 0001-01-01", "from 2026-03-01 to 2026-03-01")


def test_status_max_age_must_be_a_number_of_hours(one_night):
    for hours in ("nan", "inf", "-5"):
        for option in ("--max-age", "--import-max-age"):
            result = invoke(one_night, "status", option, hours)
            assert_clear_error(result, option, "not a number of hours", code=2)


def test_registry_export_into_a_missing_folder_is_a_clear_error(one_night, tmp_path):
    target = tmp_path / "nonexistent" / "dir" / "x.csv"
    result = invoke(one_night, "registry", "export", str(target))
    assert_clear_error(result, f"cannot write {target}", "No such file or directory")


def test_posts_offers_exactly_the_measures_it_ranks_by(one_night):
    help_text = invoke(one_night, "posts", "--help").output
    assert "views" not in help_text  # listed before, then refused
    for measure in POST_MEASURES:
        assert measure in help_text
        result = invoke(one_night, "posts", "--period", "2026-03", "--by", measure)
        assert result.exit_code in (0, 1) and isinstance(result.exception, (SystemExit, type(None)))
    assert invoke(one_night, "posts", "--period", "2026-03", "--by", "likes").exit_code == 0
    assert_clear_error(invoke(one_night, "posts", "--by", "views"), "'views' is not one of", code=2)


def test_runs_retract_takes_a_run_id_never_a_pattern(one_night):
    (run,) = complete_runs(one_night.landing)
    for pattern in ("*", "2026*", "?" * 22, "*/..", "[0-9]*", ".", "..", "../2026-03-01"):
        result = invoke(one_night, "runs", "retract", pattern)
        assert_clear_error(result, "no run")
        assert [r.run_id for r in complete_runs(one_night.landing)] == [run.run_id]
        assert not (one_night.landing / "quarantine").exists()


def damage_a_new_run(paths: DataPaths) -> None:
    run = land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-02", 900)], day="2026-03-02")
    manifest = run.path / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:40])


def test_commands_that_build_exit_3_when_the_build_left_a_damaged_run_out(one_night, tmp_path):
    registry = tmp_path / "registry.csv"
    counts = tmp_path / "counts.csv"
    counts.write_text("institution_id,platform,date,followers\nalpha-bank,linkedin,2026-03-01,50\n")
    (run,) = complete_runs(one_night.landing)
    commands = [
        ("registry", "import", str(registry)),
        ("import-counts", str(counts)),
        ("runs", "retract", run.run_id),
        ("runs", "restore", run.run_id),
        ("init",),
    ]
    for command in commands:
        damage_a_new_run(one_night)
        result = invoke(one_night, *command)
        assert result.exit_code == 3, (command, result.output)
        assert "quarantined 2026-03-02/" in result.output and "not valid JSON" in result.output
    # with nothing damaged, the same commands exit 0
    assert invoke(one_night, "registry", "import", str(registry)).exit_code == 0


def test_a_crash_inside_restore_never_hides_the_run(one_night, monkeypatch):
    landing = one_night.landing
    (run,) = complete_runs(landing)
    retract(landing, run.run_id, "a broken proxy")

    # the process dies as the folder moves back: the run stays listed in the quarantine
    def die(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(store.os, "replace", die)  # the folder's one rename
    with pytest.raises(KeyboardInterrupt):
        restore(landing, run.run_id)
    monkeypatch.undo()
    assert [(r.run_id, r.where) for r in list_runs(landing)] == [(run.run_id, "quarantine: a broken proxy")]
    # it dies after the move, before the note is removed: the run is back and builds
    monkeypatch.setattr(store, "fsync_dir", die)
    with pytest.raises(KeyboardInterrupt):
        restore(landing, run.run_id)
    monkeypatch.undo()
    assert [r.run_id for r in complete_runs(landing)] == [run.run_id]
    assert invoke(one_night, "build").exit_code == 0
    assert [(r.run_id, r.where) for r in list_runs(landing)] == [(run.run_id, "landing")]
    # and retracts again
    assert invoke(one_night, "runs", "retract", run.run_id).exit_code == 0
    assert not (landing / "2026-03-01").exists()


def test_a_reader_in_another_time_zone_sees_the_same_days(installed, tmp_path):  # noqa: F811
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    # posted at 22:30 UTC on 31 March: 1 April in Tokyo, yet a March post in the warehouse
    late = post("alpha-bank", "x", "alpha", "late", "2026-03-31", likes=9)
    late.posted_at = late.posted_at.replace(hour=22, minute=30)
    land(installed, [snap("alpha-bank", "x", "alpha", "2026-03-31", 800), late], day="2026-03-31")
    assert invoke(installed, "build").exit_code == 0
    repo = Path(__file__).resolve().parents[1]
    args = ["--db", str(installed.db), "posts", "--period", "2026-03", "--format", "json"]
    outputs = []
    for tz in ("UTC", "Asia/Tokyo"):
        env = {**os.environ, "TZ": tz, "PYTHONPATH": str(repo)}
        done = subprocess.run(
            [sys.executable, "-m", "finsocial.cli", *args], env=env, capture_output=True, text=True, cwd=repo
        )
        assert done.returncode == 0, (tz, done.stderr)
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1] and len(outputs[0]) == 1
