"""finsocial's command line: one entry point, one subcommand per task."""

from __future__ import annotations

import contextlib
import csv
import importlib.resources
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from warehouse.audience import DEFAULT_SAMPLE_SIZE
from warehouse.csvcheck import InputError
from warehouse.files import DiskFull
from warehouse.formatting import human_count, is_missing, movement, value_cell
from warehouse.metrics import METRICS
from warehouse.paths import DataPaths
from warehouse.platforms import API_PLATFORMS, PLATFORMS
from warehouse.posts import BACKLASH_MIN_COMMENTS, BACKLASH_MULTIPLE, POST_MEASURES, parse_period, period_of
from warehouse.report import SOURCE_LINE, league_markdown, post_value, posts_markdown  # noqa: F401

PLATFORM_CHOICES = ("all", *PLATFORMS)

err = Console(stderr=True)


def _paths(ctx: click.Context) -> DataPaths:
    return DataPaths.resolve(ctx.obj.get("db"))


EXIT_PARTIAL = 3  # some accounts failed, or a build left a damaged run out
EXIT_BUILD_FAILED = 4  # collect landed its run, the build after it failed


def _build(paths: DataPaths, quiet: bool = False, full: bool = False, weights: str | None = None):
    """Build; a damaged run it moves to the quarantine is named with its reason (exit 3 follows)."""
    from warehouse.build import build

    try:
        result = build(paths, full=full, weights=weights)
    except InputError as exc:  # a power-formula file with problems
        _fail_input(exc)
    for entry in result.quarantined:
        click.echo(f"quarantined {entry.origin}: {entry.reason}", err=True)
    if result.quarantined:
        click.echo(
            f"the build went on without {len(result.quarantined)} damaged run(s): "
            "`finsocial runs` lists them, README 'A damaged run' says how to recover one",
            err=True,
        )
    if not quiet:
        span = f", {result.data_from} to {result.data_to}" if result.data_from else ""
        click.echo(
            f"built {result.db}: {result.institutions} institutions, {result.accounts} accounts, "
            f"{result.snapshots:,} snapshots, {result.posts:,} posts from {result.runs} runs"
            f"{span} in {result.seconds:.1f}s",
            err=True,
        )
    return result


EXIT_BUSY = 75  # EX_TEMPFAIL: another finsocial command holds the lock; try again later


@contextlib.contextmanager
def _writing(paths: DataPaths, command: str) -> Iterator[None]:
    """Hold the writer lock for a writing command and clear what an interrupted run left."""
    from warehouse.landing.runs import sweep_incomplete_runs
    from warehouse.lock import LockBusy, writer_lock

    try:
        with writer_lock(paths, command, log=lambda m: click.echo(m, err=True)):
            for run_dir in sweep_incomplete_runs(paths.landing):
                click.echo(f"removed {run_dir}: a run interrupted before its manifest", err=True)
            yield
    except LockBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except DiskFull as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def _fail_input(exc: InputError) -> None:
    click.echo(f"error: {exc}", err=True)  # plain text: paths in messages must not wrap
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    help="Warehouse file (default: $FINSOCIAL_DB, else data/finsocial.duckdb).",
)
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """finsocial: how banks, insurers and credit unions show up on social media."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the data folder and an empty warehouse."""
    paths = _paths(ctx)
    paths.ensure()
    with _writing(paths, "init"):
        _build(paths)
    click.echo(f"ready: {paths.db}. Next: finsocial registry import registry/institutions.csv")


@cli.group()
def registry() -> None:
    """Import or export the registry of institutions (CSV)."""


