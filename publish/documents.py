"""The report as files: Markdown with its charts beside it, one self-contained HTML page, and a PDF of that page."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from warehouse.read.formatting import markdown_cell
from warehouse.read.monthly import Report, Table
from warehouse.read.report import DEMO_LINE, SOURCE_LINE

FORMATS = ("markdown", "html", "pdf")
EDITIONS = {"blogger": "The blogger's edition", "strategist": "The strategist's edition"}


class PublishError(RuntimeError):
    """A file of the report could not be made (Chromium missing or failing); the message says which."""


# ---- Markdown -------------------------------------------------------------------------------------


def _footer(report: Report) -> str:
    return SOURCE_LINE + (f". {DEMO_LINE}" if report.demo else "")


def _table_markdown(table: Table, report: Report, image: Callable[[Table], str | None]) -> list[str]:
    lines = [f"### {markdown_cell(table.title)}", "", table.intro, ""]
    lines.append("| " + " | ".join(table.headings) + " |")
    lines.append("|" + "|".join("---:" if r else "---" for r in table.right) + "|")
    for row in table.cells:
        cells = []
        for heading, cell in zip(table.headings, row, strict=True):
            if heading == "Post" and cell.startswith(("https://", "http://")):
                cells.append(f"[link]({cell})")
            else:
                cells.append(markdown_cell(cell))
        lines.append("| " + " | ".join(cells) + " |")
    src = image(table) if table.chart else None
    if src:
        lines += ["", f"![{markdown_cell(table.chart.title)}]({src})"]
    lines += ["", table.source]
    lines += ["", *(f"_{note}_" for note in table.notes)] if table.notes else []
    if table.command:
        lines += ["", f"_The same figures:_ `{table.command}`"]
    if report.demo:
        lines += ["", f"> **{DEMO_LINE}**"]
    lines.append("")
    return lines


def report_markdown(report: Report, image: Callable[[Table], str | None] = lambda t: None) -> str:
    """The report as Markdown; `image(table)` gives the address of a table's chart (None: no chart)."""
    period = report.period
    lines = [f"# {markdown_cell(report.title)}", ""]
    lines.append(
        f"{EDITIONS[report.edition]} · {period.label} ({period.start.isoformat()} to {period.end.isoformat()})"
        f" · as of {report.as_of.isoformat()} · {report.selection.label()}"
        + (f" · build {report.build_id}" if report.build_id else "")
    )
    lines.append("")
    if report.as_of < period.end:
        lines += [f"The data ends on {report.as_of.isoformat()}, before the period does.", ""]
    if report.demo:
        lines += [f"> **{DEMO_LINE}**", ""]
    for section in report.sections:
        lines += [f"## {markdown_cell(section.title)}", ""]
        if section.text:
            lines += [section.text, ""]
        if section.empty:
            lines += [section.empty, ""]
        for table in section.tables:
            lines += _table_markdown(table, report, image)
    lines += [
        "---",
        "",
        "Definitions of every metric: the README's Metrics section and the dashboard's Methodology page. "
        "Counts are public counts as each platform reports them; a value that cannot be computed shows as –.",
    ]
    return "\n".join(lines).rstrip() + "\n"


# ---- HTML -----------------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1F2937;
       font-size: 10.5pt; line-height: 1.45; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 19pt; margin: 0 0 4pt; color: #1F4E9A; }
h2 { font-size: 14pt; margin: 18pt 0 6pt; border-bottom: 1px solid #E6EAF0; padding-bottom: 2pt;
     break-after: avoid; }
