"""finsocial's command line: one entry point, one thin subcommand per task over library calls.

Only click and small modules load at start; each command imports what it needs, so that
`finsocial top --format json` pays for DuckDB and nothing else (no pandas, rich or requests).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from finsocial.output import Column, format_option, frame_rows, output_rows, plain_table, render
from warehouse.domain.audience import DEFAULT_SAMPLE_SIZE
from warehouse.domain.metrics import METRICS, MIN_FOLLOWERS, MIN_QUESTIONS, left_out_phrase, minimum_of
from warehouse.domain.platforms import API_PLATFORMS, PLATFORMS
from warehouse.domain.posts import BACKLASH_MIN_COMMENTS, BACKLASH_MULTIPLE, POST_MEASURES
from warehouse.infra.paths import DataPaths

PLATFORM_CHOICES = ("all", *PLATFORMS)
EXIT_BUSY = 75  # EX_TEMPFAIL: another finsocial command holds the lock; try again later
EXIT_PARTIAL = 3  # some accounts failed, or a build left a damaged run out
EXIT_BUILD_FAILED = 4  # collect landed its run, the build after it failed
DEMO_FLAG_NOTE = "Demo data: fictional institutions with generated numbers."


# ---- shared pieces ----------------------------------------------------------------------------


def _store_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().ensure_object(dict)["db"] = value


def _store_landing(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().ensure_object(dict)["landing"] = value


def db_option(command: Callable) -> Callable:
    """--db and --landing, accepted before the subcommand (finsocial --db F top) and after it."""
    command = click.option(
        "--landing",
        metavar="FOLDER|s3://BUCKET/PREFIX",
        expose_value=False,
        is_eager=True,
        callback=_store_landing,
        help="The landing zone (default: $FINSOCIAL_LANDING, else landing/ beside the warehouse); "
        "s3:// takes its endpoint and credentials from the AWS_* variables.",
    )(command)
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        expose_value=False,
        is_eager=True,
        callback=_store_db,
        help="Warehouse file (default: $FINSOCIAL_DB, else data/finsocial.duckdb).",
    )(command)


def _db_arg(ctx: click.Context) -> str | None:
    return ctx.find_root().ensure_object(dict).get("db")


def _paths(ctx: click.Context) -> DataPaths:
    landing = ctx.find_root().ensure_object(dict).get("landing")
    try:
        return DataPaths.resolve(_db_arg(ctx), landing)
    except ValueError as exc:  # an s3:// URL that is not one
        raise click.BadParameter(str(exc), param_hint="--landing") from None


def _read_paths(ctx: click.Context) -> DataPaths:
    """The warehouse a reading command reads: as _paths, or the demo's when only the demo exists
    (right after `make demo`), said once on stderr with how to choose another."""
    paths, demo = DataPaths.resolve_for_reading(_db_arg(ctx))
    if demo:
        _log(
            f"reading the demo warehouse {os.path.relpath(paths.db)} (there is no data/finsocial.duckdb "
            "yet); --db FILE or FINSOCIAL_DB reads another"
        )
    return paths


def _db_flag(ctx: click.Context) -> str:
    """' --db FILE' when the user gave one, so next steps repeat it."""
    db = _db_arg(ctx)
    return f" --db {db}" if db else ""


def _log(message: str) -> None:
    click.echo(message, err=True)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)  # plain text: paths in messages must not wrap
    sys.exit(code)


def _build(paths: DataPaths, quiet: bool = False, full: bool = False, weights: str | None = None):
    """Build; a damaged run it moves to the quarantine is named with its reason (exit 3 follows)."""
    from warehouse.build.builder import build
    from warehouse.infra.csvcheck import InputError

    try:
        result = build(paths, full=full, weights=weights)
    except InputError as exc:  # a power-formula file with problems
        _fail(str(exc))
    for entry in result.quarantined:
        _log(f"quarantined {entry.origin}: {entry.reason}")
    if result.quarantined:
        _log(
            f"the build went on without {len(result.quarantined)} damaged run(s): "
            "`finsocial runs` lists them, README 'A damaged run' says how to recover one"
        )
    if result.shards is not None and result.shards.missing:
        _log(
            f"{result.shards.describe()}: built what landed; the missing shards' accounts have no counts that night"
        )
    elif result.shards is not None and not quiet:
        _log(result.shards.describe())
    if not quiet:
        span = f", {result.data_from} to {result.data_to}" if result.data_from else ""
        _log(
            f"built {result.db}: {result.institutions} institutions, {result.accounts} accounts, "
            f"{result.snapshots:,} snapshots, {result.posts:,} posts from {result.runs} runs"
            f"{span} in {result.seconds:.1f}s"
        )
    return result


def _exit_if_partial(result) -> None:
    """A command whose build left a damaged run out says so by its exit code too (3), like `build`."""
    if result is not None and result.partial:
        sys.exit(EXIT_PARTIAL)


@contextlib.contextmanager
def _writing(paths: DataPaths, command: str, lease: bool = True) -> Iterator[Any]:
    """Hold the writer lock for a writing command and clear what an interrupted run left.

    On a landing zone on object storage, also the build lease shared by every machine (yielded),
    unless `lease` is False (a collection shard, which writes only a run of its own)."""
    from warehouse.infra.files import DiskFull
    from warehouse.infra.lock import LockBusy, writer_lock
    from warehouse.landing.lease import LeaseBusy, LeaseLost, build_lease
    from warehouse.landing.runs import sweep_incomplete_runs
    from warehouse.landing.store import StoreError, landing_store

    try:
        with writer_lock(paths, command, log=_log), contextlib.ExitStack() as stack:
            held = None
            if lease and paths.remote_landing:
                held = stack.enter_context(build_lease(landing_store(paths), command, log=_log))
            for run_dir in sweep_incomplete_runs(landing_store(paths)):
                _log(f"removed {run_dir}: a run interrupted before its manifest")
            yield held
    except (LockBusy, LeaseBusy) as exc:
        _fail(str(exc), EXIT_BUSY)
    except LeaseLost as exc:
        _fail(f"{exc}; nothing was published")
    except DiskFull as exc:
        _fail(str(exc))
    except StoreError as exc:  # the landing zone on object storage refused or could not be reached
        _fail(f"{exc}; nothing half-written is visible (a run without its manifest is never read)")


@contextlib.contextmanager
def _reading(paths: DataPaths) -> Iterator[Any]:
    """A read-only connection; a missing or foreign file is one clear line and exit 1."""
    from warehouse.read import queries

    try:
        with queries.connect(paths.db) as con:
            yield con
    except queries.NoWarehouse as exc:
        _fail(str(exc))


# ---- the commands -----------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.pass_context
def cli(ctx: click.Context) -> None:
    """finsocial: how banks, insurers and credit unions show up on social media."""
    ctx.ensure_object(dict)


@cli.command()
@db_option
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the data folder and an empty warehouse."""
    paths = _paths(ctx)
    paths.ensure()
    with _writing(paths, "init"):
        built = _build(paths)
    click.echo(f"ready: {paths.db}. Next: finsocial{_db_flag(ctx)} registry import registry/institutions.csv")
    _exit_if_partial(built)


@cli.group()
def registry() -> None:
    """Import or export the registry of institutions (CSV)."""


