"""queries.connect(shared=True), the dashboard's, keeps one attached instance per warehouse file
while the file is the same build, and reads the newest build as soon as one replaces the file; a
command's connect leaves nothing open."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from warehouse.read import queries


def build_id(db, shared: bool = True) -> str:
    with queries.connect(db, shared=shared) as con:
        return queries.info(con)["build_id"]


def test_a_new_build_is_read_at_once_and_the_same_build_shares_its_instance(warehouse_state, tmp_path):
    db = tmp_path / "finsocial.duckdb"
    shutil.copy(warehouse_state("first_night"), db)
    first = build_id(db)
    with queries.connect(db, shared=True) as a, queries.connect(db, shared=True) as b:
        # two sessions of one instance: the same attached file, each with its own settings
        assert a.execute("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"
        assert b.execute("SELECT count(*) FROM institutions").fetchone() == (3,)
    held = queries.connect(db, shared=True)
    reader = held.__enter__()  # a read under way while a build replaces the file
    shutil.copy(warehouse_state("two_nights"), tmp_path / "next.duckdb")
    os.replace(tmp_path / "next.duckdb", db)  # what a build does
    second = build_id(db)
    assert second != first
    assert queries.info(reader)["build_id"] == first  # the read under way finishes on its build
    held.__exit__(None, None, None)
    assert build_id(db) == second


def test_a_command_s_read_leaves_the_file_free(warehouse_state, tmp_path):
    db = tmp_path / "finsocial.duckdb"
    shutil.copy(warehouse_state("first_night"), db)
    first = build_id(db, shared=False)
    con = duckdb.connect(str(db))  # read-write in the same process: no instance of ours holds it
    con.execute("UPDATE warehouse_info SET value = 'changed' WHERE key = 'build_id'")
    con.close()
    assert (first, build_id(db, shared=False)) != (first, first)


def test_no_file_and_not_a_warehouse(tmp_path):
    with pytest.raises(queries.NoWarehouse, match="no warehouse at"):
        build_id(tmp_path / "missing.duckdb")
    (tmp_path / "junk.duckdb").write_bytes(b"not a database")
    with pytest.raises(queries.NoWarehouse, match="is not a finsocial warehouse"):
        build_id(tmp_path / "junk.duckdb")
