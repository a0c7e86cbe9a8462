"""The dashboard's data facade: every read is a named function, cached until a build replaces the file."""

from __future__ import annotations

import inspect
import os
import shutil

from dashboard import data


def test_a_new_build_shows_without_a_restart(warehouse_state, tmp_path, use_db):
    db = tmp_path / "finsocial.duckdb"
    shutil.copyfile(warehouse_state("empty"), db)
    use_db(db)
    assert data.summary()["institutions"] == 0
    assert data.institutions().empty
    assert data.summary()["institutions"] == 0  # served from the cache: same file

    # a build writes the next file beside the old one and swaps it in with os.replace
    shutil.copyfile(warehouse_state("first_night"), tmp_path / "finsocial.duckdb.next")
    os.replace(tmp_path / "finsocial.duckdb.next", db)
    assert data.summary()["institutions"] == 3
    assert len(data.institutions()) == 3


def test_cached_frames_are_the_callers_own(script_db, use_db):
    use_db(script_db)
    first = data.institutions()
    first.drop(columns=["name"], inplace=True)
    assert "name" in data.institutions()


def test_every_read_is_a_named_typed_function():
    # no read is dispatched by a string: pages call data.<name>(...) and a tool can follow it
    assert not hasattr(data, "query")
    for name, function in inspect.getmembers(data, inspect.isfunction):
        if function.__module__ != data.__name__ or name.startswith("_"):
            continue
        assert function.__doc__, f"data.{name} has no docstring"
        assert "return" in function.__annotations__, f"data.{name} has no return type"