@registry.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--allow-empty", is_flag=True, help="Accept a file without institutions (empties the registry)."
)
@click.option("--yes", is_flag=True, help="Replace without asking, even when institutions are removed.")
@click.pass_context
def registry_import(ctx: click.Context, file: str, allow_empty: bool, yes: bool) -> None:
    """Validate a registry CSV and make it the registry; a file with a bad row applies nothing."""
    from warehouse.registry import (
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
        _fail_input(exc)
    paths.ensure()
    with _writing(paths, "registry import"):
        try:
            change = registry_change(load_registry(paths.registry), institutions, Path(file), allow_empty)
        except EmptyRegistry as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        if change.removed:
            click.echo(change.summary, err=True)
            if not yes and not (sys.stdin.isatty() and click.confirm("Replace the registry?", err=True)):
                click.echo("error: nothing was changed; pass --yes to replace the registry", err=True)
                sys.exit(1)
        save_registry(institutions, paths.registry)
        accounts = sum(len(h) for i in institutions for h in i.handles.values())
        click.echo(f"imported {len(institutions)} institutions with {accounts} handles from {file}")
        _build(paths)


@registry.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.pass_context
def registry_export(ctx: click.Context, file: str) -> None:
    """Write the registry, with discovered handles filled in, as CSV ('-' for stdout)."""
    from warehouse.registry import load_registry, registry_csv
    from warehouse.targets import collection_targets

    paths = _paths(ctx)
    institutions = load_registry(paths.registry)
    found: dict[tuple[str, str], list[str]] = {}
    for target in collection_targets(institutions, paths.landing):
        found.setdefault((target.institution_id, target.platform), []).append(target.handle)
    merged = []
    for inst in institutions:
        handles = dict(inst.handles)
        for (iid, platform), hs in found.items():
            if iid == inst.institution_id and platform not in handles:
                handles[platform] = tuple(hs)
        merged.append(inst.__class__(**{**inst.__dict__, "handles": handles}))
    text = registry_csv(merged)
    if file == "-":
        click.echo(text, nl=False)
    else:
        Path(file).write_text(text, encoding="utf-8")
        click.echo(f"exported {len(merged)} institutions to {file}", err=True)


@cli.command()
@click.option("--institution", "institutions", multiple=True, help="Only this institution (repeatable).")
@click.option("--allow-loopback", is_flag=True, hidden=True, help="Allow loopback addresses (tests).")
@click.pass_context
def discover(ctx: click.Context, institutions: tuple[str, ...], allow_loopback: bool) -> None:
    """Find each institution's official accounts on its own website."""
    from collectors.discover import discover as run_discover

    paths = _paths(ctx)
    with _writing(paths, "discover"):
        result = run_discover(
            paths,
            list(institutions) or None,
            allow_loopback=allow_loopback,
            log=lambda m: click.echo(m, err=True),
        )
        click.echo(f"discover run {result.run_id}: {len(result.found)} accounts found", err=True)
        _build(paths)


@cli.command()
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(API_PLATFORMS),
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
@click.pass_context
def collect(ctx: click.Context, platforms, institutions, run_date, audience, sample_size) -> None:
    """Collect counts and recent posts through the platforms' APIs, then build.

    With --audience, sample followers instead (weekly): only their counts are kept.
    Exit code: 0 complete, 3 partial (some accounts failed, or the build left a damaged run
    out), 1 failed, 4 the run landed but the build after it failed (`finsocial build` again).
    """
    from collectors.run import collect as run_collect
    from collectors.run import collect_audience

    paths = _paths(ctx)
    with _writing(paths, "collect"):
        try:
            if audience:
                result = collect_audience(
                    paths,
                    list(platforms) or None,
                    list(institutions) or None,
                    sample_size,
                    run_date.date() if run_date else None,
                    log=lambda m: click.echo(m, err=True),
                )
            else:
                result = run_collect(
                    paths,
                    list(platforms) or None,
                    list(institutions) or None,
                    run_date.date() if run_date else None,
                    log=lambda m: click.echo(m, err=True),
                    progress=sys.stderr.isatty(),
                )
        except ValueError as exc:  # a --date not yet come
            raise click.BadParameter(str(exc), param_hint="--date") from None
        built = None
        if result.run_id:
            try:
                built = _build(paths)
            except Exception as exc:  # the night's counts are landed: say so apart from the build
                click.echo(
                    f"error: run {result.run_id} landed ({result.status}), but the build failed: "
                    f"{type(exc).__name__}: {exc}. The run is kept; `finsocial build` builds it "
                    "once the cause is fixed.",
                    err=True,
                )
                sys.exit(EXIT_BUILD_FAILED)
    code = result.exit_code
    sys.exit(EXIT_PARTIAL if code == 0 and built is not None and built.partial else code)


WEIGHTS_HELP = (
    "The power-score formula: a preset (default, power100) or a TOML, CSV or JSON file; "
    "kept for later builds (default: $FINSOCIAL_POWER_WEIGHTS, else the one kept, else default)."
)


@cli.command("import-counts")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--weights", help=WEIGHTS_HELP)
@click.pass_context
def import_counts_cmd(ctx: click.Context, file: str, weights: str | None) -> None:
    """Import counts (CSV) for platforms without an open API, or published figures."""
    from warehouse.counts import import_counts

    paths = _paths(ctx)
    with _writing(paths, "import-counts"):
        try:
            run = import_counts(paths, Path(file), warn=lambda p: click.echo(f"warning: {p}", err=True))
        except InputError as exc:
            _fail_input(exc)
        click.echo(f"imported {len(run.records('snapshots'))} counts from {file} as run {run.run_id}")
        _build(paths, weights=weights)


@cli.command()
@click.option(
    "--full",
    is_flag=True,
    help="Recompute every day's metrics, not only those new runs can change.",
)
@click.option("--weights", help=WEIGHTS_HELP)
@click.pass_context
def build(ctx: click.Context, full: bool, weights: str | None) -> None:
    """Rebuild the warehouse from the landing zone and the registry.

    Exit code: 0 built, 3 built without a damaged run (moved to the quarantine), 1 failed.
    """
    paths = _paths(ctx)
    with _writing(paths, "build"):
        result = _build(paths, full=full, weights=weights)
    if result.partial:
        sys.exit(EXIT_PARTIAL)


@cli.command()
@click.option(
    "--before",
    type=click.DateTime(["%Y-%m"]),
    help="Compact the months before this one, YYYY-MM (default: the current month).",
)
@click.pass_context
def compact(ctx: click.Context, before) -> None:
    """Merge the landing zone's runs into one Parquet file per month and record kind."""
    from warehouse.landing.compact import compact as run_compact

    paths = _paths(ctx)
    with _writing(paths, "compact"):
        result = run_compact(
            paths.landing, before.date() if before else None, log=lambda m: click.echo(m, err=True)
        )
    before_n, after_n = sum(result.records_before.values()), sum(result.records_after.values())
    click.echo(
        f"compacted {result.runs_compacted} runs in {len(result.months)} months: "
        f"{before_n:,} records in, {after_n:,} records out",
        err=True,
    )


@cli.group(invoke_without_command=True)
@click.pass_context
def runs(ctx: click.Context) -> None:
    """List the landing zone's runs, compacted and quarantined ones included; retract or restore one."""
    if ctx.invoked_subcommand is not None:
        return
    from warehouse.landing.quarantine import list_runs

    listed = list_runs(_paths(ctx).landing)
    if not listed:
        click.echo("no runs in the landing zone yet", err=True)
        return
    # plain lines, never wrapped: a reason names a whole path, and logs and grep read this
    rows = [("run", "kind", "day", "status", "where")]
    rows += [(r.run_id, r.kind, r.run_date, r.status, r.where) for r in listed]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[4])