@registry.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--allow-empty", is_flag=True, help="Accept a file without institutions (empties the registry)."
)
@click.option("--yes", is_flag=True, help="Replace without asking, even when institutions are removed.")
@db_option
@click.pass_context
def registry_import(ctx: click.Context, file: str, allow_empty: bool, yes: bool) -> None:
    """Validate a registry CSV and make it the registry; a file with a bad row applies nothing."""
    from warehouse.infra.csvcheck import InputError
    from warehouse.inputs.registry import (
        EmptyRegistry,
        load_registry,
        parse_registry,
        registry_change,
        save_registry,
    )

    paths = _paths(ctx)
    try:
        institutions = parse_registry(Path(file))
    except InputError as exc:
        _fail(str(exc))
    paths.ensure()
    with _writing(paths, "registry import"):
        try:
            change = registry_change(load_registry(paths.registry), institutions, Path(file), allow_empty)
        except EmptyRegistry as exc:
            _fail(str(exc))
        if change.removed:
            _log(change.summary)
            if not yes and not (sys.stdin.isatty() and click.confirm("Replace the registry?", err=True)):
                _fail("nothing was changed; pass --yes to replace the registry")
        save_registry(institutions, paths.registry)
        accounts = sum(len(h) for i in institutions for h in i.handles.values())
        click.echo(f"imported {len(institutions)} institutions with {accounts} handles from {file}")
        _exit_if_partial(_build(paths))


@registry.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@db_option
@click.pass_context
def registry_export(ctx: click.Context, file: str) -> None:
    """Write the registry, with discovered handles filled in, as CSV ('-' for stdout)."""
    from warehouse.inputs.registry import load_registry, registry_csv
    from warehouse.inputs.targets import with_discovered_handles
    from warehouse.landing.store import landing_store

    paths = _paths(ctx)
    merged = with_discovered_handles(load_registry(paths.registry), landing_store(paths))
    text = registry_csv(merged)
    if file == "-":
        click.echo(text, nl=False)
    else:
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {file}: {exc.strerror or exc}; nothing was exported")
        _log(f"exported {len(merged)} institutions to {file}")


@cli.command()
@click.option("--institution", "institutions", multiple=True, help="Only this institution (repeatable).")
@click.option("--allow-loopback", is_flag=True, hidden=True, help="Allow loopback addresses (tests).")
@db_option
@click.pass_context
def discover(ctx: click.Context, institutions: tuple[str, ...], allow_loopback: bool) -> None:
    """Find each institution's official accounts on its own website.

    Exit code: 0 complete, 3 partial (some websites failed), 1 failed (every website failed),
    78 nothing to discover (no institution in the registry matches), 75 another command is running.
    """
    from collectors.discover import discover as run_discover

    paths = _paths(ctx)
    built = None
    with _writing(paths, "discover"):
        result = run_discover(paths, list(institutions) or None, allow_loopback=allow_loopback, log=_log)
        if result.run_id:
            stats = result.stats
            _log(
                f"discover run {result.run_id}: {result.status}, {len(result.found)} accounts found, "
                f"{stats.get('errors', 0)} of {stats.get('institutions_tried', 0)} websites failed"
            )
            built = _build(paths)
        else:
            _log(f"Next: finsocial{_db_flag(ctx)} registry import FILE (a registry with websites)")
    sys.exit(
        EXIT_PARTIAL if result.exit_code == 0 and built is not None and built.partial else result.exit_code
    )


@cli.command()
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(API_PLATFORMS, case_sensitive=False),
    help="Only this platform (repeatable).",
)
@click.option("--institution", "institutions", multiple=True, help="Only this institution (repeatable).")
@click.option(
    "--date",
    "run_date",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day the counts are for (back-fill); default today (UTC).",
)
@click.option(
    "--audience",
    is_flag=True,
    help="Instead: sample each Bluesky and Mastodon account's newest followers (run it weekly).",
)
@click.option(
    "--sample-size",
    default=DEFAULT_SAMPLE_SIZE,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="With --audience: followers to sample per account (all when it has fewer).",
)
@click.option(
    "--shard",
    metavar="K/N",
    help="Only shard K of N of the accounts (a stable hash of each account), in a run of its own, "
    "and no build: N machines collect a night side by side, one build reads them all.",
)
@db_option
@click.pass_context
def collect(ctx: click.Context, platforms, institutions, run_date, audience, sample_size, shard) -> None:
    """Collect counts and recent posts through the platforms' APIs, then build.

    Exit code: 0 complete, 3 partial (some accounts failed, or the build left a damaged run out),
    1 failed, 4 the run landed but the build after it failed (`finsocial build` again), 78 nothing
    to collect (no handles in the registry and none discovered: run discover or add handles), 75
    another command is running. With --audience, sample followers instead (weekly): only their
    counts are kept.
    """
    from collectors.run import collect as run_collect
    from collectors.run import collect_audience
    from warehouse.domain.platforms import switched_off
    from warehouse.domain.text import ListsError
    from warehouse.landing.shards import parse_shard

    try:
        switched_off(os.environ)
    except ValueError as exc:
        _fail(str(exc))
    try:
        share = parse_shard(shard) if shard else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    if share and audience:
        raise click.BadParameter(
            "--audience samples every account; it takes no --shard", param_hint="--shard"
        )
    paths = _paths(ctx)
    with _writing(paths, "collect", lease=not share):
        try:
            if audience:
                result = collect_audience(
                    paths,
                    list(platforms) or None,
                    list(institutions) or None,
                    sample_size,
                    run_date.date() if run_date else None,
                    log=_log,
                )
            else:
                result = run_collect(
                    paths,
                    list(platforms) or None,
                    list(institutions) or None,
                    run_date.date() if run_date else None,
                    log=_log,
                    progress=sys.stderr.isatty(),
                    shard=share,
                )
        except ListsError as exc:  # the user's phrase lists file: named with its key, nothing collected
            _fail(str(exc))
        except ValueError as exc:  # a --date not yet come
            raise click.BadParameter(str(exc), param_hint="--date") from None
        built = None
        if result.run_id and share:
            _log(f"shard {shard} landed as run {result.run_id}; `finsocial build` builds the night's shards")
        elif result.run_id:
            try:
                built = _build(paths)
            except Exception as exc:  # the night's counts are landed: say so apart from the build
                _fail(
                    f"run {result.run_id} landed ({result.status}), but the build failed: "
                    f"{type(exc).__name__}: {exc}. The run is kept; `finsocial build` builds it "
                    "once the cause is fixed.",
                    EXIT_BUILD_FAILED,
                )
    code = result.exit_code
    sys.exit(EXIT_PARTIAL if code == 0 and built is not None and built.partial else code)


WEIGHTS_HELP = (
    "The power-score formula: a preset (default, power100) or a TOML, CSV or JSON file; "
    "kept for later builds (default: $FINSOCIAL_POWER_WEIGHTS, else the one kept, else default)."
)


@cli.command("import-counts")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--weights", help=WEIGHTS_HELP)
@db_option
@click.pass_context
def import_counts_cmd(ctx: click.Context, file: str, weights: str | None) -> None:
    """Import counts (CSV) for platforms without an open API, or published figures."""
    from warehouse.infra.csvcheck import InputError
    from warehouse.inputs.counts import import_counts

    paths = _paths(ctx)
    with _writing(paths, "import-counts"):
        try:
            run = import_counts(paths, Path(file), warn=lambda p: _log(f"warning: {p}"))
        except InputError as exc:
            _fail(str(exc))
        click.echo(f"imported {len(run.records('snapshots'))} counts from {file} as run {run.run_id}")
        _exit_if_partial(_build(paths, weights=weights))


