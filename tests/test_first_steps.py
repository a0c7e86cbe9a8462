"""First steps: after `make demo`, the README's first commands work as printed."""

from __future__ import annotations

from click.testing import CliRunner

from finsocial.cli import cli


def test_top_after_make_demo_reads_the_demo_with_its_defaults(demo_db, tmp_path, monkeypatch):
    # a fresh checkout after `make demo`: data/demo/finsocial.duckdb, no data/finsocial.duckdb
    (tmp_path / "data" / "demo").mkdir(parents=True)
    (tmp_path / "data" / "demo" / "finsocial.duckdb").symlink_to(demo_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FINSOCIAL_DB", raising=False)
    result = CliRunner().invoke(cli, ["top", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "reading the demo warehouse data/demo/finsocial.duckdb (there is no data/finsocial.duckdb yet); "
        "--db FILE or FINSOCIAL_DB reads another"
    )
    # the defaults: every platform, by followers
    assert result.stdout.startswith("Top 3 by Followers on all platforms")
    printed = CliRunner().invoke(cli, ["top", "--platform", "all", "--metric", "followers", "--limit", "3"])
    assert printed.stdout == result.stdout


def test_a_collected_warehouse_is_read_before_the_demo(demo_db, tmp_path, monkeypatch):
    (tmp_path / "data" / "demo").mkdir(parents=True)
    (tmp_path / "data" / "demo" / "finsocial.duckdb").symlink_to(demo_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FINSOCIAL_DB", raising=False)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    result = CliRunner().invoke(cli, ["top"])
    assert "demo" not in result.stderr
    assert "no counts in" in result.output and result.exit_code == 1


def test_without_any_warehouse_the_error_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FINSOCIAL_DB", raising=False)
    result = CliRunner().invoke(cli, ["top"])
    assert result.exit_code == 1
    assert "run `finsocial init` or `finsocial demo` first" in result.output