@runs.command("retract")
@click.argument("run_id")
@click.option("--reason", default="retracted by hand", show_default=True, help="Why, kept with the run.")
@click.pass_context
def runs_retract(ctx: click.Context, run_id: str, reason: str) -> None:
    """Move a run (or a compacted month) into the quarantine and rebuild without it."""
    from warehouse.landing.quarantine import RunNotFound, retract

    paths = _paths(ctx)
    with _writing(paths, "runs retract"):
        try:
            entry = retract(paths.landing, run_id, reason)
        except RunNotFound as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        click.echo(f"retracted {run_id}: moved to {entry.path}", err=True)
        _build(paths)


@runs.command("restore")
@click.argument("run_id")
@click.pass_context
def runs_restore(ctx: click.Context, run_id: str) -> None:
    """Move a quarantined run back once its files read whole, and rebuild with it."""
    from warehouse.landing.quarantine import RunNotFound, restore

    paths = _paths(ctx)
    with _writing(paths, "runs restore"):
        try:
            origin = restore(paths.landing, run_id)
        except (RunNotFound, ValueError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        click.echo(f"restored {run_id} to {origin}", err=True)
        _build(paths)


def _rows(frame) -> list[dict]:
    rows = []
    for rec in frame.to_dict("records"):
        clean = {}
        for key, value in rec.items():
            if is_missing(value):  # NaN, NA, NaT: null in JSON, an empty cell in CSV
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        rows.append(clean)
    return rows


@cli.command()
@click.option("--platform", required=True, type=click.Choice(PLATFORM_CHOICES), help="A platform, or all.")
@click.option("--metric", required=True, type=click.Choice(list(METRICS)), help="The metric to rank by.")
@click.option("--country", help="ISO country code, e.g. NL.")
@click.option("--kind", help="bank, credit_union, insurer, neobank, card_issuer, investment, other.")
@click.option("--group", help="A peer group tag.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day (default: the last day with data).",
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    type=click.Choice(["table", "csv", "json", "markdown"]),
)
@click.pass_context
def top(ctx, platform, metric, country, kind, group, as_of, limit, fmt) -> None:
    """Print a league table: institutions ranked by a metric on a platform."""
    from warehouse import queries

    paths = _paths(ctx)
    try:
        with queries.connect(paths.db) as con:
            frame = queries.league_table(
                con,
                platform,
                metric,
                as_of.date() if as_of else None,
                country.upper() if country else None,
                kind,
                group,
                limit,
            )
            demo = queries.is_demo(con)
            span = queries.info(con)
    except (queries.NoWarehouse, ValueError) as exc:  # ValueError: no sum over platforms
        raise click.ClickException(str(exc)) from exc
    day = frame.attrs.get("as_of")
    if day is None:
        raise click.ClickException(
            f"no counts in {paths.db} yet: run `finsocial collect` (and `finsocial import-counts FILE` "
            "for platforms without an open API)"
        )
    if frame.empty:
        raise click.ClickException(
            f"no {platform} data for that selection as of {day or '-'} "
            f"(data runs from {span.get('data_from')} to {span.get('data_to')})"
        )
    rows = _rows(frame)
    for row in rows:
        row["as_of"] = day.isoformat()
    label = METRICS[metric].label
    columns = [
        ("Rank", "right", lambda r: str(r["rank"])),
        ("Move", "center", lambda r: movement(r["rank"], r["previous_rank"])),
        ("Institution", "left", lambda r: r["name"]),
        ("Country", "center", lambda r: r["country"]),
        ("Kind", "left", lambda r: r["kind"]),
        (label, "right", lambda r: value_cell(metric, r)),
    ]
    _print_rows(
        rows,
        fmt,
        lambda: league_markdown(frame, metric, platform, country, kind, group, demo),
        f"{label} · {platform} · as of {day.isoformat()}",
        demo,
        columns,
    )


def _print_rows(
    rows: list[dict],
    fmt: str,
    markdown: Callable[[], str],
    title: str,
    demo: bool,
    columns: list[tuple[str, str, Callable[[dict], str]]],
) -> None:
    """Rows as JSON, CSV, Markdown (`markdown()`), or a table of `columns` (heading, justify, cell)."""
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    elif fmt == "markdown":
        click.echo(markdown())
    else:
        notice = "Demo data: fictional institutions with generated numbers." if demo else None
        table = Table(title=title, caption=notice)
        for heading, justify, _ in columns:
            table.add_column(heading, justify=justify)
        for row in rows:
            table.add_row(*(cell(row) for _, _, cell in columns))
        Console(highlight=False, markup=False).print(table)


@cli.command()
@click.option(
    "--period", help="A week (2026-W42), month (2026-10) or quarter (2026-Q4); default the latest month."
)
@click.option("--by", type=click.Choice(list(POST_MEASURES)), help="What to rank by (default likes).")
@click.option("--platform", default="all", show_default=True, type=click.Choice(PLATFORM_CHOICES))
@click.option("--country", help="ISO country code, e.g. NL.")
@click.option("--kind", help="bank, credit_union, insurer, neobank, card_issuer, investment, other.")
@click.option("--group", help="A peer group tag.")
@click.option("--flagged", is_flag=True, help="Only posts that drew an unusual reaction.")
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
    help="Unusual: and at least this many comments.",
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    type=click.Choice(["table", "csv", "json", "markdown"]),
)
@click.pass_context
def posts(
    ctx, period, by, platform, country, kind, group, flagged, min_multiple, min_comments, limit, fmt
) -> None:
    """Print the industry's top posts of a week, month or quarter (--flagged: unusual reactions)."""
    from warehouse import queries

    by = by or ("reaction_multiple" if flagged else "likes")
    try:
        chosen = parse_period(period) if period else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    paths = _paths(ctx)
    try:
        with queries.connect(paths.db) as con:
            last = queries.latest_post_day(con)
            if last is None:
                raise click.ClickException(
                    f"no posts in {paths.db} yet: posts come through the platforms' APIs (`finsocial collect`)"
                )
            chosen = chosen or period_of(last, "month")
            frame = queries.industry_posts(
                con,
                chosen,
                by,
                platform,
                country.upper() if country else None,
                kind,
                group,
                flagged=flagged,
                multiple=min_multiple,
                min_comments=min_comments,
                limit=limit,
            )
            demo = queries.is_demo(con)
    except queries.NoWarehouse as exc:
        raise click.ClickException(str(exc)) from exc
    if frame.empty:
        raise click.ClickException(
            f"no {'flagged ' if flagged else ''}posts with a value for {by} in {chosen.label} "
            f"({chosen.start} to {chosen.end}) with that selection (the latest post is of {last})"
        )
    rows = _rows(frame)
    for row in rows:
        row["posted_at"] = str(row["posted_at"])
        row["period"] = chosen.label
    label = POST_MEASURES[by]
    columns = [
        ("Rank", "right", lambda r: str(r["rank"])),
        ("Posted", "left", lambda r: r["posted_at"][:10]),
        ("Institution", "left", lambda r: r["name"]),
        ("Platform", "left", lambda r: r["platform"]),
        ("Likes", "right", lambda r: human_count(r["likes"])),
        ("Comments", "right", lambda r: human_count(r["comments"])),
        ("Shares", "right", lambda r: human_count(r["shares"])),
        (label, "right", lambda r: post_value(by, r["value"])),
        ("Reaction", "left", lambda r: "unusual" if r["unusual_reaction"] else ""),
        ("Link", "left", lambda r: r["url"] or "–"),
    ]
    if by in ("likes", "comments", "shares"):
        del columns[7]
    _print_rows(
        rows,
        fmt,
        lambda: posts_markdown(
            rows, chosen, by, platform, country, kind, group, demo, min_multiple, min_comments
        ),
        f"Top posts by {label} · {platform} · {chosen.label}",
        demo,
        columns,
    )