@cli.command()
@click.option(
    "--full", is_flag=True, help="Recompute every day's metrics, not only those new runs can change."
)
@click.option("--weights", help=WEIGHTS_HELP)
@click.option(
    "--publish",
    is_flag=True,
    help="Then upload the warehouse to the landing zone's published/ and point latest.json at it "
    "(for dashboard replicas: `finsocial pull`).",
)
@db_option
@click.pass_context
def build(ctx: click.Context, full: bool, weights: str | None, publish: bool) -> None:
    """Rebuild the warehouse from the landing zone and the registry.

    Exit code: 0 built, 3 built without a damaged run (moved to the quarantine), 1 failed.
    """
    paths = _paths(ctx)
    with _writing(paths, "build") as lease:
        result = _build(paths, full=full, weights=weights)
        if publish:
            from warehouse.build.publish import publish as run_publish
            from warehouse.landing.store import landing_store

            if lease is not None:
                lease.check()  # another machine took the lease over: its build wins
            run_publish(paths, landing_store(paths), log=_log)
    if result.partial:
        sys.exit(EXIT_PARTIAL)


@cli.command()
@db_option
@click.pass_context
def pull(ctx: click.Context) -> None:
    """Fetch the newest published warehouse from the landing zone and swap it in.

    Exit code: 0 pulled or already the newest, 1 nothing published or the store cannot be read.
    """
    from warehouse.build.publish import NothingPublished
    from warehouse.build.publish import pull as run_pull
    from warehouse.landing.store import StoreError, landing_store

    paths = _paths(ctx)
    try:
        result = run_pull(paths, landing_store(paths), log=_log)
    except (NothingPublished, StoreError, ValueError) as exc:
        _fail(str(exc))
    if not result.pulled:
        _log(f"{paths.db} is the newest published warehouse already (data to {result.version.data_to})")


@cli.command()
@click.option(
    "--before",
    type=click.DateTime(["%Y-%m"]),
    help="Compact the months before this one, YYYY-MM (default: the current month).",
)
@db_option
@click.pass_context
def compact(ctx: click.Context, before) -> None:
    """Merge the landing zone's runs into one Parquet file per month and record kind."""
    from warehouse.landing.compact import compact as run_compact
    from warehouse.landing.store import landing_store

    paths = _paths(ctx)
    with _writing(paths, "compact"):
        result = run_compact(landing_store(paths), before.date() if before else None, log=_log)
    before_n, after_n = sum(result.records_before.values()), sum(result.records_after.values())
    _log(
        f"compacted {result.runs_compacted} runs in {len(result.months)} months: "
        f"{before_n:,} records in, {after_n:,} records out"
    )


@cli.group(invoke_without_command=True)
@db_option
@click.pass_context
def runs(ctx: click.Context) -> None:
    """List the landing zone's runs, compacted and quarantined ones included; retract or restore one."""
    if ctx.invoked_subcommand is not None:
        return
    from warehouse.landing.quarantine import list_runs
    from warehouse.landing.store import landing_store

    listed = list_runs(landing_store(_paths(ctx)))
    if not listed:
        _log("no runs in the landing zone yet")
        return
    # plain lines, never wrapped: a reason names a whole path, and logs and grep read this
    columns = [
        Column("run_id", "run"),
        Column("kind", "kind"),
        Column("run_date", "day"),
        Column("status", "status"),
        Column("where", "where"),
    ]
    click.echo(plain_table([dataclasses.asdict(r) for r in listed], columns))


@runs.command("retract")
@click.argument("run_id")
@click.option("--reason", default="retracted by hand", show_default=True, help="Why, kept with the run.")
@db_option
@click.pass_context
def runs_retract(ctx: click.Context, run_id: str, reason: str) -> None:
    """Move a run (or a compacted month) into the quarantine and rebuild without it."""
    from warehouse.landing.quarantine import RunNotFound, retract
    from warehouse.landing.store import landing_store

    paths = _paths(ctx)
    with _writing(paths, "runs retract"):
        try:
            entry = retract(landing_store(paths), run_id, reason)
        except RunNotFound as exc:
            _fail(str(exc))
        _log(f"retracted {run_id}: moved to {entry.where}")
        _exit_if_partial(_build(paths))


@runs.command("restore")
@click.argument("run_id")
@db_option
@click.pass_context
def runs_restore(ctx: click.Context, run_id: str) -> None:
    """Move a quarantined run back once its files read whole, and rebuild with it."""
    from warehouse.landing.quarantine import RunNotFound, restore
    from warehouse.landing.store import landing_store

    paths = _paths(ctx)
    with _writing(paths, "runs restore"):
        try:
            store = landing_store(paths)
            origin = restore(store, run_id)
        except (RunNotFound, ValueError) as exc:
            _fail(str(exc))
        if not store.is_local:  # its address on the store, not its place in the local cache
            origin = store.where(origin.relative_to(store.local_path("")).as_posix())
        _log(f"restored {run_id} to {origin}")
        _exit_if_partial(_build(paths))


def min_followers_option(text: str) -> Callable:
    """--min-followers (default metrics.MIN_FOLLOWERS) of a ranking by a rate."""
    return click.option(
        "--min-followers", default=MIN_FOLLOWERS, show_default=True, type=click.IntRange(0), help=text
    )


def _league_columns(metric: str, rows: list[dict] | None = None) -> list[Column]:
    """A league's columns; a Note column where a row's total misses some accounts of the day."""
    from warehouse.domain.kinds import kind_label
    from warehouse.read.formatting import movement, value_cell, without_data

    columns = [
        Column("rank", "Rank", right=True),
        Column("previous_rank", "Move", show=lambda r: movement(r["rank"], r["previous_rank"])),
        Column("name", "Institution"),
        Column("country", "Country"),
        Column("kind", "Kind", show=lambda r: kind_label(r["kind"])),
        Column(
            "value",
            METRICS[metric].label,
            right=True,
            show=lambda r: value_cell(metric, r),
        ),
    ]
    if any(without_data(r) for r in rows or []):
        columns.append(Column("accounts_without_data", "Note", show=without_data))
    return columns


