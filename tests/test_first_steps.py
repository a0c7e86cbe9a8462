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


def test_the_month_defaults_to_the_last_complete_one():
    import datetime as dt

    from warehouse.domain.posts import last_complete, previous_day

    # on December 3rd the last day with data is the 2nd: November is the month, not three days of December
    assert last_complete(dt.date(2026, 12, 2), "month").label == "2026-11"
    assert last_complete(dt.date(2026, 11, 30), "month").label == "2026-11"
    assert last_complete(dt.date(2026, 11, 21), "month").label == "2026-10"
    assert last_complete(dt.date(2026, 12, 2), "quarter").label == "2026-Q3"
    assert last_complete(dt.date(2026, 12, 2), "week").label == "2026-W48"  # 23 to 29 November
    # a month's end compares with the previous month's end; any other day with 30 days before
    assert previous_day(dt.date(2026, 10, 31)) == dt.date(2026, 9, 30)
    assert previous_day(dt.date(2026, 3, 31)) == dt.date(2026, 2, 28)
    assert previous_day(dt.date(2026, 11, 21)) == dt.date(2026, 10, 22)


def test_posts_and_top_posts_default_to_the_last_complete_month(demo_db, monkeypatch):
    # the demo's last day is 2026-11-21: November is not over, October is the month
    from tests.dashboard.conftest import page

    result = CliRunner().invoke(cli, ["--db", str(demo_db), "posts", "--limit", "2", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "2026-10" in result.stdout.splitlines()[0]
    assert "Posts made from 2026-10-01 to 2026-10-31 (UTC)" in result.stdout
    monkeypatch.setenv("FINSOCIAL_DB", str(demo_db))
    at = page("top_posts")
    assert not at.exception
    which = at.selectbox(key="tp_period_month")
    assert which.value.label == "2026-10"
    assert which.options[0] == "2026-11 (so far)"