@cli.command()
@click.option(
    "--max-age",
    type=float,
    help="Exit 1 when any platform's newest data is older than this many hours.",
)
@click.pass_context
def status(ctx: click.Context, max_age: float | None) -> None:
    """Show the last runs, freshness per platform and the latest failures."""
    from warehouse import queries

    paths = _paths(ctx)
    try:
        with queries.connect(paths.db) as con:
            runs = queries.last_runs(con, 5)
            fresh = queries.freshness(con)
            failures = queries.run_failures(con)
            anomalies = queries.snapshot_anomalies(con, limit=10)
            quarantine = queries.quarantined_runs(con)
            demo = queries.is_demo(con)
    except queries.NoWarehouse as exc:
        raise click.ClickException(str(exc)) from exc
    console = Console(highlight=False, markup=False)
    if demo:
        console.print("Demo data: fictional institutions with generated numbers.")
    table = Table(title="Freshness per platform")
    for col in ("Platform", "Accounts", "With data", "Last snapshot", "Age (h)"):
        table.add_column(col)
    stale = []
    for row in _rows(fresh):
        age = row["age_hours"]
        if max_age is not None and (age is None or age > max_age):
            stale.append(row["platform"])
        table.add_row(
            row["platform"],
            str(row["accounts_known"]),
            str(row["accounts_with_data"]),
            "never" if row["last_snapshot"] is None else str(row["last_snapshot"])[:10],
            "–" if age is None else f"{age:.1f}",
        )
    console.print(table)
    table = Table(title="Last runs")
    for col in ("Run", "Kind", "Status", "Snapshots", "Posts", "Errors", "Requests"):
        table.add_column(col)
    for row in _rows(runs):
        table.add_row(
            row["run_id"],
            row["kind"],
            row["status"],
            str(row["snapshots"]),
            str(row["posts"]),
            str(row["errors"]),
            str(row["requests"] or "–"),
        )
    console.print(table)
    if not failures.empty:
        table = Table(title=f"Failures of run {failures['run_id'].iloc[0]}")
        for col in ("Platform", "Kind", "Accounts", "Example"):
            table.add_column(col)
        for row in _rows(failures):
            table.add_row(row["platform"], row["kind"], str(row["accounts"]), row["example"])
        console.print(table)
    if not quarantine.empty:
        table = Table(
            title="Runs in the quarantine (left out; `finsocial runs restore RUN_ID` brings one back)"
        )
        for col in ("Run", "State", "Reason"):
            table.add_column(col, overflow="fold")
        for row in _rows(quarantine):
            table.add_row(row["run_id"], row["state"], row["reason"])
        console.print(table)
    if not anomalies.empty:
        # flagged counts are stored but left out of growth until the next snapshot confirms them
        table = Table(title="Follower anomalies (latest 10; flagged ones are left out of growth)")
        for col in ("Day", "Account", "Before", "After", "Change", "Status"):
            table.add_column(col)
        for row in _rows(anomalies):
            pct = "" if row["change_pct"] is None else f" ({row['change_pct']:+.1f}%)"
            table.add_row(
                str(row["snapshot_date"])[:10],
                row["account_id"],
                f"{row['previous_followers']:,}",
                f"{row['followers']:,}",
                f"{row['change']:+,}{pct}",
                row["status"],
            )
        console.print(table)
    from warehouse.lock import lock_holder

    holder = lock_holder(paths)
    if holder is not None:
        console.print(
            f"In progress: {holder.get('command', 'a command')} (pid {holder.get('pid', '?')}, "
            f"since {holder.get('started_at', '?')})"
        )
    if stale:
        err.print(f"stale: {', '.join(stale)} older than {max_age} hours", markup=False)
        sys.exit(1)


