"""The build writes a new file and swaps it in: a failed build leaves the last good warehouse."""

from __future__ import annotations

import duckdb
import pytest

from tests.warehouse.conftest import land, snap
from warehouse.build import builder as build_module
from warehouse.build.builder import build
from warehouse.infra.csvcheck import InputError
from warehouse.inputs.registry import parse_registry, save_registry


def followers(db) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT followers FROM account_snapshots ORDER BY snapshot_date").fetchall()
    finally:
        con.close()


@pytest.fixture
def built(paths, registry_file):
    save_registry(parse_registry(registry_file), paths.registry)
    land(paths, [snap("alpha-bank", "x", "alpha", "2026-03-01", 800)])
    build(paths)
    return paths


def test_migrations_are_recorded(built):
    con = duckdb.connect(str(built.db), read_only=True)
    assert con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchone()[0] == "001_core"
    con.close()


def test_a_new_warehouse_made_from_the_migrated_bytes_records_its_own_migrations(built, tmp_path):
    """A process's later new warehouses are written from the first one's migrated file: the same
    tables and migrations, each recorded as applied when that warehouse was made."""
    import datetime as dt

    from warehouse.infra.paths import DataPaths

    def schema(db) -> tuple[list, list]:
        with duckdb.connect(str(db), read_only=True) as con:
            columns = "SELECT table_name, column_name, data_type FROM information_schema.columns"
            return (
                con.execute(columns + " WHERE table_schema = 'main' ORDER BY ALL").fetchall(),
                con.execute("SELECT version, applied_at FROM schema_migrations ORDER BY 1").fetchall(),
            )

    assert build_module._MIGRATED  # the first build kept its migrated file
    second = DataPaths(tmp_path / "second" / "finsocial.duckdb")
    second.ensure()
    second.registry.write_bytes(built.registry.read_bytes())
    land(second, [snap("alpha-bank", "x", "alpha", "2026-03-01", 800)])
    started = dt.datetime.now(dt.UTC)
    build(second, full=True)
    first_tables, first_migrations = schema(built.db)
    second_tables, second_migrations = schema(second.db)
    assert second_tables == first_tables
    assert [v for v, _ in second_migrations] == [v for v, _ in first_migrations]
    assert all(applied >= started for _, applied in second_migrations), (started, second_migrations)
    assert followers(second.db) == followers(built.db) == [(800,)]


def test_a_reader_keeps_its_snapshot_while_a_build_swaps(built):
    reader = duckdb.connect(str(built.db), read_only=True)
    land(built, [snap("alpha-bank", "x", "alpha", "2026-03-02", 900)], day="2026-03-02")
    build(built)  # no lock error although a reader holds the old file
    assert reader.execute("SELECT count(*) FROM account_snapshots").fetchone()[0] == 1
    reader.close()
    assert followers(built.db) == [(800,), (900,)]
    assert not built.next_db.exists()


def test_a_failed_build_leaves_the_last_good_warehouse(built, monkeypatch):
    land(built, [snap("alpha-bank", "x", "alpha", "2026-03-02", 900)], day="2026-03-02")
    real = build_module.sql_files

    def broken(layer):
        files = real(layer)
        return files + [("99_broken.sql", "SELECT * FROM no_such_table")] if layer == "sql/marts" else files

    monkeypatch.setattr(build_module, "sql_files", broken)
    with pytest.raises(duckdb.CatalogException):
        build(built)
    assert followers(built.db) == [(800,)]


def test_a_bad_registry_never_reaches_the_warehouse(built, tmp_path):
    built.registry.write_text("institution_id,name,kind,country,website\nx,X,bank,XX,https://x.example/\n")
    with pytest.raises(InputError):
        build(built)
    assert followers(built.db) == [(800,)]


def test_a_run_without_manifest_is_invisible(built):
    run = land(built, [snap("alpha-bank", "x", "alpha", "2026-03-03", 1000)], day="2026-03-03")
    (run.path / "manifest.json").unlink()  # as if the process died before the manifest
    build(built)
    assert followers(built.db) == [(800,)]


def test_a_second_run_the_same_day_replaces_that_days_count(built):
    from tests.warehouse.conftest import at

    land(
        built,
        [snap("alpha-bank", "x", "alpha", "2026-03-01", 810, collected_at=at("2026-03-01", 9))],
        day="2026-03-01",
    )
    build(built)
    assert followers(built.db) == [(810,)]
