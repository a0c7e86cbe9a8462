"""The landing zone on a real S3 server: sharded collection, a shard killed mid-run, a store that
refuses writes, and a build from S3 equal to a build from a folder of the same runs."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from click.testing import CliRunner

from collectors.run import collect
from finsocial.cli import cli
from localservers.seaweed import READER_KEY, READER_SECRET
from synth import DEMO, generate
from tests.collectors.conftest import client, env, sleeps  # noqa: F401 (fixtures)
from tests.collectors.test_run import GHOST, NORTHWIND, serve_all
from tests.support.collector_fakes import NOW, write_registry
from warehouse.build.builder import build
from warehouse.infra.paths import DataPaths
from warehouse.landing.runs import MANIFEST, complete_runs, incomplete_runs
from warehouse.landing.shards import shard_of
from warehouse.landing.store import LocalStore, landing_store

ROOT = Path(__file__).resolve().parents[2]
# shard 1 of 2 holds bluesky, x (both), facebook and instagram; shard 2 of 2 mastodon and youtube
SHARD_2_OF_2 = {"mastodon", "youtube"}


def s3_paths(tmp_path: Path, url: str, name: str = "machine") -> DataPaths:
    return DataPaths(tmp_path / name / "finsocial.duckdb", url)


def followers(run, platform_filter=None) -> dict[tuple[str, str], int | None]:
    rows = [row for path in run.files("snapshots") for row in pq.read_table(path).to_pylist()]
    return {(r["institution_id"], r["platform"]): r["followers"] for r in rows}


def test_two_shards_land_into_s3_and_the_night_is_their_union(server, client, env, tmp_path, s3_url):  # noqa: F811
    serve_all(server)
    # two machines, each with its own data folder, one landing zone on S3
    one, two = s3_paths(tmp_path, s3_url, "one"), s3_paths(tmp_path, s3_url, "two")
    for paths in (one, two):
        write_registry(paths, [NORTHWIND, GHOST])
    lines: list[str] = []
    first = collect(one, client=client, now=NOW, env=env, shard=(1, 2), log=lines.append)
    second = collect(two, client=client, now=NOW, env=env, shard=(2, 2), log=lines.append)
    assert "shard 1/2: 5 accounts" in lines and "shard 2/2: 2 accounts" in lines
    assert first.status == "complete" or first.stats["failed_by_kind"] == {"not_found": 1}
    assert second.status == "complete"
    runs = complete_runs(landing_store(one))
    assert sorted(r.run_id for r in runs) == sorted([first.run_id, second.run_id])
    by_id = {r.run_id: r for r in runs}
    assert by_id[first.run_id].manifest["shard"] == {"index": 1, "count": 2}
    assert by_id[second.run_id].manifest["shard"] == {"index": 2, "count": 2}
    assert (
        by_id[first.run_id].manifest["run_date"] == by_id[second.run_id].manifest["run_date"] == "2026-03-01"
    )
    # each account in exactly one shard, as its hash says
    got_1, got_2 = followers(by_id[first.run_id]), followers(by_id[second.run_id])
    assert {p for _, p in got_2} == SHARD_2_OF_2
    assert {p for _, p in got_1} == {"bluesky", "x", "facebook", "instagram"}
    for (_, platform), _count in {**got_1, **got_2}.items():
        handle = {"bluesky": "northwind.bsky.social", "mastodon": "news@bank.example"}.get(platform)
        if handle:
            assert shard_of(platform, handle, 2) == (2 if platform in SHARD_2_OF_2 else 1)
    # the union is what one unsharded collect into a local folder finds
    local = DataPaths(tmp_path / "local" / "finsocial.duckdb")
    write_registry(local, [NORTHWIND, GHOST])
    whole = collect(local, client=client, now=NOW, env=env, log=lines.append)
    (whole_run,) = complete_runs(local.landing)
    assert {**got_1, **got_2} == followers(whole_run)
    assert whole.stats["accounts_tried"] == first.stats["accounts_tried"] + second.stats["accounts_tried"]
    # raw payloads went to S3 beside the records, never to the local folders
    assert any("/raw/bluesky/" in k for k in landing_store(one).list(f"2026-03-01/{first.run_id}"))
    assert not (tmp_path / "one" / "landing").exists()


def _collect_process(paths: DataPaths, platform_env: dict, shard: str, pause: Path | None = None):
    """`finsocial collect --shard` as a process of its own, as a machine would run it."""
    child_env = {
        **os.environ,
        **platform_env,
        "PYTHONPATH": str(ROOT),
        "FINSOCIAL_LANDING": str(paths.landing_url),
        "FINSOCIAL_DB": str(paths.db),
    }
    if pause:
        child_env |= {
            "FINSOCIAL_TEST_PAUSE_AT": "landing.before_manifest",
            "FINSOCIAL_TEST_PAUSE_FILE": str(pause),
        }
    args = [sys.executable, "-m", "finsocial.cli", "collect", "--date", "2026-03-01", "--shard", shard]
    return subprocess.Popen(args, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_shard_killed_mid_run_is_never_visible_and_the_other_is_intact(server, env, tmp_path, s3_url):  # noqa: F811
    serve_all(server)
    one, two = s3_paths(tmp_path, s3_url, "one"), s3_paths(tmp_path, s3_url, "two")
    for paths in (one, two):
        write_registry(paths, [NORTHWIND, GHOST])
    pause = tmp_path / "paused"
    killed = _collect_process(one, env, "1/2", pause)
    deadline = time.monotonic() + 120
    while not pause.exists():  # its records are on S3, its manifest not yet
        assert killed.poll() is None, killed.stdout.read()
        assert time.monotonic() < deadline, "the shard never reached its manifest"
        time.sleep(0.1)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    survivor = _collect_process(two, env, "2/2")
    output, _ = survivor.communicate(timeout=180)
    assert survivor.returncode == 0, output
    assert "shard 2/2 landed as run" in output

    store = landing_store(one)
    (run,) = complete_runs(store)
    assert run.manifest["shard"] == {"index": 2, "count": 2}
    assert {p for _, p in followers(run)} == SHARD_2_OF_2
    # the killed shard's files are on S3, without a manifest: invisible, and not swept while young
    (half,) = incomplete_runs(store)
    half_key = f"2026-03-01/{half.name}"
    half_files = store.scan(half_key).files
    assert any(n.startswith("snapshots.part") for n in half_files) and MANIFEST not in half_files

    build_machine = s3_paths(tmp_path, s3_url, "build")
    write_registry(build_machine, [NORTHWIND, GHOST])
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(build_machine.db), "--landing", s3_url, "build"])
    assert result.exit_code == 0, result.output
    assert "night 2026-03-01: shards 2 of 2 landed; 1 missing: built what landed" in result.output
    assert "1 runs" in result.output and "2 snapshots" in result.output
    assert half_key in store.list("2026-03-01").__str__()  # still there: another machine may be writing
    status = runner.invoke(cli, ["--db", str(build_machine.db), "--landing", s3_url, "status"])
    assert "Shards: night 2026-03-01: shards 2 of 2 landed; 1 missing" in status.output

    # once it is old enough to be a dead machine's, the next writing command sweeps it
    os.environ["FINSOCIAL_SWEEP_AFTER_HOURS"] = "0"
    try:
        result = runner.invoke(
            cli, ["--db", str(build_machine.db), "--landing", s3_url, "compact", "--before", "2026-01"]
        )
    finally:
        del os.environ["FINSOCIAL_SWEEP_AFTER_HOURS"]
    assert f"removed {store.where(half_key)}: a run interrupted before its manifest" in result.output
    assert incomplete_runs(store) == [] and [r.run_id for r in complete_runs(store)] == [run.run_id]


def test_a_store_refusing_writes_is_a_clear_error_and_nothing_is_half_visible(
    server,
    env,  # noqa: F811
    tmp_path,
    s3_url,
    monkeypatch,  # noqa: F811
):
    serve_all(server)
    paths = s3_paths(tmp_path, s3_url)
    write_registry(paths, [NORTHWIND, GHOST])
    # credentials that may read and list the bucket, not write to it
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", READER_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", READER_SECRET)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # a shard writes its run's files (raw payloads first), then would create the manifest
    command = ["--db", str(paths.db), "--landing", s3_url, "collect", "--date", "2026-03-01"]
    result = CliRunner().invoke(cli, [*command, "--shard", "1/1"])
    assert result.exit_code == 1, result.output
    assert f"error: {s3_url}/2026-03-01/" in result.output
    assert "cannot write: the store answered 403 AccessDenied" in result.output
    assert "nothing half-written is visible" in result.output
    assert "Traceback" not in result.output
    # a collect that builds takes the build lease first, and is refused there
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert f"error: {s3_url}/lease/build.json: cannot create: the store answered 403" in result.output
    monkeypatch.undo()
    store = landing_store(paths)
    assert complete_runs(store) == [] and store.list("") == {}
    assert not paths.db.exists()  # no build ran on a run that did not land


def _tables(db: Path) -> dict[str, list[tuple]]:
    """Every table of a warehouse, rows sorted, less what says when and by which build it was made."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        tables = {}
        for name in names:
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            if name == "warehouse_info":
                rows = [r for r in rows if r[0] not in ("build_id", "built_at")]
            if name == "schema_migrations":
                rows = [r[:1] for r in rows]
            # sums of floats may differ in their last bits with DuckDB's parallel order: 10 digits
            rows = [tuple(float(f"{v:.10g}") if isinstance(v, float) else v for v in r) for r in rows]
            tables[name] = sorted(rows, key=repr)
        return tables
    finally:
        con.close()