def _serve(paths: DataPaths, port: int) -> None:
    app = importlib.resources.files("dashboard") / "app.py"
    env = {**os.environ, "FINSOCIAL_DB": str(paths.db)}
    click.echo(f"dashboard on http://localhost:{port} (Ctrl+C to stop)", err=True)
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(cmd, env=env, check=False)


@cli.command()
@click.option("--no-serve", is_flag=True, help="Build the demo warehouse but do not start the dashboard.")
@click.option("--port", default=8501, show_default=True)
@click.option("--days", default=450, show_default=True, type=click.IntRange(60, 5000))
@click.option("--end-date", type=click.DateTime(["%Y-%m-%d"]), help="The demo's last day (default today).")
@click.pass_context
def demo(ctx: click.Context, no_serve: bool, port: int, days: int, end_date) -> None:
    """Build a warehouse of fictional demo institutions (data/demo/) and open the dashboard."""
    from warehouse.demo import (
        DEMO_DB,
        DEMO_NOTICE,
        DemoSpec,
        NotADemoRoot,
        generate,
        reset_demo_root,
    )

    paths = DataPaths.resolve(ctx.obj.get("db") or os.environ.get("FINSOCIAL_DB") or DEMO_DB)
    with _writing(paths, "demo"):
        try:
            reset_demo_root(paths)
        except NotADemoRoot as exc:
            raise click.ClickException(str(exc)) from exc
        paths.ensure()
        click.echo(DEMO_NOTICE, err=True)
        generate(
            paths,
            DemoSpec(days=days, end=end_date.date() if end_date else None),
            log=lambda m: click.echo(m, err=True),
        )
        _build(paths)
    click.echo(
        f"demo warehouse: {paths.db}\n  try: FINSOCIAL_DB={os.path.relpath(paths.db)} "
        "finsocial top --platform all --metric followers",
        err=True,
    )
    if not no_serve:
        _serve(paths, port)


@cli.command()
@click.option("--port", default=8501, show_default=True)
@click.pass_context
def dashboard(ctx: click.Context, port: int) -> None:
    """Start the dashboard (Streamlit) on the warehouse."""
    _serve(_paths(ctx), port)


def main() -> None:
    cli(prog_name="finsocial")


if __name__ == "__main__":
    main()
