"""The command line on bad days: damaged runs, a failed build after collect, a full disk, registry wipes."""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.warehouse.conftest import REGISTRY, land, snap
from warehouse.infra.paths import DataPaths


@pytest.fixture
def installed(tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text(REGISTRY)
    db = tmp_path / "data" / "finsocial.duckdb"
    result = CliRunner().invoke(cli, ["--db", str(db), "registry", "import", str(registry)])
    assert result.exit_code == 0, result.output
    return DataPaths(db)


def invoke(paths: DataPaths, *args: str, **kwargs):
    return CliRunner().invoke(cli, ["--db", str(paths.db), *args], **kwargs)


def followers(paths) -> list:
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT followers FROM account_snapshots ORDER BY 1").fetchall()]
    finally:
        con.close()


def test_build_with_a_truncated_manifest_names_it_and_exits_partial(installed):
    first = land(installed, [snap("alpha-bank", "x", "alpha", "2026-03-01", 800)], day="2026-03-01")
    second = land(installed, [snap("alpha-bank", "x", "alpha", "2026-03-02", 900)], day="2026-03-02")
    assert invoke(installed, "build").exit_code == 0
    manifest = second.path / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:50])
    result = invoke(installed, "build")
    assert result.exit_code == 3, result.output
    assert f"quarantined 2026-03-02/{second.run_id}: {manifest}: not valid JSON" in result.output
    assert followers(installed) == [800]
    # listed by `runs` and `status`, then restored after a repair
    listed = invoke(installed, "runs")
    assert listed.exit_code == 0 and first.run_id in listed.output and "quarantine:" in listed.output
    status = invoke(installed, "status")
    assert "Runs in the quarantine" in status.output and second.run_id in status.output
    again = invoke(installed, "build")
    assert again.exit_code == 0  # reported once, kept listed
    refused = invoke(installed, "runs", "restore", second.run_id)
    assert refused.exit_code == 1 and "still damaged" in refused.output


def test_retract_and_restore_from_the_command_line(installed):
    run = land(installed, [snap("alpha-bank", "x", "alpha", "2026-03-01", 800)], day="2026-03-01")
    assert invoke(installed, "build").exit_code == 0 and followers(installed) == [800]
    result = invoke(installed, "runs", "retract", run.run_id, "--reason", "a broken proxy")
    assert result.exit_code == 0, result.output
    assert followers(installed) == []
    assert "quarantine: a broken proxy" in invoke(installed, "runs").output
    result = invoke(installed, "runs", "restore", run.run_id)
    assert result.exit_code == 0, result.output
    assert followers(installed) == [800]
    missing = invoke(installed, "runs", "retract", "nope")
    assert missing.exit_code == 1 and "no run nope" in missing.output


def test_collect_separates_a_landed_run_from_a_failed_build(installed, monkeypatch):
    from collectors import run as run_module
    from warehouse.build import builder as build_module

    def fake_collect(paths, *args, **kwargs):
        run = land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-01", 800)], day="2026-03-01")
        return run_module.CollectResult(run.run_id, "complete", {})

    def failing_build(*args, **kwargs):
        raise RuntimeError("out of memory in a mart")

    monkeypatch.setattr(run_module, "collect", fake_collect)
    monkeypatch.setattr(build_module, "build", failing_build)
    result = invoke(installed, "collect")
    assert result.exit_code == 4, result.output
    assert "landed (complete), but the build failed: RuntimeError: out of memory in a mart" in result.output
    assert "`finsocial build` builds it" in result.output
    monkeypatch.undo()
    assert invoke(installed, "build").exit_code == 0 and followers(installed) == [800]


def test_collect_refuses_a_future_date(installed):
    result = invoke(installed, "collect", "--date", "2999-01-01")
    assert result.exit_code == 2 and "--date 2999-01-01 is in the future" in result.output


def test_a_full_disk_is_one_clear_line(installed, monkeypatch):
    import errno

    from warehouse.build import builder as build_module

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_module, "_load_weights", full)
    result = invoke(installed, "build")
    assert result.exit_code == 1
    assert result.output.startswith(f"error: no space left on the device of {installed.next_db}")
    assert "Traceback" not in result.output


def test_a_header_only_registry_is_refused_unless_allowed(installed, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text(REGISTRY.splitlines()[0] + "\n")
    result = invoke(installed, "registry", "import", str(empty))
    assert result.exit_code == 1 and "would remove all 5" in result.output
    assert len(installed.registry.read_text().splitlines()) == 6  # unchanged
    result = invoke(installed, "registry", "import", str(empty), "--allow-empty")
    assert result.exit_code == 1 and "pass --yes" in result.output  # a script must also confirm
    result = invoke(installed, "registry", "import", str(empty), "--allow-empty", "--yes")
    assert result.exit_code == 0 and "replaces 5 institutions with 0: 5 removed" in result.output


def test_a_replacement_says_how_many_it_removes_and_asks(installed, tmp_path):
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("\n".join(REGISTRY.splitlines()[:3]) + "\n")
    result = invoke(installed, "registry", "import", str(smaller))
    assert result.exit_code == 1
    assert "replaces 5 institutions with 2: 3 removed, 0 added" in result.output
    assert "nothing was changed; pass --yes" in result.output
    result = invoke(installed, "registry", "import", str(smaller), "--yes")
    assert result.exit_code == 0 and "imported 2 institutions" in result.output