def test_a_build_from_s3_equals_a_build_from_a_folder_of_the_same_runs(s3_url, tmp_path):
    local = DataPaths(tmp_path / "local" / "finsocial.duckdb")
    spec = DEMO.replace(institutions=4, days=14, end=dt.date(2026, 3, 21))
    generate(local, spec)
    source = LocalStore(local.landing)
    remote_paths = s3_paths(tmp_path, s3_url, "remote")
    remote = landing_store(remote_paths)
    objects = source.list("")
    for key in objects:  # the same runs, object by object
        remote.put(key, source.read(key))
    remote_paths.root.mkdir(parents=True)
    remote_paths.registry.write_bytes(local.registry.read_bytes())

    from_folder = build(local)
    from_s3 = build(remote_paths)
    assert from_s3.runs == from_folder.runs == 14 and from_s3.snapshots == from_folder.snapshots > 0
    local_tables, s3_tables = _tables(local.db), _tables(remote_paths.db)
    assert local_tables.keys() == s3_tables.keys()
    for name in local_tables:
        assert s3_tables[name] == local_tables[name], name
    # each run's files were read once into the cache; a second (incremental) build reads none
    cached = sorted(
        p.relative_to(remote_paths.landing / "finsocial") for p in remote_paths.landing.rglob("*.parquet")
    )
    assert len(cached) == sum(1 for k in objects if k.endswith(".parquet"))
    again = build(remote_paths)
    assert again.runs == 14
