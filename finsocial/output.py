"""Rows out: one function prints rows as a table, plain text, CSV, JSON or Markdown (after sqlite-utils)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from warehouse.read.formatting import is_missing, markdown_cell

FORMATS = ("table", "csv", "json", "markdown")


@dataclass(frozen=True)
class Column:
    """A column of a printed table: the row's key, its heading, alignment and how a value reads."""

    key: str
    heading: str
    right: bool = False
    show: Callable[[dict[str, Any]], str] | None = None  # the cell's text; default str(), "–" for None

    def text(self, row: dict[str, Any]) -> str:
        if self.show is not None:
            return self.show(row)
        value = row.get(self.key)
        return "–" if value is None else str(value)


def format_option(formats: Sequence[str] = FORMATS, default: str = "table") -> Callable:
    """The --format option a command that prints rows takes."""
    return click.option(
        "--format",
        "fmt",
        default=default,
        show_default=True,
        type=click.Choice(list(formats), case_sensitive=False),
        help="How to print the rows.",
    )


def frame_rows(frame: Any) -> list[dict[str, Any]]:
    """A pandas DataFrame's rows as dicts of plain Python values, NaN and NaT as None."""
    out = []
    for record in frame.to_dict("records"):
        clean = {}
        for key, value in record.items():
            if is_missing(value):  # NaN, NA, NaT: null in JSON, an empty cell in CSV
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        out.append(clean)
    return out


def plain_table(rows: list[dict[str, Any]], columns: Sequence[Column]) -> str:
    """Aligned columns of plain text, never wrapped or cut: for logs, pipes and narrow terminals."""
    cells = [[c.heading for c in columns]] + [[c.text(r) for c in columns] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = []
    for line in cells:
        parts = [
            text.rjust(width) if column.right else text.ljust(width)
            for text, width, column in zip(line, widths, columns, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def render(
    rows: list[dict[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    title: str | None = None,
    notes: Sequence[str] = (),
) -> str:
    """Rows as text in one of FORMATS ("table" here is plain aligned text; `output_rows` draws a box
    on a terminal). csv and json carry every key of the rows; table and markdown the columns."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2, default=str)
    if fmt == "csv":
        out = io.StringIO()
        keys = list(rows[0]) if rows else [c.key for c in columns]
        writer = csv.DictWriter(out, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = [f"### {title}", ""] if title else []
        lines.append("| " + " | ".join(markdown_cell(c.heading) for c in columns) + " |")
        lines.append("|" + "|".join("---:" if c.right else "---" for c in columns) + "|")
        lines += ["| " + " | ".join(markdown_cell(c.text(r)) for c in columns) + " |" for r in rows]
        if notes:
            lines += ["", *(f"_{note}_" for note in notes)]
        return "\n".join(lines)
    body = plain_table(rows, columns)
    return "\n".join([*([title] if title else []), body, *notes])


def output_rows(
    rows: list[dict[str, Any]],
    columns: Sequence[Column],
    fmt: str = "table",
    title: str | None = None,
    notes: Sequence[str] = (),
) -> None:
    """Print rows: a boxed table on a terminal, plain unwrapped text when stdout is a pipe or a file."""
    if fmt == "table" and sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, caption="\n".join(notes) or None)
        for column in columns:
            table.add_column(column.heading, justify="right" if column.right else "left")
        for row in rows:
            table.add_row(*(column.text(row) for column in columns))
        Console(highlight=False, markup=False).print(table)
        return
    click.echo(render(rows, columns, fmt, title, notes))