@cli.command()
@click.option(
    "--platform",
    default="all",
    show_default=True,
    type=click.Choice(PLATFORM_CHOICES, case_sensitive=False),
    help="A platform, or all (any case).",
)
@click.option(
    "--metric",
    default="followers",
    show_default=True,
    type=click.Choice(list(METRICS)),
    help="The metric to rank by.",
)
@click.option("--country", help="ISO 3166-1 country code, e.g. NL (any case).")
@click.option("--kind", help="bank, credit_union, insurer, neobank, card_issuer, investment, other.")
@click.option("--group", help="A peer group tag.")
@click.option(
    "--peers",
    "peer_set",
    metavar="NAME",
    help="A saved peer set (finsocial peers): only its institution and peers, ranked among themselves.",
)
@click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="The day (default: the last day with data)."
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 10_000))
@min_followers_option(
    "Rates by audience (engagement, growth %, overperformance, presence) rank only institutions "
    "with at least this many followers on the platform; 0 for all."
)
@click.option(
    "--min-questions",
    default=MIN_QUESTIONS,
    show_default=True,
    type=click.IntRange(0),
    help="Reply times and answered shares rank only institutions asked at least this many questions "
    "in 28 days; 0 for all.",
)
@click.option(
    "--movers",
    is_flag=True,
    help="Also the biggest climbers and fallers of the whole league since the comparison day "
    "(table and markdown).",
)
@format_option((*("table", "csv", "json", "markdown"), "png", "svg"))
@click.option("--output", type=click.Path(dir_okay=False), help="The image file for --format png or svg.")
@db_option
@click.pass_context
def top(
    ctx,
    platform,
    metric,
    country,
    kind,
    group,
    peer_set,
    as_of,
    limit,
    min_followers,
    min_questions,
    movers,
    fmt,
    output,
) -> None:
    """Print a league table: institutions ranked by a metric on a platform.

    Exit code 1 when a filter matches nothing (the message names the filter) or no institution has
    a value for the metric on the platform. png and svg draw the dashboard's league chart to --output.
    """
    from warehouse.domain.posts import previous_day
    from warehouse.read import queries
    from warehouse.read.formatting import WITHOUT_DATA_NOTE, movement, value_cell, without_data
    from warehouse.read.report import (
        DEMO_LINE,
        GROWTH_HEADINGS,
        growth_headings,
        growth_movers,
        growth_movers_markdown,
        growth_rows,
        league_markdown,
        league_title,
        movers_markdown,
        platform_label,
        rounded_note,
    )
    from warehouse.read.report import movers as find_movers

    if movers and fmt not in ("table", "markdown"):
        raise click.UsageError("--movers prints tables: use it with --format table or markdown")
    if fmt in ("png", "svg") and not output:
        raise click.UsageError(f"--format {fmt} writes an image: give the file with --output FILE")
    country = country.strip().upper() if country else None
    paths = _read_paths(ctx)
    with _reading(paths) as con:
        try:
            queries.check_filters(con, country, kind, group)
        except queries.FilterError as exc:
            _fail(str(exc))
        chosen = _peer_members(paths, con, peer_set) if peer_set else None
        day = as_of.date() if as_of else None
        info = queries.info(con)
        if day is not None and info.get("data_from") and day.isoformat() < info["data_from"]:
            _fail(
                f"no data as of {day.isoformat()}: the data runs from {info['data_from']} "
                f"to {info['data_to']}"
            )
        try:
            what = minimum_of(metric)
            minimum = (
                min_followers if what == "followers" else min_questions if what == "questions" else 0
            ) or None
            rows, day = queries.league_rows(
                con, platform, metric, day, country, kind, group, limit, minimum=minimum, institutions=chosen
            )
            left_out = queries.league_left_out(
                con, platform, metric, day, country, kind, group, minimum, institutions=chosen
            )

            def whole_league(on):  # every row, for the movers (by rank, and by growth against `before`)
                return queries.league_rows(
                    con,
                    platform,
                    metric,
                    on,
                    country,
                    kind,
                    group,
                    None,
                    minimum=minimum,
                    institutions=chosen,
                )[0]

            whole = whole_league(day) if movers else []
            before = whole_league(previous_day(day)) if movers and day is not None else []
        except ValueError as exc:  # a metric that means nothing on 'all'
            _fail(str(exc))
        with_data = queries.filter_options(con)["platforms"] if not rows else []
    demo = info.get("demo") == "true"
    label = platform_label(platform)
    if not rows:
        if day is None:
            _fail(
                f"no counts in {paths.db} yet: run `finsocial collect` (and `finsocial import-counts FILE` "
                "for platforms without an open API)"
            )
        if platform != "all" and platform not in with_data:
            _fail(
                f"no data for {label}: none of its accounts has counts yet (platforms with data: {', '.join(with_data) or 'none'})"
            )
        span = (
            f" (data runs from {info['data_from']} to {info['data_to']})"
            if info.get("data_from") and info.get("data_to")
            else ""
        )
        if left_out:
            flag = "--min-followers" if what == "followers" else "--min-questions"
            _fail(
                f"no institution reaches the minimum on {label} as of {day.isoformat()}: "
                f"{left_out_phrase(left_out, what, minimum)}; {flag} 0 ranks them all"
            )
        _fail(f"no data for {label} with those filters as of {day.isoformat()}{span}")
    if all(r["value"] is None for r in rows):
        hint = (
            "no mention search covered that day (sources: Bluesky with FINSOCIAL_BLUESKY_IDENTIFIER and "
            "FINSOCIAL_BLUESKY_APP_PASSWORD, Mastodon with FINSOCIAL_MASTODON_INSTANCES, X with "
            'FINSOCIAL_X_MENTIONS=1; README "Mentions")'
            if METRICS[metric].source == "institution_mentions"
            else "try another metric (followers) or platform"
        )
        _fail(
            f"no institution has a value for {METRICS[metric].label.lower()} on {label} as of "
            f"{day.isoformat()}; {hint}"
        )
    for row in rows:
        row["as_of"] = day.isoformat()
        # the minimum applied and how many it left out, in every row of a CSV or JSON export
        row["min_followers"] = minimum if what == "followers" else None
        row["min_questions"] = minimum if what == "questions" else None
        row["left_out"] = left_out if minimum else None
        if demo:
            row["demo"] = True  # JSON and CSV carry it: a pasted table never loses its origin
    title = league_title(metric, platform, day, len(rows), country, kind, group, minimum, peer_set)
    left_out_line = f"{left_out_phrase(left_out, what, minimum)}." if minimum else None
    if fmt in ("png", "svg"):
        _league_image(rows, metric, platform, title, demo, fmt, Path(output), left_out_line)
    elif fmt == "markdown":
        formula = info.get("power_formula")
        markdown = league_markdown(
            rows,
            metric,
            platform,
            country,
            kind,
            group,
            demo,
            as_of=day,
            power_formula=formula,
            minimum=minimum,
            left_out=left_out,
            peer_set=peer_set,
        )
        if movers:  # under the table, before its source line
            table, source = markdown.split("\n\nSource: ", 1)
            moved = movers_markdown(*find_movers(whole), metric, previous_day(day))
            grown = growth_movers_markdown(*growth_movers(whole, before, metric), metric, previous_day(day))
            markdown = f"{table}\n{moved}\n{grown}\n\nSource: {source}"
        click.echo(markdown)
    else:
        rounded = rounded_note([{**r, "metric": metric} for r in rows])
        partial = any(without_data(r) for r in rows) and WITHOUT_DATA_NOTE
        notes = [n for n in (left_out_line, rounded, partial, demo and DEMO_LINE) if n]
        output_rows(rows, _league_columns(metric, rows), fmt, title, notes)
        if movers:
            climbers, fallers = find_movers(whole)
            columns = [
                Column("name", "Institution"),
                Column("previous_rank", "Rank then", right=True),
                Column("rank", "Rank now", right=True),
                Column("change", "Move", show=lambda r: movement(r["rank"], r["previous_rank"])),
                Column("value", METRICS[metric].label, right=True, show=lambda r: value_cell(metric, r)),
            ]
            since = previous_day(day).isoformat()
            for heading, moved in (("Biggest climbers", climbers), ("Biggest fallers", fallers)):
                if moved:
                    output_rows(moved, columns, "table", f"{heading} since {since}")
                else:
                    click.echo(f"{heading} since {since}: no institution moved that way")
            # by growth: the largest rises and falls of the value itself over the period
            headings = growth_headings(metric)
            grown = [
                Column(str(i), h, right=i > 0, show=lambda r, i=i: r["cells"][i])
                for i, h in enumerate(headings)
            ]
            label = METRICS[metric].label
            for heading, moved in zip(GROWTH_HEADINGS, growth_movers(whole, before, metric), strict=True):
                title = f"{heading} in {label} since {since}"
                if moved:
                    cells = [{"cells": c} for c in growth_rows(moved, metric)]
                    output_rows(cells, grown, "table", title)
                else:
                    click.echo(f"{title}: none")


