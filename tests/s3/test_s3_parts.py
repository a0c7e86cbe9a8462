"""A collect into a landing zone on S3 lands each platform's records as a part as it goes (it held
every record until commit before): nothing of the run is visible until its manifest, written last,
lists the parts; a store that fails a write late in the night keeps the parts already on it."""

from __future__ import annotations

import pyarrow.parquet as pq

from collectors.run import collect
from tests.collectors.conftest import client, env, sleeps  # noqa: F401 (fixtures)
from tests.collectors.test_run import GHOST, NORTHWIND, serve_all
from tests.s3.test_s3_landing import s3_paths
from tests.support.collector_fakes import NOW, write_registry
from warehouse.landing.runs import MANIFEST, LandingRun, complete_runs, file_entries
from warehouse.landing.store import S3Store, StoreError, landing_store


def parts_on_s3(store, run: LandingRun) -> list[str]:
    return sorted(n for n in store.scan(run.key).files if n.endswith(".parquet"))


def test_a_collect_on_s3_lands_each_platform_as_it_goes(server, client, env, tmp_path, s3_url, monkeypatch):  # noqa: F811
    serve_all(server)
    paths = s3_paths(tmp_path, s3_url)
    write_registry(paths, [NORTHWIND, GHOST])
    store = landing_store(paths)
    seen: list[tuple[int, list[str], int]] = []
    real_flush = LandingRun.flush

    def flush(self):
        real_flush(self)
        # after each platform: nothing held in memory, its part on S3, the run not visible yet
        seen.append((self.held(), parts_on_s3(store, self), len(complete_runs(store))))

    monkeypatch.setattr(LandingRun, "flush", flush)
    result = collect(
        paths, ["bluesky", "mastodon", "youtube"], client=client, now=NOW, env=env, log=lambda _m: None
    )
    monkeypatch.undo()

    assert len(seen) == 4  # one flush a platform, then the commit's
    assert all(held == 0 and visible == 0 for held, _parts, visible in seen)
    grew = [len(parts) for _held, parts, _visible in seen]
    assert grew == sorted(grew) and grew[0] >= 1 and grew[-1] > grew[0]
    (run,) = complete_runs(store)
    assert run.run_id == result.run_id
    entry = run.manifest["files"]["snapshots"]
    parts = file_entries(entry)
    assert len(parts) > 1 and all(p["path"].startswith("snapshots.part") for p in parts)
    # the manifest lists every part on S3, in order, with its rows and checksum; nothing else lies there
    listed = {p["path"] for e in run.manifest["files"].values() for p in file_entries(e)}
    assert listed == set(parts_on_s3(store, run))
    rows = [r for path in run.files("snapshots") for r in pq.read_table(path).to_pylist()]
    assert len(rows) == entry["rows"] == result.stats["accounts_collected"]
    # (a build reads such parts from S3: test_s3_landing's killed-shard test builds one)


def test_a_store_failing_late_keeps_the_parts_written_and_lands_partial(
    server,
    client,  # noqa: F811
    env,  # noqa: F811
    tmp_path,
    s3_url,
    monkeypatch,
):
    serve_all(server)
    paths = s3_paths(tmp_path, s3_url)
    write_registry(paths, [NORTHWIND, GHOST])
    store = landing_store(paths)
    real_put, real_flush = S3Store.put, LandingRun.flush
    flushed: list[int] = []

    def refusing_put(self, key, data):
        if key.endswith(".parquet"):
            raise StoreError(f"{self.where(key)}: cannot write: the store answered 503 SlowDown")
        return real_put(self, key, data)

    def flush(self):
        real_flush(self)
        flushed.append(sum(len(p) for p in self._parts.values()))
        monkeypatch.setattr(S3Store, "put", refusing_put)  # after the first platform's part

    monkeypatch.setattr(LandingRun, "flush", flush)
    lines: list[str] = []
    result = collect(paths, ["bluesky", "mastodon"], client=client, now=NOW, env=env, log=lines.append)
    monkeypatch.undo()

    assert any("the store refused its records as they went" in line for line in lines)
    assert result.status == "partial" and result.exit_code == 3
    (run,) = complete_runs(store)
    assert run.manifest["status"] == "partial"
    note = run.manifest["stats"]["not_landed"]
    assert "503 SlowDown" in note and "records collected after the last part written were not landed" in note
    # what the first platform landed is there, whole, and nothing else
    written = flushed[0]
    assert written >= 1
    assert sum(len(file_entries(e)) for e in run.manifest["files"].values()) == written
    assert MANIFEST in store.scan(run.key).files
    (snapshots,) = run.files("snapshots")
    assert pq.read_table(snapshots).num_rows == 1
