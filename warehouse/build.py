"""Build the warehouse from the landing zone and the registry into a new file, then swap it in."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.faults import pause_at
from warehouse.files import DiskFull, fsync_dir, is_no_space
from warehouse.landing.compact import CompactedMonth, landing_runs, manifests_of
from warehouse.landing.quarantine import QuarantinedRun, quarantine_damaged, quarantined
from warehouse.landing.records import SCHEMAS
from warehouse.landing.runs import LandedRun
from warehouse.paths import DataPaths
from warehouse.platforms import PLATFORMS
from warehouse.power import PowerFormula, resolve_formula
from warehouse.queries import attach_read_only
from warehouse.registry import Institution, load_registry
from warehouse.targets import collection_targets
from warehouse.webcare import webcare_targets

VERSION = "0.1.0"


@dataclass(frozen=True)
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

    @property
    def partial(self) -> bool:
        return bool(self.quarantined)


def sql_files(layer: str) -> list[tuple[str, str]]:
    """(name, text) of the .sql files of a layer, in name order."""
    folder = resources.files("warehouse") / layer
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


def _arrow(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def _load_registry(con, institutions: list[Institution], landing_root: Path) -> None:
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
    con.execute("INSERT INTO institutions BY NAME SELECT * FROM inst_table")
    con.execute("INSERT INTO institution_groups SELECT institution_id, unnest(groups) FROM institutions")
    target_schema = pa.schema(
        [(n, pa.string()) for n in ("institution_id", "platform", "handle", "url", "found_via", "found_on")]
    )
    targets = collection_targets(institutions, landing_root)
    target_table = _arrow([t.__dict__ for t in targets], target_schema)  # noqa: F841
    con.execute("CREATE TABLE landed.targets AS SELECT * FROM target_table")


def _load_landing(con, runs: list[LandedRun], months: list[CompactedMonth] = ()) -> None:
    for kind, schema in SCHEMAS.items():
        empty = schema.empty_table().append_column("run_id", pa.array([], pa.string()))  # noqa: F841
        con.execute(f"CREATE TABLE landed.{kind} AS SELECT * FROM empty")
        files = [str(f) for run in runs if (f := run.file(kind)) is not None]
        if files:
            # the run a record belongs to is the folder its file lies in
            con.execute(
                f"INSERT INTO landed.{kind} BY NAME "
                f"SELECT * EXCLUDE (filename), regexp_extract(filename, '([^/]+)/[^/]+$', 1) AS run_id "
                f"FROM read_parquet(?, union_by_name = true, filename = true)",
                [files],
            )
        compacted = [str(f) for month in months if (f := month.file(kind)) is not None]
        if compacted:
            # a compacted month's file keeps each record's run_id as a column
            con.execute(
                f"INSERT INTO landed.{kind} BY NAME SELECT * FROM read_parquet(?, union_by_name = true)",
                [compacted],
            )
    run_rows = []
    for m in manifests_of(runs, months):
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
    con.execute("INSERT INTO power_weights BY NAME SELECT * FROM weights")
    targets = webcare_targets(PLATFORMS)
    con.executemany("INSERT INTO webcare_targets VALUES (?, ?)", list(targets.items()))


def metrics_version(formula: PowerFormula) -> str:
    """A digest of everything the metrics depend on besides the data: the SQL and the formula."""
    digest = hashlib.sha256(VERSION.encode())
    for layer in ("migrations", "sql/staging", "sql/marts"):
        for name, text in sql_files(layer):
            digest.update(name.encode() + b"\0" + text.encode())
    digest.update(json.dumps(formula.rows()).encode())
    digest.update(json.dumps(sorted(webcare_targets(PLATFORMS).items())).encode())
    return digest.hexdigest()[:16]


# A new snapshot changes the metrics of its own day and later days only (baselines look back, at
# most 365 + 31 days, which is how far before the first computed day the series must start); but an
# anomaly is judged by the snapshot up to 7 days after it, so a new count can change an older flag.
ANOMALY_LOOKBACK_DAYS = 8


def _metrics_from(con, prev_db: Path | None, version: str, full: bool) -> tuple[dt.date, str]:
    """The first day whose metrics must be computed; days before it are copied from prev_db.

    Incremental only when the previous warehouse was built by the same SQL and weights, from runs
    that are all still in the landing zone: then a day's metrics can change only if a new run has
    a snapshot near it or a post in its window.
    """
    first_ever = dt.date(1, 1, 1)
    if full or prev_db is None or not prev_db.exists():
        return first_ever, "full"
    try:
        attach_read_only(con, prev_db, "prev")
        prev_info = dict(con.execute("SELECT key, value FROM prev.warehouse_info").fetchall())
    except duckdb.Error:
        return first_ever, "full"
    if prev_info.get("metrics_version") != version or not prev_info.get("data_to"):
        return first_ever, "full"
    current = {r[0] for r in con.execute("SELECT run_id FROM landed.runs").fetchall()}
    previous = {r[0] for r in con.execute("SELECT run_id FROM prev.runs").fetchall()}
    if not previous <= current:
        return first_ever, "full"  # a run went away: nothing of the old warehouse can be trusted
    new_snapshot, new_post = con.execute(
        "SELECT (SELECT min(snapshot_date) FROM landed.snapshots"
        "        WHERE run_id NOT IN (SELECT run_id FROM prev.runs)),"
        "       (SELECT min(CAST(posted_at AS DATE)) FROM landed.posts"
        "        WHERE run_id NOT IN (SELECT run_id FROM prev.runs))"
    ).fetchone()
    candidates = [dt.date.fromisoformat(prev_info["data_to"]) + dt.timedelta(days=1)]
    if new_snapshot:
        candidates.append(new_snapshot - dt.timedelta(days=ANOMALY_LOOKBACK_DAYS))
    if new_post:
        candidates.append(new_post)
    # a comment not landed before changes the days of what it answers (a late answer: its question's
    # days), else its own; a night that opened an account's threads makes its webcare known from then
    new_item, new_observed = con.execute(
        "WITH fresh AS (SELECT * FROM landed.comments WHERE run_id NOT IN (SELECT run_id FROM prev.runs)),"
        " known AS (SELECT * FROM landed.comments WHERE run_id IN (SELECT run_id FROM prev.runs)),"
        " new_items AS (SELECT f.* FROM fresh AS f"
        "               ANTI JOIN known AS k USING (institution_id, platform, handle, comment_id))"
        " SELECT (SELECT min(CAST(least(n.created_at, coalesce(p.created_at, n.created_at)) AS DATE))"
        "         FROM new_items AS n LEFT JOIN landed.comments AS p"
        "         ON p.institution_id = n.institution_id AND p.platform = n.platform"
        "         AND p.handle = n.handle AND p.comment_id = n.parent_id),"
        "        (SELECT min(CAST(collected_at AS DATE)) FROM fresh)"
    ).fetchone()
    if new_item:
        candidates.append(new_item)
    if new_observed:
        candidates.append(new_observed)
    return min(candidates), "incremental"


def build(paths: DataPaths, log=None, full: bool = False, weights: str | Path | None = None) -> BuildResult:
    """Build into <db>.next, checkpoint and close it, then os.replace it over the serving file.

    A full disk is a DiskFull naming the file and saying the serving warehouse is unchanged.
    """
    try:
        return _build(paths, log, full, weights)
    except Exception as exc:
        if not is_no_space(exc):
            raise
        for partial in (paths.next_db, paths.next_db.with_name(paths.next_db.name + ".wal")):
            partial.unlink(missing_ok=True)  # frees the space the failed build took
        raise DiskFull(
            paths.next_db,
            f"the build stopped ({exc}); the serving warehouse {paths.db} is unchanged. "
            "Free space, then run `finsocial build`",
        ) from exc


def _build(paths: DataPaths, log=None, full: bool = False, weights: str | Path | None = None) -> BuildResult:
    """Build into <db>.next, checkpoint and close it, then os.replace it over the serving file.

    A crash at any point leaves the last good warehouse in place. Metrics of days that no new run
    can have changed are copied from the previous warehouse, unless `full`. `weights` (a preset's
    name or a file) sets the power-score formula for this build and the later ones.
    """
    started = time.perf_counter()
    paths.ensure()
    institutions = load_registry(paths.registry)
    formula = resolve_formula(paths.root, weights)
    # a damaged run must not stop the night nor vanish silently: aside with its reason, reported
    moved = quarantine_damaged(paths.landing)
    if log:
        for entry in moved:
            log(f"quarantined {entry.origin}: {entry.reason}")
    runs, months = landing_runs(paths.landing)
    manifests = manifests_of(runs, months)
    target = paths.next_db
    for stale in (target, target.with_name(target.name + ".wal")):
        stale.unlink(missing_ok=True)
    # A bounded memory budget: DuckDB spills sorts and joins to disk beyond it, so a large history
    # builds on a small machine instead of taking most of its memory.
    config = {
        "memory_limit": os.environ.get("FINSOCIAL_BUILD_MEMORY", "2GB"),
        "temp_directory": str(paths.root / ".build-tmp"),
    }
    con = duckdb.connect(str(target), config=config)
    try:
        apply_migrations(con)
        con.execute("CREATE SCHEMA landed")
        _load_registry(con, institutions, paths.landing)
        _load_landing(con, runs, months)
        _load_weights(con, formula)
        in_quarantine = quarantined(paths.landing)
        _load_quarantine(con, in_quarantine)
        version = metrics_version(formula)
        from_day, mode = _metrics_from(con, paths.db, version, full)
        con.execute("CREATE TEMP TABLE metrics_from AS SELECT ?::DATE AS day", [from_day])
        if mode == "incremental":
            for table in ("account_metrics", "institution_metrics", "account_webcare", "institution_webcare"):
                con.execute(
                    f"INSERT INTO {table} BY NAME SELECT * FROM prev.{table} WHERE day < ? ORDER BY day",
                    [from_day],
                )
            con.execute("DETACH prev")
            if log:
                log(f"metrics before {from_day} copied from the previous build")
        for _, text in sql_files("sql/staging"):
            con.execute(text)
        for name, text in sql_files("sql/marts"):
            if log:
                log(f"building {name}")
            con.execute(text)
            pause_at(f"build.{name.removesuffix('.sql')}")
        # the landed copies are build inputs, not part of the warehouse
        con.execute("DROP SCHEMA landed CASCADE")
        span = con.execute("SELECT min(snapshot_date), max(snapshot_date) FROM account_snapshots").fetchone()
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
        }
        con.executemany("INSERT INTO warehouse_info VALUES (?, ?)", list(info.items()))
        counts = con.execute(
            "SELECT (SELECT count(*) FROM institutions), (SELECT count(*) FROM accounts),"
            " (SELECT count(*) FROM account_snapshots), (SELECT count(*) FROM posts)"
        ).fetchone()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
    pause_at("build.before_swap")
    os.replace(target, paths.db)
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
    )
