"""The warm-up reads exactly what each page shows a new reader: after it, no page opens a connection."""

from __future__ import annotations

import pytest
import streamlit as st

from dashboard import data, defaults
from tests.dashboard.conftest import PAGES, page
from warehouse.read import queries


@pytest.fixture
def connections(monkeypatch) -> list:
    """Every connection the dashboard opens: one per query-cache miss."""
    opened: list = []
    connect = queries.connect

    def counted(db, *args, **kwargs):
        opened.append(db)
        return connect(db, *args, **kwargs)

    monkeypatch.setattr(queries, "connect", counted)
    return opened


def test_after_the_warm_up_no_page_reads_anything_new(demo_db, use_db, connections):
    use_db(demo_db)
    st.cache_data.clear()
    page("league")
    assert connections, "a page read nothing from an empty cache: the counts below would prove nothing"

    st.cache_data.clear()
    assert defaults.warm(data.warehouse()) > 20
    missed = {}
    for name in PAGES:
        connections.clear()
        at = page(name)
        assert not at.exception, name
        if connections:
            missed[name] = len(connections)
    assert missed == {}, f"queries the warm-up did not read, per page: {missed}"


def test_the_warm_up_follows_a_new_build(tmp_path, use_db, monkeypatch):
    """The watcher warms again when the file's identity changes (a build swaps the file)."""
    warmed: list = []
    monkeypatch.setattr(defaults, "warm", lambda wh: warmed.append(wh.db) or 1)
    monkeypatch.setattr(
        data, "warehouse", lambda: data.Warehouse(db=data.db_path(), info={}, summary={}, options={})
    )
    keys = iter(["build-1", "build-1", "build-2", None, "build-2"])
    monkeypatch.setattr(data, "version", lambda db: next(keys))
    with pytest.raises(StopIteration):
        defaults.watch(interval=0)
    assert len(warmed) == 2  # build-1 once, build-2 once; no file: nothing