h3 { font-size: 11.5pt; margin: 12pt 0 4pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; font-size: 9.5pt; break-inside: auto; }
tr { break-inside: avoid; }
th, td { border-bottom: 1px solid #E6EAF0; padding: 2pt 5pt; vertical-align: top; }
th { background: #F3F5F8; }
img { max-width: 100%; height: auto; display: block; margin: 6pt 0; break-inside: avoid; }
blockquote { margin: 6pt 0; padding: 3pt 8pt; border-left: 3pt solid #C44E52; background: #FBF3F3; }
blockquote p { margin: 0; }
code { font-size: 8.5pt; word-break: break-all; }
p { margin: 3pt 0; }
a { color: #1F4E9A; }
"""


def _markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")  # names are shown as typed
    default = md.validateLink
    # the charts are inlined as SVG data URIs, which markdown-it refuses by default
    md.validateLink = lambda url: url.startswith("data:image/svg+xml;base64,") or default(url)
    return md.render(text)


def report_html(report: Report, svgs: dict[str, bytes]) -> str:
    """One self-contained HTML page: the Markdown rendered, each chart an inlined SVG (crisp in print)."""

    def image(table: Table) -> str | None:
        data = svgs.get(table.key)
        return None if data is None else "data:image/svg+xml;base64," + base64.b64encode(data).decode()

    body = _markdown_to_html(report_markdown(report, image))
    title = re.sub(r"[<>&\"]", "", report.title)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


# ---- PDF ------------------------------------------------------------------------------------------


def chromium() -> str:
    """The system Chromium: $BROWSER_PATH, else chromium on the PATH."""
    found = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        raise PublishError("no Chromium to print the PDF with: install Debian's chromium or set BROWSER_PATH")
    return found


_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[^)]*\)")
_PDF_IDS = re.compile(rb"/ID \[<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>\]")


def stable_pdf(data: bytes) -> bytes:
    """A PDF without the moment it was printed: its dates become 1970's and its document ids zeros,
    each the same length, so the cross-reference offsets hold. Same page, same bytes."""

    def date(match: re.Match) -> bytes:
        whole = match.group(0)
        head = b"/" + match.group(1) + b" (D:"
        digits = whole[len(head) : -1]
        return head + (b"19700101000000" + b"0" * 32)[: len(digits)] + b")"

    data = _PDF_DATES.sub(date, data)
    return _PDF_IDS.sub(
        lambda m: b"/ID [<" + b"0" * len(m.group(1)) + b"> <" + b"0" * len(m.group(2)) + b">]", data
    )


def html_to_pdf(html_path: Path, pdf_path: Path, timeout: float = 120) -> None:
    """Print the page to an A4 PDF with the system Chromium (headless, no header or footer)."""
    with tempfile.TemporaryDirectory(prefix="finsocial-pdf-") as profile:
        args = [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PublishError(f"Chromium did not print {html_path.name} within {timeout:.0f} s") from exc
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise PublishError(f"Chromium could not print {html_path.name} (exit {done.returncode}): {last[0]}")
    pdf_path.write_bytes(stable_pdf(pdf_path.read_bytes()))


# ---- the files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: Path
    size: int


def _tables(report: Report) -> list[Table]:
    return [t for s in report.sections for t in s.tables if t.chart is not None]


def _write(path: Path, data: bytes) -> Written:
    """Write a file whole: a reader never sees half of one (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return Written(path, len(data))


def _drawn(figures: dict, fmt: str) -> dict[str, bytes]:
    """The charts drawn, or a PublishError saying why not (kaleido or Chromium missing or failing)."""
    from publish import charts

    try:
        return charts.render(figures, fmt)
    except Exception as exc:  # kaleido raises its own and Chromium's errors; one line, no traceback
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise PublishError(f"cannot draw the charts as {fmt}: {type(exc).__name__}: {first}") from exc


def write_report(
    report: Report, output: Path, formats: tuple[str, ...] = ("markdown",), image_format: str = "png"
) -> list[Written]:
    """Write the report's files into `output`: <slug>.md with its charts in <slug>/ (PNG or SVG),
    <slug>.html (self-contained), <slug>.pdf (A4, printed from the HTML). Returns what was written."""
    from publish import charts

    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown report format {sorted(unknown)}; known: {', '.join(FORMATS)}")
    output.mkdir(parents=True, exist_ok=True)
    slug = report.slug
    footer = _footer(report)
    figures = {t.key: charts.figure(t.chart, footer) for t in _tables(report)}
    written: list[Written] = []
    if "markdown" in formats:
        images = _drawn(figures, image_format)
        for key, data in images.items():
            written.append(_write(output / slug / f"{key}.{image_format}", data))
        text = report_markdown(
            report, lambda t: f"{slug}/{t.key}.{image_format}" if t.key in images else None
        )
        written.append(_write(output / f"{slug}.md", text.encode("utf-8")))
    if "html" in formats or "pdf" in formats:
        narrow = {t.key: charts.figure(t.chart, footer, charts.PRINT_WIDTH) for t in _tables(report)}
        svgs = _drawn(narrow, "svg")
        page = report_html(report, svgs).encode("utf-8")
        if "html" in formats:
            written.append(_write(output / f"{slug}.html", page))
        if "pdf" in formats:
            with tempfile.TemporaryDirectory(prefix="finsocial-report-") as tmp:
                source = Path(tmp) / f"{slug}.html"
                source.write_bytes(page)
                pdf = Path(tmp) / f"{slug}.pdf"
                html_to_pdf(source, pdf)
                written.append(_write(output / f"{slug}.pdf", pdf.read_bytes()))
    return written