def _league_image(rows, metric, platform, title, demo, fmt, output: Path, note: str | None = None) -> None:
    """The dashboard's league bar chart, titled, with the source line, as a PNG or SVG file."""
    import pandas as pd

    from dashboard.charts import league_figure
    from dashboard.export import figure_image
    from warehouse.read.report import DEMO_LINE, SOURCE_LINE

    frame = pd.DataFrame(rows)
    footer = SOURCE_LINE + (f". {note}" if note else "") + (f". {DEMO_LINE}" if demo else "")
    figure = league_figure(frame, metric, platform, title, footer)
    try:
        image = figure_image(figure, fmt)
    except Exception as exc:  # kaleido or Chromium missing: say which, no traceback
        _fail(f"cannot render {fmt}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    output.write_bytes(image)
    _log(f"wrote {output} ({output.stat().st_size:,} bytes)")


@cli.command()
@click.option(
    "--period",
    help="A week (2026-W42), month (2026-10) or quarter (2026-Q4); default the last complete month "
    "(on 2026-12-03, 2026-11).",
)
@click.option(
    "--by",
    type=click.Choice(list(POST_MEASURES)),
    help="What to rank by (default likes; reaction_multiple with --flagged).",
)
@click.option(
    "--platform", default="all", show_default=True, type=click.Choice(PLATFORM_CHOICES, case_sensitive=False)
)
@click.option("--country", help="ISO country code, e.g. NL.")
@click.option("--kind", help="bank, credit_union, insurer, neobank, card_issuer, investment, other.")
@click.option("--group", help="A peer group tag.")
@click.option(
    "--peers",
    "peer_set",
    metavar="NAME",
    help="A saved peer set (finsocial peers): only its institution and peers.",
)
@click.option(
    "--flagged",
    is_flag=True,
    help="Only posts that drew an unusual reaction (comments per like, negative comments, angry reactions), with why.",
)
@click.option(
    "--min-multiple",
    default=BACKLASH_MULTIPLE,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Unusual: comments per like at least this many times the account's usual.",
)
@click.option(
    "--min-comments",
    default=BACKLASH_MIN_COMMENTS,
    show_default=True,
    type=click.IntRange(min=0),
    help="Unusual: and at least this many comments. A reaction multiple is given (and ranked) only "
    "for posts with at least this many comments; 0 for all.",
)
@min_followers_option(
    "Rankings by a rate (engagement_rate, overperformance, reaction_multiple) list only posts of "
    "accounts with at least this many followers that day; 0 for all."
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 10_000))
@format_option()
@db_option
@click.pass_context
def posts(
    ctx,
    period,
    by,
    platform,
    country,
    kind,
    group,
    peer_set,
    flagged,
    min_multiple,
    min_comments,
    min_followers,
    limit,
    fmt,
) -> None:
    """Print the industry's top posts of a week, month or quarter (--flagged: unusual reactions)."""
    from warehouse.domain.posts import last_complete, parse_period
    from warehouse.read import queries
    from warehouse.read.formatting import human_count
    from warehouse.read.report import (
        DEMO_LINE,
        post_value,
        posts_markdown,
        posts_minimum_line,
        posts_minimums,
        posts_title,
    )

    by = by or ("reaction_multiple" if flagged else "likes")
    try:
        chosen = parse_period(period) if period else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    paths = _read_paths(ctx)
    country = country.strip().upper() if country else None
    with _reading(paths) as con:
        try:
            queries.check_filters(con, country, kind, group)
        except queries.FilterError as exc:
            _fail(str(exc))
        members = _peer_members(paths, con, peer_set) if peer_set else None
        last = queries.latest_post_day(con)
        if last is None:
            _fail(f"no posts in {paths.db} yet: posts come through the platforms' APIs (`finsocial collect`)")
        chosen = chosen or last_complete(last, "month")
        frame = queries.industry_posts(
            con,
            chosen,
            by,
            platform,
            country,
            kind,
            group,
            flagged=flagged,
            multiple=min_multiple,
            min_comments=min_comments,
            limit=limit,
            institutions=members,
            min_followers=min_followers,
        )
        demo = queries.is_demo(con)
    minimums = posts_minimums(frame.attrs)
    left_out = posts_minimum_line(minimums)
    if frame.empty:
        _fail(
            f"no {'flagged ' if flagged else ''}posts with a value for {by} in {chosen.label} "
            f"({chosen.start} to {chosen.end}) with that selection (the latest post is of {last})"
            + (
                f"; {left_out[0].lower()}{left_out[1:-1]} (--min-followers 0 lists them all)"
                if left_out
                else ""
            )
        )
    rows = frame_rows(frame)
    for row in rows:
        row["posted_at"] = str(row["posted_at"])
        row["period"] = chosen.label
        row |= minimums  # the minimums applied, in every row of a CSV or JSON export
        if demo:
            row["demo"] = True
    label = POST_MEASURES[by]
    columns = [
        Column("rank", "Rank", right=True),
        Column("posted_at", "Posted", show=lambda r: r["posted_at"][:10]),
        Column("name", "Institution"),
        Column("platform", "Platform"),
        Column("likes", "Likes", right=True, show=lambda r: human_count(r["likes"])),
        Column("comments", "Comments", right=True, show=lambda r: human_count(r["comments"])),
        Column("shares", "Shares", right=True, show=lambda r: human_count(r["shares"])),
        Column("value", label, right=True, show=lambda r: post_value(by, r["value"])),
        Column("flag_reason", "Flagged", show=lambda r: r.get("flag_reason") or ""),
        Column("url", "Link", show=lambda r: r["url"] or "–"),
    ]
    if by in ("likes", "comments", "shares"):
        del columns[7]
    if fmt == "markdown":
        click.echo(
            posts_markdown(
                rows,
                chosen,
                by,
                platform,
                country,
                kind,
                group,
                demo,
                min_multiple,
                min_comments,
                peer_set,
                minimums,
            )
        )
    else:
        scope = f"peer set {peer_set}" if peer_set else ""
        title = posts_title(len(rows), by, platform, chosen, minimums, scope)
        output_rows(rows, columns, fmt, title, [n for n in (left_out, demo and DEMO_LINE) if n])


def _status_tables(
    fresh, runs, failures, anomalies, quarantine
) -> list[tuple[str, list[Column], list[dict]]]:
    return [
        (
            "Freshness per platform",
            [
                Column("platform", "Platform"),
                Column("accounts_known", "Accounts", right=True),
                Column("accounts_with_data", "With data", right=True),
                Column(
                    "last_snapshot", "Last snapshot", show=lambda r: str(r["last_snapshot"] or "never")[:10]
                ),
                Column(
                    "age_hours",
                    "Age (h)",
                    right=True,
                    show=lambda r: "–" if r["age_hours"] is None else f"{r['age_hours']:.1f}",
                ),
                Column("limit_hours", "Allowed (h)", right=True, show=lambda r: f"{r['limit_hours']:g}"),
                Column("state", "State"),
            ],
            fresh,
        ),
        (
            "Last runs",
            [
                Column("run_id", "Run"),
                Column("kind", "Kind"),
                Column("status", "Status"),
                Column("snapshots", "Snapshots", right=True),
                Column("posts", "Posts", right=True),
                Column("errors", "Errors", right=True),
                Column("requests", "Requests", right=True),
            ],
            runs,
        ),
        (
            f"Failures of run {failures[0]['run_id']}" if failures else "",
            [
                Column("platform", "Platform"),
                Column("kind", "Kind"),
                Column("accounts", "Accounts", right=True),
                Column("example", "Example"),
            ],
            failures,
        ),
        (
            "Runs in the quarantine (left out; `finsocial runs restore RUN_ID` brings one back)",
            [
                Column("run_id", "Run"),
                Column("state", "State"),
                Column("reason", "Reason"),
            ],
            quarantine,
        ),
        # flagged counts are stored but left out of growth until the next snapshot confirms them
        (
            "Follower anomalies (latest 10; flagged ones are left out of growth)",
            [
                Column("snapshot_date", "Day", show=lambda r: str(r["snapshot_date"])[:10]),
                Column("account_id", "Account"),
                Column(
                    "previous_followers", "Before", right=True, show=lambda r: f"{r['previous_followers']:,}"
                ),
                Column("followers", "After", right=True, show=lambda r: f"{r['followers']:,}"),
                Column(
                    "change",
                    "Change",
                    right=True,
                    show=lambda r: (
                        f"{r['change']:+,}"
                        + ("" if r["change_pct"] is None else f" ({r['change_pct']:+.1f}%)")
                    ),
                ),
                Column("status", "Status"),
            ],
            anomalies,
        ),
    ]


