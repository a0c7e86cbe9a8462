"""One build at a time across machines (the lease), the published warehouse, and pulls racing readers."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from finsocial.cli import cli
from tests.warehouse.conftest import REGISTRY, snap
from warehouse.build.publish import POINTER, NothingPublished, published, pull
from warehouse.infra.paths import DataPaths
from warehouse.landing.lease import LEASE_KEY, LeaseBusy, LeaseLost, build_lease
from warehouse.landing.runs import LandingRun
from warehouse.landing.store import landing_store


def machine(tmp_path: Path, url: str, name: str) -> DataPaths:
    paths = DataPaths(tmp_path / name / "finsocial.duckdb", url)
    paths.root.mkdir(parents=True, exist_ok=True)
    paths.registry.write_text(REGISTRY)
    return paths


def land_night(paths: DataPaths, day: str, followers: int) -> None:
    run = LandingRun(landing_store(paths), "collect", dt.date.fromisoformat(day))
    run.extend([snap("alpha-bank", "x", "alpha", day, followers), snap("bravo-ins", "x", "bravo", day, 900)])
    run.commit()


def cli_run(paths: DataPaths, *args: str):
    return CliRunner().invoke(cli, ["--db", str(paths.db), "--landing", str(paths.landing_url), *args])


def build_id(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT value FROM warehouse_info WHERE key = 'build_id'").fetchone()[0]
    finally:
        con.close()


def test_one_build_at_a_time_across_machines(s3_url, tmp_path):
    store = landing_store(machine(tmp_path, s3_url, "a"))
    said: list[str] = []
    with build_lease(store, "build", ttl=60, log=said.append) as held:
        lease = json.loads(store.read(LEASE_KEY))
        assert lease["holder"].endswith("(build)") and lease["token"] == held.token
        # a second machine waits, then gives up naming the holder
        with (
            pytest.raises(LeaseBusy, match=rf"{s3_url}/lease/build.json is held by .* \(build\) until"),
            build_lease(store, "compact", wait=0.6, ttl=60, log=said.append),
        ):
            pass
        assert said[-1].startswith("waiting up to 0.6s for ")
        assert held.renew() and json.loads(store.read(LEASE_KEY))["token"] == held.token
    assert not store.exists(LEASE_KEY)  # released
    with build_lease(store, "build", wait=0, ttl=60):
        pass


def test_a_dead_holders_lease_expires_and_is_taken_over_once(s3_url, tmp_path):
    store = landing_store(machine(tmp_path, s3_url, "a"))
    gone = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    dead = {"holder": "build-7 pid 4242 (build)", "token": "x", "expires_at": gone.isoformat()}
    store.create(LEASE_KEY, json.dumps(dead).encode())
    said: list[str] = []
    with build_lease(store, "build", wait=0, ttl=60, log=said.append) as taker:
        assert said == [
            f"took over the build lease of build-7 pid 4242 (build), which expired at {gone}; it is no longer renewed"
        ]
        assert json.loads(store.read(LEASE_KEY))["token"] == taker.token
    # a holder that slept past its expiry finds it lost at its next renewal, and may not publish
    with build_lease(store, "build", wait=0, ttl=60) as sleeper:
        store.replace(LEASE_KEY, json.dumps({**dead, "holder": "another machine"}).encode())
        assert sleeper.renew() is False
        with pytest.raises(LeaseLost, match="taken over by another machine"):
            sleeper.check()
    assert json.loads(store.read(LEASE_KEY))["holder"] == "another machine"  # not released by the loser


def test_a_build_waits_for_the_lease_and_says_who_holds_it(s3_url, tmp_path, monkeypatch):
    paths = machine(tmp_path, s3_url, "build")
    land_night(paths, "2026-03-01", 1000)
    monkeypatch.setenv("FINSOCIAL_LOCK_WAIT", "0.5")
    with build_lease(landing_store(paths), "build", ttl=60):
        result = cli_run(paths, "build")
    assert result.exit_code == 75, result.output
    assert f"error: {s3_url}/lease/build.json is held by " in result.output
    assert cli_run(paths, "build").exit_code == 0


def test_publish_then_pull_serves_the_same_night_on_another_machine(s3_url, tmp_path):
    builder, replica = machine(tmp_path, s3_url, "build"), machine(tmp_path, s3_url, "replica")
    with pytest.raises(NothingPublished):
        pull(replica, landing_store(replica))
    result = cli_run(replica, "pull")
    assert result.exit_code == 1 and "nothing published at" in result.output
    land_night(builder, "2026-03-01", 1000)
    result = cli_run(builder, "build", "--publish")
    assert result.exit_code == 0, result.output
    assert f"published {s3_url}/published/" in result.output
    version = published(landing_store(builder))
    assert version.build_id == build_id(builder.db) and version.data_to == "2026-03-01"
    result = cli_run(replica, "pull")
    assert result.exit_code == 0 and f"pulled {s3_url}/{version.key}" in result.output
    assert replica.db.read_bytes() == builder.db.read_bytes()
    assert "is the newest published warehouse already" in cli_run(replica, "pull").output
    top = CliRunner().invoke(
        cli, ["--db", str(replica.db), "top", "--platform", "x", "--metric", "followers", "--format", "json"]
    )
    assert [(r["institution_id"], r["value"]) for r in json.loads(top.output)] == [
        ("alpha-bank", 1000),
        ("bravo-ins", 900),
    ]
    # a damaged download is refused and the local warehouse stays as it was
    store = landing_store(builder)
    pointer = json.loads(store.read(POINTER))
    store.replace(POINTER, json.dumps({**pointer, "build_id": "other", "sha256": "0" * 64}).encode())
    result = cli_run(replica, "pull")
    assert result.exit_code == 1 and "the local warehouse is unchanged" in result.output
    assert build_id(replica.db) == version.build_id


def test_publish_and_pull_racing_readers(s3_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FINSOCIAL_PUBLISH_KEEP", "2")
    builder, replica = machine(tmp_path, s3_url, "build"), machine(tmp_path, s3_url, "replica")
    land_night(builder, "2026-03-01", 1000)
    assert cli_run(builder, "build", "--publish").exit_code == 0
    assert cli_run(replica, "pull").exit_code == 0
    published_ids = {build_id(builder.db)}
    seen: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:  # the dashboard: short-lived read-only connections
        while not done.is_set():
            try:
                con = duckdb.connect(str(replica.db), read_only=True)
                try:
                    bid = con.execute("SELECT value FROM warehouse_info WHERE key = 'build_id'").fetchone()[0]
                    followers = con.execute(
                        "SELECT max(followers) FROM account_snapshots WHERE institution_id = 'alpha-bank'"
                    ).fetchone()[0]
                finally:
                    con.close()
                seen.append((bid, followers))
            except BaseException as exc:  # noqa: BLE001 (any failure is the finding)
                errors.append(exc)

    def puller() -> None:  # the replica's refresh, as often as it can
        while not done.is_set():
            try:
                pull(replica, landing_store(replica), log=lambda _line: None)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    # a reader that keeps one connection open across every swap reads its own file throughout
    held = duckdb.connect(str(replica.db), read_only=True)
    first = held.execute("SELECT count(*) FROM account_snapshots").fetchone()[0]
    threads = [threading.Thread(target=reader), threading.Thread(target=puller)]
    for t in threads:
        t.start()
    for night, count in (("2026-03-02", 1100), ("2026-03-03", 1200)):
        land_night(builder, night, count)
        result = cli_run(builder, "build", "--publish")
        assert result.exit_code == 0, result.output
        published_ids.add(build_id(builder.db))
    time.sleep(1.0)
    done.set()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert held.execute("SELECT count(*) FROM account_snapshots").fetchone()[0] == first
    held.close()
    # every read saw one whole published build, each with the counts of its own night
    assert seen and {bid for bid, _ in seen} <= published_ids
    by_build = {}
    for bid, followers in seen:
        by_build.setdefault(bid, set()).add(followers)
    assert all(len(values) == 1 for values in by_build.values())
    final = pull(replica, landing_store(replica))
    assert build_id(replica.db) == build_id(builder.db) == final.version.build_id
    # two versions kept on the store
    assert len([k for k in landing_store(builder).list("published") if k.endswith(".duckdb")]) == 2


def test_a_dashboard_replica_pulls_on_start_up_and_then_every_so_often(s3_url, tmp_path, monkeypatch):
    from dashboard import data

    builder, replica = machine(tmp_path, s3_url, "build"), machine(tmp_path, s3_url, "replica")
    land_night(builder, "2026-03-01", 1000)
    assert cli_run(builder, "build", "--publish").exit_code == 0
    monkeypatch.setenv("FINSOCIAL_DB", str(replica.db))
    monkeypatch.setenv("FINSOCIAL_LANDING", s3_url)
    monkeypatch.setenv("FINSOCIAL_PULL_EVERY", "3600")
    monkeypatch.setattr(data, "_pulled_at", [])
    assert data.info()["data_to"] == "2026-03-01"  # the first read pulled it
    land_night(builder, "2026-03-02", 1100)
    assert cli_run(builder, "build", "--publish").exit_code == 0
    assert data.info()["data_to"] == "2026-03-01"  # within the hour: the one at hand
    data._pulled_at[:] = [time.monotonic() - 3601]
    assert data.info()["data_to"] == "2026-03-02"  # an hour on: the newest
