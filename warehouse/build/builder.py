"""Build the warehouse from the landing zone and the registry into a new file, then swap it in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import time
import uuid
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.domain import practices
from warehouse.domain.platforms import PLATFORM_TABLE, PLATFORMS
from warehouse.domain.power import PowerFormula, resolve_formula
from warehouse.domain.text.lists import LISTS as TEXT_LISTS
from warehouse.domain.webcare import webcare_targets
from warehouse.infra.faults import pause_at
from warehouse.infra.files import DiskFull, fsync_dir, is_no_space, write_atomic
from warehouse.infra.paths import DataPaths
from warehouse.inputs.registry import Institution, load_registry
from warehouse.inputs.targets import collection_targets
from warehouse.landing.catalogue import Catalogue
from warehouse.landing.quarantine import QuarantinedRun, quarantine_damaged, quarantined
from warehouse.landing.records import SCHEMAS
from warehouse.landing.shards import NightShards, night_shards
from warehouse.landing.store import landing_store
from warehouse.landing.verify import damaged_reads, file_sha256

VERSION = "0.1.0"


@dataclasses.dataclass(frozen=True)
class BuildResult:
    """What a build made: counts a person can check at a glance."""

    db: Path
    institutions: int
    accounts: int
    snapshots: int
    posts: int
    runs: int
    data_from: dt.date | None
    data_to: dt.date | None
    seconds: float
    # damaged runs this build moved to the quarantine (the build went on without them)
    quarantined: tuple[QuarantinedRun, ...] = ()
    in_quarantine: int = 0
    # the newest sharded night: which of its shards landed and which did not (collect --shard)
    shards: NightShards | None = None

    @property
    def partial(self) -> bool:
        return bool(self.quarantined)


def sql_files(layer: str) -> list[tuple[str, str]]:
    """(name, text) of the .sql files of a layer, in name order."""
    folder = resources.files("warehouse.build") / layer
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations not yet recorded in schema_migrations; return those applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for name, text in sql_files("migrations"):
        version = name.removesuffix(".sql")
        if version in done:
            continue
        con.execute("BEGIN")
        con.execute(text)
        con.execute("INSERT INTO schema_migrations VALUES (?, now())", [version])
        con.execute("COMMIT")
        applied.append(version)
    return applied


# The empty warehouse file with every migration applied, by the migrations and the DuckDB that made
# it: a process that builds many new warehouses (the test suite, a benchmark) writes these bytes
# instead of running the migrations' ninety-odd statements again, about 0.05 s of CPU a build.
_MIGRATED: dict[str, bytes] = {}


def _new_warehouse(target: Path, paths: DataPaths) -> duckdb.DuckDBPyConnection:
    """A connection to a new warehouse file at target with every migration applied."""
    digest = hashlib.sha256(duckdb.__version__.encode())
    for name, text in sql_files("migrations"):
        digest.update(name.encode() + b"\0" + text.encode())
    key = digest.hexdigest()
    if (migrated := _MIGRATED.get(key)) is None:
        con = _connect(target, paths)
        apply_migrations(con)
        con.execute("CHECKPOINT")
        con.close()
        _MIGRATED[key] = target.read_bytes()
    else:
        target.write_bytes(migrated)
    con = _connect(target, paths)
    con.execute("UPDATE schema_migrations SET applied_at = now()")  # applied to this file now
    return con


def _arrow(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def _load_registry(con, institutions: list[Institution], catalogue: Catalogue) -> None:
    inst_schema = pa.schema(
        [
            ("institution_id", pa.string()),
            ("name", pa.string()),
            ("kind", pa.string()),
            ("country", pa.string()),
            ("website", pa.string()),
            ("groups", pa.list_(pa.string())),
            ("total_assets", pa.float64()),
        ]
    )
    rows = [
        {
            "institution_id": i.institution_id,
            "name": i.name,
            "kind": i.kind,
            "country": i.country,
            "website": i.website,
            "groups": list(i.groups),
            "total_assets": i.total_assets,
        }
        for i in institutions
    ]
    inst_table = _arrow(rows, inst_schema)  # noqa: F841 (read by DuckDB's replacement scan)
    con.execute("DELETE FROM institution_groups")
    con.execute("DELETE FROM institutions")
    con.execute("INSERT INTO institutions BY NAME SELECT * FROM inst_table")
    con.execute("INSERT INTO institution_groups SELECT institution_id, unnest(groups) FROM institutions")
    target_schema = pa.schema(
        [(n, pa.string()) for n in ("institution_id", "platform", "handle", "url", "found_via", "found_on")]
    )
    targets = collection_targets(institutions, catalogue)
    target_table = _arrow([t.__dict__ for t in targets], target_schema)  # noqa: F841
    con.execute("CREATE TABLE landed.targets AS SELECT * FROM target_table")


def _sql_list(values: list[str]) -> str:
    """A list of strings as a SQL literal (a view's text cannot take parameters)."""
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::VARCHAR[]"


def _load_landing(con, catalogue: Catalogue, built: set[str]) -> None:
    """The records of the runs not built yet as landed.<kind>, and their manifests into landed.runs.

    A kind's records are a view over the runs' Parquet files, not a copy: the staging views read
    each file's columns they need (a run is immutable and each file was checked before), and a
    filter on a column prunes by the files' own statistics."""
    runs = [run for run in catalogue.build_runs() if run.run_id not in built]
    months = [month for month in catalogue.months if not month.run_ids <= built]
    for kind, schema in SCHEMAS.items():
        empty = schema.empty_table().append_column("run_id", pa.array([], pa.string()))  # noqa: F841
        wanted = con.execute("DESCRIBE SELECT * FROM empty").fetchall()
        files = [str(f) for run in runs for f in run.files(kind)]
        compacted = [str(f) for month in months if (f := month.file(kind)) is not None]
        parts = []
        for paths, compacted_files in ((files, False), (compacted, True)):
            if not paths:
                continue
            source = f"read_parquet({_sql_list(paths)}, union_by_name = true, filename = true)"
            found = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            columns = [
                f'CAST("{name}" AS {kind_type}) AS "{name}"'
                if name in found
                else f'CAST(NULL AS {kind_type}) AS "{name}"'
                for name, kind_type, *_ in wanted
                if name != "run_id"
            ]
            if compacted_files:
                # a compacted month's file keeps each record's run_id as a column
                columns.append('CAST("run_id" AS VARCHAR) AS "run_id"')
                where = f" WHERE run_id NOT IN (SELECT unnest({_sql_list(sorted(built))}))"
            else:
                # the run a record belongs to is the folder its file lies in
                columns.append("regexp_extract(filename, '([^/]+)/[^/]+$', 1) AS run_id")
                where = ""
            parts.append(f"SELECT {', '.join(columns)} FROM {source}{where}")
        if parts:
            con.execute(f"CREATE VIEW landed.{kind} AS " + " UNION ALL ".join(parts))
        else:
            con.execute(f"CREATE TABLE landed.{kind} AS SELECT * FROM empty")
    run_rows = []
    for m in catalogue.manifests():
        if m["run_id"] in built:
            continue
        requests = m.get("requests") or {}
        run_rows.append(
            {
                "run_id": m["run_id"],
                "kind": m["kind"],
                "run_date": dt.date.fromisoformat(m["run_date"]),
                "status": m.get("status", "complete"),
                "demo": bool(m.get("demo", False)),
                "started_at": dt.datetime.fromisoformat(m["started_at"]) if m.get("started_at") else None,
                "finished_at": dt.datetime.fromisoformat(m["finished_at"]) if m.get("finished_at") else None,
                "requests": sum(requests.values()) if requests else None,
                "stats": json.dumps({**m.get("stats", {}), "requests": requests}),
            }
        )
    run_schema = pa.schema(
        [
            ("run_id", pa.string()),
            ("kind", pa.string()),
            ("run_date", pa.date32()),
            ("status", pa.string()),
            ("demo", pa.bool_()),
            ("started_at", pa.timestamp("us", tz="UTC")),
            ("finished_at", pa.timestamp("us", tz="UTC")),
            ("requests", pa.int64()),
            ("stats", pa.string()),
        ]
    )
    run_table = _arrow(run_rows, run_schema)  # noqa: F841
    con.execute("CREATE TABLE landed.runs AS SELECT * FROM run_table")


def _load_quarantine(con, entries: list[QuarantinedRun]) -> None:
    rows = [
        {
            "run_id": q.run_id,
            "origin": q.origin,
            "path": str(q.path),
            "reason": q.reason,
            "quarantined_at": dt.datetime.fromisoformat(q.quarantined_at) if q.quarantined_at else None,
            "retracted": q.retracted,
        }
        for q in entries
    ]
    schema = pa.schema(
        [
            ("run_id", pa.string()),
            ("origin", pa.string()),
            ("path", pa.string()),
            ("reason", pa.string()),
            ("quarantined_at", pa.timestamp("us", tz="UTC")),
            ("retracted", pa.bool_()),
        ]
    )
    quarantine_table = _arrow(rows, schema)  # noqa: F841
    con.execute("DELETE FROM quarantined_runs")
    con.execute("INSERT INTO quarantined_runs BY NAME SELECT * FROM quarantine_table")


def _load_weights(con, formula: PowerFormula) -> None:
    schema = pa.schema(
        [
            ("formula", pa.string()),
            ("term", pa.int32()),
            ("platform", pa.string()),
            ("measure", pa.string()),
            ("units_per_point", pa.float64()),
            ("weight", pa.float64()),
        ]
    )
    weights = pa.Table.from_pylist(formula.rows(), schema=schema)  # noqa: F841
    con.execute("DELETE FROM power_weights")
    con.execute("INSERT INTO power_weights BY NAME SELECT * FROM weights")
    targets = webcare_targets(PLATFORMS)
    con.execute("DELETE FROM webcare_targets")
    # one statement each, not one per row (executemany costs a statement's planning per row)
    target_rows = pa.table({"platform": list(targets), "minutes": list(targets.values())})  # noqa: F841
    con.execute("INSERT INTO webcare_targets SELECT * FROM target_rows")
    # each platform's anomaly bounds, from its row, for sql/marts/05_anomalies.sql
    con.execute(
        "CREATE OR REPLACE TEMP TABLE anomaly_bounds (platform VARCHAR, max_change_pct DOUBLE, min_change BIGINT)"
    )
    bounds = _anomaly_bounds()
    bound_rows = pa.table(  # noqa: F841 (read by DuckDB's replacement scan)
        {
            "platform": [b[0] for b in bounds],
            "max_change_pct": pa.array([b[1] for b in bounds], pa.float64()),
            "min_change": pa.array([b[2] for b in bounds], pa.int64()),
        }
    )
    con.execute("INSERT INTO anomaly_bounds SELECT * FROM bound_rows")


def _anomaly_bounds() -> list[tuple[str, float, int]]:
    return [(p.name, *p.anomaly) for p in PLATFORM_TABLE]


def metrics_version(formula: PowerFormula) -> str:
    """A digest of everything the metrics depend on besides the data: the SQL and the formula."""
    digest = hashlib.sha256(VERSION.encode())
    for layer in ("migrations", "sql/staging", "sql/marts"):
        for name, text in sql_files(layer):
            digest.update(name.encode() + b"\0" + text.encode())
    digest.update(json.dumps(formula.rows()).encode())
    digest.update(json.dumps(sorted(webcare_targets(PLATFORMS).items())).encode())
    digest.update(json.dumps(_anomaly_bounds()).encode())
    digest.update(practices.load().digest.encode())
    digest.update(TEXT_LISTS.read_bytes())  # the phrase lists bait is judged by at build
    return digest.hexdigest()[:16]


def with_user_lists(version: str, paths: DataPaths) -> str:
    """The metrics version with the user's phrase lists in it: a change there changes which posts
    are bait, so the next build is a full one."""
    extra = paths.text_lists
    if not extra.exists():
        return version
    return version + "-" + hashlib.sha256(extra.read_bytes()).hexdigest()[:8]


# Before any day: a full build computes every day.
FIRST_DAY = dt.date(1970, 1, 1)
# The marts computed day by day, and how many account-days at most at a time: a full build of a
# long history goes a few months at a time (each like a nightly build), so that the windows, as-of
# joins and sorts stay within the memory budget instead of spilling the whole history to disk.
DAILY_MARTS = ("10_account_metrics.sql", "20_institution_metrics.sql")
ACCOUNT_DAYS_AT_A_TIME = 2_500_000

# A new snapshot changes the metrics of its own day and later days only (baselines look back); but
# an anomaly is judged by the snapshot up to 7 days after it, so a new count can change an older flag.
ANOMALY_LOOKBACK_DAYS = 8

# The tables merged from the runs being built: (table, staged view, key, when observed, table order,
# the columns whose change in a replaced row makes 01_core.sql recount the account's spans).
# Of two observations of the same key the later one wins (then the later run), as within one build.
MERGED = (
    (
        "account_snapshots",
        "stg_snapshots",
        ("account_id", "snapshot_date"),
        "collected_at",
        "snapshot_date",
        ("method", "posts_observed"),
    ),
    ("posts", "stg_posts", ("account_id", "post_id"), "collected_at", "posted_at", ("posted_at",)),
    ("account_sightings", "stg_sightings", ("account_id",), "observed_at", "account_id", ()),
    ("comments", "stg_comments", ("account_id", "comment_id"), "collected_at", "created_at", ()),
    ("audience_samples", "stg_audience", ("account_id", "sample_date"), "collected_at", "sample_date", ()),
    ("mentions", "stg_mentions", ("institution_id", "platform", "post_id"), "collected_at", "posted_at", ()),
)


def _merge_latest(
    con,
    table: str,
    staged: str,
    key: tuple[str, ...],
    seen: str,
    order: str,
    spans: tuple[str, ...],
    empty: bool,
) -> None:
    """Merge the staged rows into table: a staged row replaces a row of the same key observed
    earlier, and is dropped where the table's row was observed later. Rows go in `order`, so that
    a scan of recent days skips the older row groups. Leaves new_<table>, the staged rows, and
    replaced_<table>, the accounts where a staged row met a row differing in a `spans` column."""
    if empty:  # a full build: nothing to merge with
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {staged} ORDER BY {order}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW new_{table} AS SELECT * FROM {table}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE replaced_{table} (account_id VARCHAR)")
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE new_{table} AS SELECT * FROM {staged}")
    same = " AND ".join(f"t.{k} = n.{k}" for k in key)
    differs = " OR ".join(f"n.{c} IS DISTINCT FROM t.{c}" for c in spans) or "false"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE replaced_{table} AS SELECT DISTINCT n.account_id"
        f" FROM new_{table} AS n JOIN {table} AS t ON {same} WHERE {differs}"
        if spans
        else f"CREATE OR REPLACE TEMP TABLE replaced_{table} (account_id VARCHAR)"
    )
    later = f"(n.{seen} > t.{seen} OR (n.{seen} = t.{seen} AND n.run_id > t.run_id))"
    con.execute(f"DELETE FROM {table} AS t USING new_{table} AS n WHERE {same} AND {later}")
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT n.* FROM new_{table} AS n"
        f" ANTI JOIN {table} AS t USING ({', '.join(key)}) ORDER BY n.{order}"
    )