def _hours(_ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A number of hours: finite and not negative (nan would compare false with every age)."""
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise click.BadParameter(
            f"{value} is not a number of hours (0 or more)", param_hint=f"--{param.name.replace('_', '-')}"
        )
    return value


@cli.command()
@click.option(
    "--max-age",
    type=float,
    callback=_hours,
    help="Hours an API platform's newest data may be old (nightly: default 36); exit 1 past it.",
)
@click.option(
    "--import-max-age",
    type=float,
    callback=_hours,
    help="Hours an imported platform's (LinkedIn, TikTok, Threads) data may be old (default 192, weekly).",
)
@db_option
@click.pass_context
def status(ctx: click.Context, max_age: float | None, import_max_age: float | None) -> None:
    """Show the last runs, freshness per platform and the latest failures.

    Freshness is judged per platform against its cadence (warehouse.read.queries.freshness, the rule the
    Data health page uses). With --max-age or --import-max-age, exit 1 when a platform is stale.
    Output is plain, unwrapped text when stdout is not a terminal (logs, pipes).
    """
    from warehouse.domain.platforms import switched_off
    from warehouse.infra.lock import lock_holder
    from warehouse.read import queries

    try:
        switched_off(os.environ)
    except ValueError as exc:
        _fail(str(exc))
    paths = _read_paths(ctx)
    with _reading(paths) as con:
        fresh = frame_rows(queries.freshness(con, max_age, import_max_age))
        runs = frame_rows(queries.last_runs(con, 5))
        failures = frame_rows(queries.run_failures(con))
        anomalies = frame_rows(queries.snapshot_anomalies(con, limit=10))
        quarantine = frame_rows(queries.quarantined_runs(con))
        demo = queries.is_demo(con)
    if demo:
        click.echo(DEMO_FLAG_NOTE)
    for title, columns, rows in _status_tables(fresh, runs, failures, anomalies, quarantine):
        if rows or title == "Freshness per platform" or title == "Last runs":
            output_rows(rows, columns, "table", title)
    holder = lock_holder(paths)
    if holder is not None:
        click.echo(
            f"In progress: {holder.get('command', 'a command')} (pid {holder.get('pid', '?')}, "
            f"since {holder.get('started_at', '?')})"
        )
    off = [f"{r['platform']} ({r['off_reason']})" for r in fresh if r["state"] == "off"]
    if off:
        click.echo(f"Off (not collected, never stale): {', '.join(off)}")
    _status_shards(dataclasses.replace(paths, landing_url=_paths(ctx).landing_url))
    stale = [f"{r['platform']} ({r['state']})" for r in fresh if r["state"] not in ("fresh", "off")]
    if stale and (max_age is not None or import_max_age is not None):
        _fail(f"stale: {', '.join(stale)}, older than their cadence allows")


def _status_shards(paths: DataPaths) -> None:
    """'Shards: night D: shards 1, 3 of 4 landed; 2, 4 missing', read from the landing zone."""
    from warehouse.landing.shards import latest_night_shards
    from warehouse.landing.store import StoreError, landing_store

    if not paths.remote_landing and not paths.landing.exists():
        return
    try:
        shards = latest_night_shards(landing_store(paths))
    except StoreError as exc:
        click.echo(f"Shards: the landing zone cannot be read ({exc})")
        return
    if shards is not None:
        click.echo(f"Shards: {shards.describe()}")


# ---- peer sets ----------------------------------------------------------------------------------


def _peer_members(paths: DataPaths, con, name: str) -> list[str]:
    """The ids of a saved peer set's institution and peers that the warehouse knows, for --peers.
    An unknown set is an error naming the saved ones; a member gone from the registry is named
    on stderr and left out; a set none of whose members is left is an error."""
    from warehouse.inputs.peers import PeerSetError, find_peer_set
    from warehouse.read import queries

    try:
        chosen = find_peer_set(paths, name)
    except PeerSetError as exc:
        _fail(f"--peers: {exc}")
    members, gone = chosen.resolve(queries.institution_ids(con))
    if not members:
        _fail(f"--peers: {chosen.gone_note(gone)}; none of its institutions is left")
    if gone:
        _log(f"note: {chosen.gone_note(gone)}")
    return members


def _peer_population(paths: DataPaths) -> tuple[dict[str, dict], list[dict]]:
    """Every institution of the warehouse by id, and each with its followers on all platforms on
    the last day (None when it has none), for suggestions."""
    from warehouse.read import queries

    with _reading(paths) as con:
        known = {r["institution_id"]: r for r in queries.rows(con.execute(queries.query_sql("institutions")))}
        ranked, _ = queries.league_rows(con, "all", "followers", None, limit=None)
    followers = {r["institution_id"]: r["value"] for r in ranked}
    return known, [{**r, "followers": followers.get(i)} for i, r in known.items()]


@cli.group(invoke_without_command=True)
@db_option
@click.pass_context
def peers(ctx: click.Context) -> None:
    """List, save, suggest and delete named peer sets (an institution and its peers), kept beside
    the warehouse in peer_sets.json; the dashboard reads the same sets."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(peers_list)


@peers.command("list")
@db_option
@click.pass_context
def peers_list(ctx: click.Context) -> None:
    """List the saved peer sets: name, institution and peers."""
    from warehouse.inputs.peers import PeerSetError, load_peer_sets

    paths = _read_paths(ctx)
    try:
        sets = load_peer_sets(paths)
    except PeerSetError as exc:
        _fail(str(exc))
    if not sets:
        click.echo(f"no peer sets in {paths.peer_sets} yet: finsocial peers suggest INSTITUTION --save NAME")
        return
    known: set[str] | None = None
    if paths.db.exists():
        from warehouse.read import queries

        with _reading(paths) as con:
            known = queries.institution_ids(con)
    for peer_set in sets.values():
        gone = peer_set.resolve(known)[1] if known is not None else []
        note = f" ({', '.join(gone)} no longer in the registry)" if gone else ""
        click.echo(f"{peer_set.name}: {peer_set.institution_id} against {', '.join(peer_set.peers)}{note}")


@peers.command("save")
@click.argument("name")
@click.argument("institution")
@click.argument("peer_ids", nargs=-1, required=True)
@db_option
@click.pass_context
def peers_save(ctx: click.Context, name: str, institution: str, peer_ids: tuple[str, ...]) -> None:
    """Save a peer set: NAME INSTITUTION PEER... (institution ids, as in `top --format csv`)."""
    from warehouse.inputs.peers import PeerSet, PeerSetError, save_peer_set

    paths = _read_paths(ctx)
    known, _ = _peer_population(paths)
    try:
        save_peer_set(paths, PeerSet(name, institution, peer_ids), set(known))
    except PeerSetError as exc:
        _fail(str(exc))
    _log(f"saved {name}: {institution} against {', '.join(p for p in peer_ids if p != institution)}")


@peers.command("suggest")
@click.argument("institution")
@click.option("--count", default=5, show_default=True, type=click.IntRange(1, 100), help="How many peers.")
@click.option("--save", "save_as", help="Save the suggestion as a peer set of this name.")
@db_option
@click.pass_context
def peers_suggest(ctx: click.Context, institution: str, count: int, save_as: str | None) -> None:
    """Suggest peers: the same kind, the same country first, then the nearest audiences."""
    from warehouse.inputs.peers import PeerSet, PeerSetError, save_peer_set, suggest_peers
    from warehouse.read.formatting import human_count

    paths = _read_paths(ctx)
    known, population = _peer_population(paths)
    try:
        suggested = suggest_peers(institution, population, count)
        if not suggested:
            _fail(f"no other institution of kind {known[institution]['kind']} to suggest")
        if save_as:
            save_peer_set(paths, PeerSet(save_as, institution, tuple(suggested)), set(known))
    except PeerSetError as exc:
        _fail(str(exc))
    followers = {p["institution_id"]: p["followers"] for p in population}
    for peer in suggested:
        row = known[peer]
        click.echo(f"{peer}\t{row['name']}\t{row['country']}\t{human_count(followers[peer])} followers")
    if save_as:
        _log(f"saved {save_as}: {institution} against {', '.join(suggested)}")


@peers.command("delete")
@click.argument("name")
@db_option
@click.pass_context
def peers_delete(ctx: click.Context, name: str) -> None:
    """Delete a saved peer set."""
    from warehouse.inputs.peers import PeerSetError, delete_peer_set

    try:
        delete_peer_set(_read_paths(ctx), name)
    except PeerSetError as exc:
        _fail(str(exc))
    _log(f"deleted {name}")


# ---- serving the dashboard ---------------------------------------------------------------------


def _check_port_free(address: str, port: int) -> None:
    """Exit 1 with 'port N is in use' when something already listens there."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as probe:
        try:
            probe.bind((address, port))
        except OSError as exc:
            why = "is in use" if exc.errno in (98, 48) else f"cannot be opened on {address}: {exc.strerror}"
            _fail(f"port {port} {why} (stop the other dashboard, or choose --port)")


def _serve(paths: DataPaths, port: int, address: str) -> None:
    """Replace this process by Streamlit (exec): a stop signal (systemd, docker, kill) reaches the
    server itself, so nothing is left holding the port."""
    _check_port_free(address, port)
    os.environ["FINSOCIAL_DB"] = str(paths.db)
    host = f"[{address}]" if ":" in address else address
    _log(f"dashboard on http://{host}:{port} (Ctrl+C to stop)")
    sys.stdout.flush()
    sys.stderr.flush()
    # dashboard.serve runs Streamlit on app.py, with the pages' modules loaded and the query cache
    # warming before the first reader arrives
    args = [
        sys.executable,
        "-m",
        "dashboard.serve",
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    os.execv(sys.executable, args)


def serve_options(command: Callable) -> Callable:
    command = click.option(
        "--address",
        default="localhost",
        show_default=True,
        help="The interface to listen on (0.0.0.0 for every interface).",
    )(command)
    return click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))(command)


@cli.command()
@click.option("--no-serve", is_flag=True, help="Build the demo warehouse but do not start the dashboard.")
@serve_options
@click.option("--days", default=450, show_default=True, type=click.IntRange(60, 5000))
@click.option("--end-date", type=click.DateTime(["%Y-%m-%d"]), help="The demo's last day (default today).")
@db_option
@click.pass_context
def demo(ctx: click.Context, no_serve: bool, port: int, address: str, days: int, end_date) -> None:
    """Build a warehouse of fictional demo institutions (data/demo/) and open the dashboard."""
    from synth.demo import DEMO_DB, DEMO_NOTICE, DemoSpec, NotADemoRoot, generate, reset_demo_root

    paths = DataPaths.resolve(_db_arg(ctx) or os.environ.get("FINSOCIAL_DB") or DEMO_DB)
    if not no_serve:
        _check_port_free(address, port)  # before minutes of generating, not after
    with _writing(paths, "demo"):
        try:
            reset_demo_root(paths)
        except NotADemoRoot as exc:
            _fail(str(exc))
        paths.ensure()
        _log(DEMO_NOTICE)
        generate(paths, DemoSpec(days=days, end=end_date.date() if end_date else None), log=_log)
        _build(paths)
    _log(
        f"demo warehouse: {paths.db}\n  try: finsocial top --db {os.path.relpath(paths.db)} --platform all --metric followers"
    )
    if not no_serve:
        _serve(paths, port, address)


@cli.command()
@serve_options
@db_option
@click.pass_context
def dashboard(ctx: click.Context, port: int, address: str) -> None:
    """Start the dashboard (Streamlit) on the warehouse; it stops with a stop signal (SIGTERM).

    Exit code 1 when the port is in use.
    """
    _serve(_read_paths(ctx), port, address)


@cli.command()
@click.option(
    "--period",
    help="A week (2026-W42), month (2026-10) or quarter (2026-Q4); default the 28 days to the last searched day.",
)
@click.option(
    "--platform",
    default="all",
    show_default=True,
    type=click.Choice(PLATFORM_CHOICES, case_sensitive=False),
    help="A platform, or all (the platforms' mentions together).",
)
@click.option("--country", help="ISO 3166-1 country code, e.g. NL (any case).")
@click.option("--kind", help="bank, credit_union, insurer, neobank, card_issuer, investment, other.")
@click.option("--group", help="A peer group tag.")
@click.option("--institution", help="Only this institution (its id).")
@click.option(
    "--multiple",
    type=click.FloatRange(min=1, min_open=True),
    help="A storm: at least this many times the median day of the 28 before [default: 3, or FINSOCIAL_STORM_MULTIPLE].",
)
@click.option(
    "--minimum",
    type=click.IntRange(min=1),
    help="And at least this many mentions that day [default: 20, or FINSOCIAL_STORM_MINIMUM].",
)
@format_option()
@db_option
@click.pass_context
def storms(ctx, period, platform, country, kind, group, institution, multiple, minimum, fmt) -> None:
    """Print storms: days whose mentions (or negative share) jumped against the 28 days before.

    Exit code 0 also when there was no storm (it says so); 1 when no mention search ever ran or a
    filter matches nothing.
    """
    import datetime as dt

    from warehouse.domain.mentions import storm_rule
    from warehouse.domain.posts import parse_period
    from warehouse.read import queries
    from warehouse.read.formatting import human_count
    from warehouse.read.report import DEMO_LINE, platform_label

    try:
        chosen = parse_period(period) if period else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    try:
        rule = storm_rule(multiple=multiple, minimum=minimum)
    except ValueError as exc:
        _fail(str(exc))
    country = country.strip().upper() if country else None
    paths = _paths(ctx)
    with _reading(paths) as con:
        try:
            queries.check_filters(con, country, kind, group)
        except queries.FilterError as exc:
            _fail(str(exc))
        last = queries.latest_mention_day(con)
        if last is None:
            _fail(
                f"no mentions in {paths.db} yet: `finsocial collect` searches for them where a source is "
                "on (Bluesky with FINSOCIAL_BLUESKY_IDENTIFIER and FINSOCIAL_BLUESKY_APP_PASSWORD, "
                "Mastodon with FINSOCIAL_MASTODON_INSTANCES, X with FINSOCIAL_X_MENTIONS=1)"
            )
        start, end = (chosen.start, chosen.end) if chosen else (last - dt.timedelta(days=27), last)
        label = chosen.label if chosen else f"the 28 days to {last.isoformat()}"
        found = queries.storms(
            con, start, end, platform.lower(), rule, country, kind, group, institution_id=institution
        )
        demo = queries.is_demo(con)
    where = platform_label(platform.lower())
    rule_text = f"at least {rule.multiple:g}× the median day of the 28 before and at least {rule.minimum}"
    if not found:
        click.echo(f"no storms on {where} in {label} ({start} to {end}): no day with mentions {rule_text}")
        return
    for row in found:
        row["day"] = row["day"].isoformat()
        if demo:
            row["demo"] = True

    def share(value: float | None) -> str:
        return "–" if value is None else f"{value:.0f}%"

    columns = [
        Column("day", "Day"),
        Column("name", "Institution"),
        Column("mentions", "Mentions", right=True, show=lambda r: human_count(r["mentions"])),
        Column(
            "baseline_median",
            "Usual day",
            right=True,
            show=lambda r: "–" if r["baseline_median"] is None else f"{r['baseline_median']:g}",
        ),
        Column(
            "multiple",
            "Multiple",
            right=True,
            show=lambda r: "–" if r["multiple"] is None else f"{r['multiple']:.1f}×",
        ),
        Column("negative_share", "Negative", right=True, show=lambda r: share(r["negative_share"])),
        Column(
            "baseline_negative_share",
            "Usually",
            right=True,
            show=lambda r: share(r["baseline_negative_share"]),
        ),
        Column("top_theme", "Top theme", show=lambda r: r["top_theme"] or "–"),
        Column("jumped", "Jumped"),
    ]
    title = f"Storms on {where}, {label}: mentions {rule_text} (or the negative share likewise)"
    output_rows(found, columns, fmt, title, [DEMO_LINE] if demo else [])


# ---- the monthly report -------------------------------------------------------------------------


@cli.command()
@click.option(
    "--period", help="A month (2026-11), week or quarter; default the last complete month of the data."
)
@click.option("--country", help="ISO country code, e.g. NL (any case).")
@click.option("--kind", help="bank, credit_union, insurer, neobank, card_issuer, investment, other.")
@click.option("--group", help="A peer group tag.")
@click.option(
    "--peers",
    "peer_set",
    metavar="NAME",
    help="A saved peer set (finsocial peers) as the selection: its institution and peers, ranked among "
    "themselves.",
)
@click.option(
    "--institution",
    help="The strategist's edition for this institution against the selection (default: its country).",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(PLATFORMS, case_sensitive=False),
    help="Only these platforms' tables (repeatable; default every platform with data).",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    default=("markdown",),
    show_default=True,
    type=click.Choice(["markdown", "html", "pdf"], case_sensitive=False),
    help="Files to write (repeatable): Markdown with its charts beside it, self-contained HTML, A4 PDF.",
)
@click.option(
    "--charts",
    default="png",
    show_default=True,
    type=click.Choice(["png", "svg"]),
    help="The image format of the Markdown's charts.",
)
@click.option("--output", required=True, type=click.Path(file_okay=False), help="The folder to write into.")
@db_option
@click.pass_context
def report(
    ctx, period, country, kind, group, peer_set, institution, platforms, formats, charts, output
) -> None:
    """Write the month's report (Markdown, HTML, PDF) for a selection, with a chart per table.

    The same warehouse and options give the same files, byte for byte. Exit code 1 when the period
    has no data or a filter matches nothing.
    """
    from publish.documents import PublishError, write_report
    from warehouse.domain.posts import parse_period
    from warehouse.read.monthly import ReportError, Selection, monthly_report

    try:
        chosen = parse_period(period) if period else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    paths = _read_paths(ctx)
    with _reading(paths) as con:
        members = _peer_members(paths, con, peer_set) if peer_set else None
        selection = Selection(
            country.strip().upper() if country else None,
            kind,
            group,
            institution,
            peer_set,
            tuple(members) if members is not None else None,
        )
        try:
            made = monthly_report(con, chosen, selection, [p.lower() for p in platforms] or None)
        except ReportError as exc:
            _fail(str(exc))
    try:
        written = write_report(made, Path(output), tuple(f.lower() for f in formats), charts)
    except PublishError as exc:
        _fail(str(exc))
    for item in written:
        if item.path.suffix in (".md", ".html", ".pdf"):
            click.echo(f"wrote {item.path} ({item.size:,} bytes)")
    images = [w for w in written if w.path.suffix in (".png", ".svg")]
    if images:
        click.echo(f"wrote {len(images)} charts in {images[0].path.parent}")


@cli.command()
@click.option(
    "--rules",
    type=click.Path(dir_okay=False),
    help="The rules file (TOML; default: alerts.toml beside the warehouse).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@db_option
@click.pass_context
def alerts(ctx: click.Context, rules: str | None, dry_run: bool) -> None:
    """Send the alerts the night raised (flagged posts, reply times, breakouts, top 10s, failing platforms).

    Each alert reaches each destination once: what was sent is kept in alerts-state.json beside the
    warehouse. Exit code: 0 sent (or nothing to send), 3 a destination failed (its alerts are sent
    on the next run), 1 a rules file with a problem.
    """
    import datetime as dt

    from publish.alerts import RULES_FILE, STATE_FILE, dry_run_text, load_config, run_alerts
    from warehouse.read.alerts import RulesError, evaluate, watched

    paths = _read_paths(ctx)
    try:
        config = load_config(Path(rules) if rules else paths.root / RULES_FILE)
    except RulesError as exc:
        _fail(str(exc))
    with _reading(paths) as con:
        mine, peers = watched(con, config.watch)
        if config.watch.institution and not mine:
            _fail(f"{config.source}: institution {config.watch.institution!r} is not in the registry")
        raised = evaluate(con, config.rules, config.watch)
        from warehouse.read import queries

        demo = queries.is_demo(con)
    if not config.destinations:
        _log(f"{config.source}: no [[destinations]]: the alerts are printed only")
    context = contextlib.nullcontext() if dry_run else _writing(paths, "alerts")
    with context:
        try:
            outcomes = run_alerts(
                config,
                raised,
                paths.root / STATE_FILE,
                demo,
                dt.datetime.now(dt.UTC).date(),
                dry_run,
                log=_log,
            )
        except RulesError as exc:
            _fail(str(exc))
    if not config.destinations:
        click.echo(f"{len(raised)} alert(s) raised")
        for alert in raised:
            click.echo(f"- {alert.title}\n  {alert.text}")
        return
    if dry_run:
        click.echo(f"{len(raised)} alert(s) raised; would send:")
        click.echo(dry_run_text(config, outcomes, demo))
        return
    failed = [o for o in outcomes if o.error]
    for outcome in outcomes:
        if outcome.error:
            _log(f"error: {outcome.error}; {len(outcome.alerts)} alert(s) kept for the next run")
        else:
            click.echo(f"sent {len(outcome.alerts)} alert(s) to {outcome.destination}")
    if not outcomes:
        click.echo(f"{len(raised)} alert(s) raised, none new for any destination")
    if failed:
        sys.exit(EXIT_PARTIAL)


def main() -> None:
    cli(prog_name="finsocial")


__all__ = ["cli", "main", "render"]

if __name__ == "__main__":
    main()
