"""The landing store's contract, the same on a local folder and on a real S3 server (SeaweedFS)."""

from __future__ import annotations

import threading

import pytest

from warehouse.landing.store import LocalStore, S3Store, StoreError, open_store, parse_s3_url


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "landing")
    url = request.getfixturevalue("s3_url")
    return open_store(url, tmp_path / "cache")


def test_put_scan_list_read(store):
    store.put("2026-03-01/run-a/snapshots.parquet", b"12345")
    store.put("2026-03-01/run-a/raw/x/00001-p.json.gz", b"raw")
    store.put("2026-03-02/run-b/posts.parquet", b"1")
    top = store.scan("")
    assert top.folders == ["2026-03-01", "2026-03-02"] and top.files == {}
    run = store.scan("2026-03-01/run-a")
    assert run.files == {"snapshots.parquet": 5} and run.folders == ["raw"]
    assert store.list("2026-03-01") == {
        "2026-03-01/run-a/snapshots.parquet": 5,
        "2026-03-01/run-a/raw/x/00001-p.json.gz": 3,
    }
    assert store.read("2026-03-01/run-a/snapshots.parquet") == b"12345"
    assert store.exists("2026-03-02/run-b/posts.parquet")
    assert not store.exists("2026-03-02/run-b/manifest.json")
    assert store.folder_exists("2026-03-02/run-b") and not store.folder_exists("2026-03-02/run-c")
    with pytest.raises(FileNotFoundError):
        store.read("2026-03-02/run-b/manifest.json")
    assert store.scan("no/such/folder").files == {}


def test_create_is_exclusive_and_replace_is_whole(store):
    assert store.create("lease/build.json", b"first") is True
    assert store.create("lease/build.json", b"second") is False
    assert store.read("lease/build.json") == b"first"
    store.replace("lease/build.json", b"third")
    assert store.read("lease/build.json") == b"third"


def test_of_many_racing_creates_exactly_one_wins(store):
    wins: list[int] = []
    barrier = threading.Barrier(6)

    def race(i: int) -> None:
        barrier.wait()
        if store.create("2026-03-01/run-a/manifest.json", f"writer {i}".encode()):
            wins.append(i)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert store.read("2026-03-01/run-a/manifest.json") == f"writer {wins[0]}".encode()


def test_move_and_delete_a_folder(store):
    for name in ("manifest.json", "posts.parquet", "raw/x/1.json.gz"):
        store.put(f"2026-03-01/run-a/{name}", name.encode())
    store.move_folder("2026-03-01/run-a", "quarantine/2026-03-01/run-a", markers=("manifest.json",))
    assert store.list("2026-03-01") == {}
    assert store.scan("2026-03-01").folders == []  # no emptied folder left listed (SeaweedFS keeps them)
    assert sorted(store.list("quarantine")) == [
        "quarantine/2026-03-01/run-a/manifest.json",
        "quarantine/2026-03-01/run-a/posts.parquet",
        "quarantine/2026-03-01/run-a/raw/x/1.json.gz",
    ]
    assert store.read("quarantine/2026-03-01/run-a/raw/x/1.json.gz") == b"raw/x/1.json.gz"
    store.delete_folder("quarantine/2026-03-01/run-a", markers=("manifest.json",))
    assert store.list("quarantine") == {}
    store.delete("quarantine/nothing-here")  # deleting what is not there is no error


def test_fetch_gives_a_local_file(store):
    store.put("2026-03-01/run-a/posts.parquet", b"parquet bytes")
    path = store.fetch("2026-03-01/run-a/posts.parquet")
    assert path.read_bytes() == b"parquet bytes"
    assert path == store.local_path("2026-03-01/run-a/posts.parquet")


def test_newest_is_when_a_folder_was_last_written(store):
    import time

    before = time.time()
    store.put("2026-03-01/run-a/posts.parquet", b"1")
    newest = store.newest("2026-03-01/run-a")
    assert newest is not None and before - 2 <= newest <= time.time() + 2
    assert store.newest("2026-03-01/run-none") is None


def test_s3_urls():
    assert parse_s3_url("s3://finsocial/world/landing/") == ("finsocial", "world/landing")
    assert parse_s3_url("s3://finsocial") == ("finsocial", "")
    for bad in ("s3:/finsocial/x", "https://finsocial/x", "s3://Bad_Bucket/x", "s3://a/x"):
        with pytest.raises(ValueError, match="not an s3://bucket/prefix URL"):
            parse_s3_url(bad)


def test_wrong_credentials_are_a_clear_error_naming_the_object(s3_url, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    store = open_store(s3_url, tmp_path / "cache")
    with pytest.raises(
        StoreError, match=r"s3://finsocial/test-[0-9a-f]+/landing/2026-03-01/x: cannot write: .*403"
    ):
        store.put("2026-03-01/x", b"1")
    assert isinstance(store, S3Store)


def test_an_unreachable_store_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # the discard port: nothing listens
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    store = open_store("s3://finsocial/nowhere", tmp_path / "cache")
    with pytest.raises(StoreError, match=r"s3://finsocial/nowhere: cannot list: Could not connect"):
        store.scan("")


def test_landing_in_a_folder_of_its_own(tmp_path, monkeypatch):
    import datetime as dt

    from click.testing import CliRunner

    from finsocial.cli import cli
    from tests.warehouse.conftest import REGISTRY, snap
    from warehouse.landing.runs import LandingRun

    elsewhere = tmp_path / "shared" / "landing"
    run = LandingRun(elsewhere, "collect", dt.date(2026, 3, 1))
    run.add(snap("alpha-bank", "x", "alpha", "2026-03-01", 1000))
    run.commit()
    db = tmp_path / "data" / "finsocial.duckdb"
    db.parent.mkdir()
    (db.parent / "registry.csv").write_text(REGISTRY)
    result = CliRunner().invoke(cli, ["--db", str(db), "build", "--landing", str(elsewhere)])
    assert result.exit_code == 0, result.output
    assert "1 snapshots" in result.output and "from 1 runs" in result.output
    assert not (db.parent / "landing").exists()
    # FINSOCIAL_LANDING does the same; a malformed s3:// URL is a usage error
    monkeypatch.setenv("FINSOCIAL_LANDING", str(elsewhere))
    assert "from 1 runs" in CliRunner().invoke(cli, ["--db", str(db), "build"]).output
    result = CliRunner().invoke(cli, ["--db", str(db), "build", "--landing", "s3:/bucket"])
    assert result.exit_code == 2 and "is not an s3://bucket/prefix URL" in result.output