def _incremental_from(con, built_info: dict[str, str]) -> tuple[dt.date | None, str]:
    """The first day whose metrics the runs not built yet can change, or None (and why) when the
    previous warehouse cannot be built on. landed.* holds only those runs; the tables hold the rest."""
    if not built_info.get("data_to"):
        return None, "the previous warehouse has no snapshots"

    def handles(relation: str) -> dict[str, str]:
        return dict(
            con.execute(f"SELECT institution_id || '/' || platform, handle FROM {relation}").fetchall()
        )

    old_handles, new_handles = handles("import_handles"), handles("stg_import_handles")
    if any(new_handles.get(k) != v for k, v in old_handles.items()):
        return None, "the registry moved an account that handle-less counts imports resolve to"
    gained = [k for k in new_handles if k not in old_handles]
    if (
        gained
        and con.execute(
            "SELECT count(*) FROM account_snapshots WHERE handle IS NULL"
            " AND institution_id || '/' || platform IN (SELECT unnest(?::VARCHAR[]))",
            [gained],
        ).fetchone()[0]
    ):
        return None, "the registry gave an account to counts imported without a handle"
    candidates = [dt.date.fromisoformat(built_info["data_to"]) + dt.timedelta(days=1)]
    # a post counts from the day it was posted: a post seen again with another posted_at changes
    # the days from the earlier of its old and new one
    new_snapshot, new_post, moved_post = con.execute(
        "SELECT (SELECT min(snapshot_date) FROM landed.snapshots),"
        "       (SELECT min(CAST(posted_at AS DATE)) FROM landed.posts),"
        "       (SELECT min(CAST(t.posted_at AS DATE)) FROM posts AS t JOIN ("
        "          SELECT institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,"
        "                 post_id, posted_at FROM landed.posts) AS n"
        "        ON t.account_id = n.account_id AND t.post_id = n.post_id"
        "        WHERE t.posted_at IS DISTINCT FROM n.posted_at)"
    ).fetchone()
    if new_snapshot:
        candidates.append(new_snapshot - dt.timedelta(days=ANOMALY_LOOKBACK_DAYS))
    candidates += [day for day in (new_post, moved_post) if day]
    # a thread item not built before, or seen again with another parent, time or judgement (the
    # institution's or not), changes the days of what it answers (a late answer: its question's
    # days), of what answers it, and its own, old and new; a night that opened an account's
    # threads makes its webcare known from then
    new_item, new_observed = con.execute(
        "WITH fresh AS ("
        "  SELECT institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id, *"
        "  FROM landed.comments),"
        " changed AS ("
        "  SELECT f.account_id, f.comment_id, f.parent_id, f.created_at,"
        "         k.parent_id AS old_parent_id, k.created_at AS old_created_at"
        "  FROM fresh AS f LEFT JOIN comments AS k USING (account_id, comment_id)"
        "  WHERE k.comment_id IS NULL OR k.parent_id IS DISTINCT FROM f.parent_id"
        "     OR k.created_at IS DISTINCT FROM f.created_at OR k.post_id IS DISTINCT FROM f.post_id"
        "     OR k.is_institution IS DISTINCT FROM coalesce(f.is_institution, false)),"
        " items AS (SELECT account_id, comment_id, parent_id, created_at FROM comments"
        "           UNION ALL SELECT account_id, comment_id, parent_id, created_at FROM fresh),"
        " days AS ("
        "  SELECT created_at FROM changed UNION ALL SELECT old_created_at FROM changed"
        "  UNION ALL SELECT i.created_at FROM changed AS c JOIN items AS i ON i.account_id = c.account_id"
        "   AND (i.comment_id = c.parent_id OR i.comment_id = c.old_parent_id OR i.parent_id = c.comment_id))"
        " SELECT (SELECT min(CAST(created_at AS DATE)) FROM days),"
        "        (SELECT min(CAST(collected_at AS DATE)) FROM fresh)"
    ).fetchone()
    if new_item:
        candidates.append(new_item)
    if new_observed:
        candidates.append(new_observed)
    # a mention changes the days from the one it was posted on; a searched day, its own
    new_mention, new_searched = con.execute(
        "SELECT (SELECT min(CAST(posted_at AS DATE)) FROM landed.mentions),"
        "       (SELECT min(day) FROM stg_mention_searches)"
    ).fetchone()
    candidates += [d for d in (new_mention, new_searched) if d is not None]
    return min(candidates), ""


def build(paths: DataPaths, log=None, full: bool = False, weights: str | Path | None = None) -> BuildResult:
    """Build into <db>.next, checkpoint and close it, then os.replace it over the serving file.

    A full disk is a DiskFull naming the file and saying the serving warehouse is unchanged.
    """
    try:
        return _build(paths, log, full, weights)
    except Exception as exc:
        if not is_no_space(exc):
            raise
        _discard(paths.next_db)  # frees the space the failed build took
        raise DiskFull(
            paths.next_db,
            f"the build stopped ({exc}); the serving warehouse {paths.db} is unchanged. "
            "Free space, then run `finsocial build`",
        ) from exc


def _set_days(con, first: dt.date, last: dt.date = dt.date(9999, 12, 31)) -> None:
    """The days the marts compute: metrics_from to metrics_to (every day from `first` by default)."""
    con.execute("SET VARIABLE metrics_from = ?::DATE", [first])
    con.execute("SET VARIABLE metrics_to = ?::DATE", [last])


def _daily_marts(con, marts: list[tuple[str, str]], from_day: dt.date, log=None) -> None:
    """The marts of DAILY_MARTS for every day from from_day, in spans of days small enough to
    stay within the memory budget; metrics_from and metrics_to name the span."""
    first, last, accounts = con.execute(
        "SELECT greatest(min(first_snapshot), ?::DATE), max(last_snapshot), count(*) FROM account_spans",
        [from_day],
    ).fetchone()
    if first is None or last is None or first > last:
        spans = [(from_day, from_day)]  # nothing to compute: the statements still run (and delete)
    else:
        step = max(31, ACCOUNT_DAYS_AT_A_TIME // max(accounts, 1))
        spans = []
        start = first if from_day == FIRST_DAY else from_day
        while start <= last:
            end = min(start + dt.timedelta(days=step - 1), last)
            spans.append((start, end))
            start = end + dt.timedelta(days=1)
    for start, end in spans:
        _set_days(con, start, end)
        for name, text in marts:
            if log:
                log(f"building {name}" + (f" for {start} to {end}" if len(spans) > 1 else ""))
            con.execute(text)
            pause_at(f"build.{name.removesuffix('.sql')}")
    _set_days(con, from_day)


def _connect(target: Path, paths: DataPaths) -> duckdb.DuckDBPyConnection:
    # A bounded memory budget: DuckDB spills sorts and joins to disk beyond it, so a large history
    # builds on a small machine instead of taking most of its memory.
    config = {
        "memory_limit": os.environ.get("FINSOCIAL_BUILD_MEMORY", "2GB"),
        "temp_directory": str(paths.root / ".build-tmp"),
    }
    # DuckDB uses every core unless told; a machine that builds beside other work (the test
    # suite's workers) gives a build fewer
    if threads := os.environ.get("FINSOCIAL_BUILD_THREADS", "").strip():
        if not threads.isdigit() or int(threads) < 1:
            raise ValueError(
                f"FINSOCIAL_BUILD_THREADS={threads!r}: give a whole number of threads, 1 or more"
            )
        config["worker_threads"] = int(threads)  # DuckDB's other name for its threads setting
    con = duckdb.connect(str(target), config=config)
    # Days are UTC days (README): a TIMESTAMPTZ cast to DATE, now() and current_date follow the
    # session's time zone, which DuckDB takes from the machine's TZ unless told
    con.execute("SET TimeZone = 'UTC'")
    # the landed records are views over the runs' Parquet files (_load_landing), read a few times
    # a build: each file's footer once
    con.execute("SET parquet_metadata_cache = true")
    return con


def _scratch(target: Path) -> Path:
    """The build's scratch file for the landed records (attached as `landed`)."""
    return target.with_name(target.name + ".landed")


def _discard(target: Path) -> None:
    for file in (target, _scratch(target)):
        for stale in (file, file.with_name(file.name + ".wal")):
            stale.unlink(missing_ok=True)


def digest_file(db: Path) -> Path:
    """Where the SHA-256 of a warehouse file, as the build that wrote it saw it, is kept."""
    return db.with_name(db.name + ".sha256")


def _trusted(prev: Path) -> str | None:
    """Why the kept previous file cannot be built on (its bytes are not those its build wrote:
    a block in history the night does not recompute would be carried into the serving file), or
    None when they are."""
    try:
        kept = digest_file(prev).read_text(encoding="ascii").strip()
    except OSError:
        return "no SHA-256 was kept for it"
    found = file_sha256(prev)
    return None if found == kept else f"its SHA-256 is {found}, its build wrote {kept}"


def _open_base(paths: DataPaths, version: str, log=None):
    """The previous warehouse, moved (or copied) to <db>.next and opened to be brought up to date:
    (connection, its warehouse_info, what it is); None when there is none this build can build on."""
    target, prev, db = paths.next_db, paths.prev_db, paths.db
    if prev.exists() and db.exists() and os.path.samefile(prev, db):
        prev.unlink()  # a build stopped between keeping the old file and swapping in the new one
    if prev.exists() and (why := _trusted(prev)):
        if log:
            log(f"not building on {prev.name}: {why}")
        prev.unlink()
    for base in (prev, db):
        if not base.exists():
            continue
        if base == prev:
            os.replace(prev, target)  # the warehouse before the serving one, no longer served
        else:
            shutil.copyfile(db, target)  # the serving file stays as it is
        try:
            con = _connect(target, paths)
            built_info = dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
        except duckdb.Error as exc:  # a reader still holds it, or it is no warehouse
            _discard(target)
            if log:
                log(f"not building on {base.name}: {str(exc).splitlines()[0]}")
            continue
        if built_info.get("metrics_version") == version:
            return con, built_info, "previous" if base == prev else "copy"
        con.close()
        _discard(target)
        return None  # built by other SQL or weights: the serving file is too
    return None


def _build(
    paths: DataPaths,
    log=None,
    full: bool = False,
    weights: str | Path | None = None,
    catalogue: Catalogue | None = None,
) -> BuildResult:
    """Bring the previous warehouse up to date in <db>.next, or build everything into a new one;
    checkpoint and close it, then os.replace it over the serving file, keeping that as <db>.prev.

    A crash at any point leaves the serving warehouse as it was. Only the runs not built yet are
    read, and only the days they can change are computed, unless `full`, or unless the metrics'
    SQL, formula or targets changed or a built run left the landing zone (retracted, quarantined).
    `weights` (a preset's name or a file) sets the power-score formula for this build and the later ones.
    """
    started = time.perf_counter()
    paths.ensure()
    institutions = load_registry(paths.registry)
    formula = resolve_formula(paths.root, weights)
    # a damaged run must not stop the night nor vanish silently: aside with its reason, reported
    # the landing zone listed once, each manifest and footer read once, and handed down
    store = landing_store(paths)
    catalogue = catalogue or Catalogue.read(store)
    moved = quarantine_damaged(catalogue)
    if log:
        for entry in moved:
            log(f"quarantined {entry.origin}: {entry.reason}")
    manifests = catalogue.manifests()
    landed_ids = {m["run_id"] for m in manifests}
    version = with_user_lists(metrics_version(formula), paths)
    target = paths.next_db
    _discard(target)
    base = None if full else _open_base(paths, version, log)
    con, built_info, built, how = None, {}, set(), None
    if base is not None:
        con, built_info, how = base
        built = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
        if not built <= landed_ids:  # a run went away: nothing of the old warehouse can be trusted
            con.close()
            _discard(target)
            if log:
                log(f"building everything: {len(built - landed_ids)} built runs left the landing zone")
            con, built = None, set()
    # the files this build reads, checked against their manifests' SHA-256 and for counts no sum
    # can hold: one that fails puts its run (or month) in the quarantine, and the build goes on
    unread = dataclasses.replace(
        catalogue,
        runs=tuple(r for r in catalogue.build_runs() if r.run_id not in built),
        months=tuple(m for m in catalogue.months if not m.run_ids <= built),
    )
    bad = damaged_reads(list(unread.runs), list(unread.months))
    if bad:
        moved += quarantine_damaged(dataclasses.replace(catalogue, damaged=tuple(bad)))
        gone = {d.path for d in bad}
        for entry in moved[-len(bad) :]:
            if log:
                log(f"quarantined {entry.origin}: {entry.reason}")
        left_month = any(m.path in gone and m.run_ids & built for m in catalogue.months)
        catalogue = dataclasses.replace(
            catalogue,
            runs=tuple(r for r in catalogue.runs if r.path not in gone),
            months=tuple(m for m in catalogue.months if m.path not in gone),
            damaged=(),
        )
        manifests = catalogue.manifests()
        landed_ids = {m["run_id"] for m in manifests}
        if left_month and con is not None:  # built runs left with their month: start again
            con.close()
            _discard(target)
            if log:
                log("building everything: a compacted month with built runs went to the quarantine")
            con, built = None, set()
    if con is None:
        con = _new_warehouse(target, paths)
    try:
        if not built:
            apply_migrations(con)  # a previous warehouse without runs may predate some
        # the runs' records as read, in a scratch file of their own beside the build: tables
        # dropped from the warehouse file would leave their blocks in it, free but never returned
        # (a sixth of a full build's file)
        con.execute("ATTACH ? AS landed", [str(_scratch(target))])  # none left: _discard(target)
        _load_registry(con, institutions, catalogue)
        _load_landing(con, catalogue, built)
        _load_weights(con, formula)
        in_quarantine = quarantined(store)
        _load_quarantine(con, in_quarantine)
        for _, text in sql_files("sql/staging"):
            con.execute(text)
        mode, from_day = "full", FIRST_DAY
        if built:
            from_day, why = _incremental_from(con, built_info)
            mode = "incremental"
            if from_day is None:
                raise _StartOver(why)
            pause_at("build.incremental")
            if log:
                log(
                    f"building on the {how} warehouse: {len(landed_ids - built)} new runs, metrics from {from_day}"
                )
        _set_days(con, from_day)
        if log:
            log("merging the new runs")  # the time before it: start-up and reading the landing zone
        for table, staged, key, seen, order, spans in MERGED:
            _merge_latest(con, table, staged, key, seen, order, spans, empty=not built)
        con.execute(
            "INSERT INTO comment_observations SELECT * FROM stg_comment_observations"
            " EXCEPT SELECT * FROM comment_observations"
        )
        if log:
            log("merged the new runs")
        _load_practices(con, paths)
        marts = sql_files("sql/marts")
        for name, text in marts:
            if name in DAILY_MARTS[1:]:
                continue  # run beside the first, a span of days at a time
            if name == DAILY_MARTS[0]:
                _daily_marts(con, [(n, t) for n, t in marts if n in DAILY_MARTS], from_day, log)
                continue
            if log:
                log(f"building {name}")
            con.execute(text)
            pause_at(f"build.{name.removesuffix('.sql')}")
        con.execute("DELETE FROM import_handles")
        con.execute("INSERT INTO import_handles SELECT * FROM stg_import_handles")
        # the landed copies are build inputs, not part of the warehouse
        con.execute("DETACH landed")
        span = con.execute("SELECT min(first_snapshot), max(last_snapshot) FROM accounts").fetchone()
        demo_runs = [bool(m.get("demo")) for m in manifests]
        info = {
            "build_id": uuid.uuid4().hex,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "finsocial_version": VERSION,
            "demo": "true" if demo_runs and all(demo_runs) else "false",
            "data_from": span[0].isoformat() if span[0] else None,
            "data_to": span[1].isoformat() if span[1] else None,
            "runs": str(len(manifests)),
            "metrics_version": version,
            "build_mode": mode,
            "metrics_from": None if mode == "full" else from_day.isoformat(),
            "power_formula": formula.name,
            # what an incremental build started from: the warehouse before the serving one, kept
            # for it ("previous"), or a copy of the serving one ("copy")
            "built_on": how if mode == "incremental" else None,
        }
        con.execute("DELETE FROM warehouse_info")
        info_rows = pa.table(  # noqa: F841 (read by DuckDB's replacement scan)
            {"key": list(info), "value": pa.array(list(info.values()), pa.string())}
        )
        con.execute("INSERT INTO warehouse_info SELECT * FROM info_rows")
        counts = con.execute(
            "SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM accounts),"
            " (SELECT count(*) FROM account_snapshots), (SELECT count(*) FROM posts)"
        ).fetchone()
        if log:
            log("writing the warehouse file")
        con.execute("CHECKPOINT")
    except _StartOver as again:
        con.close()
        _discard(target)
        if log:
            log(f"building everything: {again}")
        # the same listing: its damaged runs are in the quarantine now
        result = _build(paths, log, True, weights, dataclasses.replace(catalogue, damaged=()))
        return dataclasses.replace(result, quarantined=tuple(moved) + result.quarantined)
    finally:
        con.close()
        _scratch(target).unlink(missing_ok=True)
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
    # the file's SHA-256 as written, kept beside it: the build that takes it as the previous file
    # checks it first
    write_atomic(digest_file(target), file_sha256(target).encode())
    pause_at("build.before_swap")
    # the serving file becomes the previous one: the next build brings it up to date in place
    for kept in (paths.prev_db, digest_file(paths.prev_db)):
        kept.unlink(missing_ok=True)
    if paths.db.exists():
        if digest_file(paths.db).exists():
            os.link(digest_file(paths.db), digest_file(paths.prev_db))
        os.link(paths.db, paths.prev_db)
    digest_file(paths.db).unlink(missing_ok=True)  # a crash before the next line: nothing stale
    os.replace(target, paths.db)
    os.replace(digest_file(target), digest_file(paths.db))
    fsync_dir(paths.db.parent)
    return BuildResult(
        db=paths.db,
        institutions=counts[0],
        accounts=counts[1],
        snapshots=counts[2],
        posts=counts[3],
        runs=len(manifests),
        data_from=span[0],
        data_to=span[1],
        seconds=time.perf_counter() - started,
        quarantined=tuple(moved),
        in_quarantine=len(in_quarantine),
        shards=night_shards(manifests),
    )


def _load_practices(con, paths: DataPaths) -> None:
    """What 60_practices.sql reads besides the tables: each platform's count tolerance, the working
    hours of the institutions' countries over the days questions were asked and answered, and the
    bait test (the shared classifier's, with the user's phrase lists)."""
    from warehouse.domain import text

    config = practices.load()
    con.execute("CREATE OR REPLACE TEMP TABLE practice_tolerances (platform VARCHAR, tolerance BIGINT)")
    con.executemany(
        "INSERT INTO practice_tolerances VALUES (?, ?)", [(p, config.tolerance(p)) for p in PLATFORMS]
    )
    # every day a question was asked or answered on (answers are thread items too)
    first, last = con.execute(
        "SELECT min(created_at)::DATE - 1, max(created_at)::DATE + 1 FROM comments WHERE parent_id IS NOT NULL"
    ).fetchone()
    countries = [r[0] for r in con.execute("SELECT DISTINCT country FROM institutions").fetchall()]
    rows = practices.business_windows(countries, first, last, config.business_hours) if first else []
    schema = pa.schema(
        [
            ("country", pa.string()),
            ("day", pa.date32()),
            ("time_zone", pa.string()),
            ("opens_at", pa.timestamp("us", tz="UTC")),
            ("closes_at", pa.timestamp("us", tz="UTC")),
        ]
    )
    hours = _arrow(rows, schema)  # noqa: F841
    con.execute("DELETE FROM business_hours")
    con.execute("INSERT INTO business_hours BY NAME SELECT * FROM hours")
    extra = paths.text_lists
    lists = text.load_lists(extra if extra.exists() else None)
    # an Arrow UDF: DuckDB hands over a batch of texts at a time, not one Python call per row

    def is_bait(texts: pa.ChunkedArray) -> pa.Array:
        return pa.array([text.is_bait(t, lists) for t in texts.to_pylist()], pa.bool_())

    con.create_function("practice_is_bait", is_bait, ["VARCHAR"], "BOOLEAN", type="arrow")


class _StartOver(Exception):
    """The previous warehouse cannot be built on after all: build everything."""
