"""Reading a user's CSV file with every problem named by file, row and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, where a person can find it."""

    file: str
    row: int | None  # as a spreadsheet numbers it: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """An input file with problems; nothing from it was applied."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} problem(s) found; nothing from the file was applied:\n{shown}{more}"
        )


DELIMITER_NAMES = {",": "separated by commas", ";": "separated by semicolons", "\t": "separated by tabs"}


def detect_delimiter(text: str, known: set[str]) -> str:
    """The separator of a CSV: the one that splits the header into the most known column names.

    Excel saves "CSV" with semicolons in locales whose decimal mark is a comma (Dutch, German),
    and a copy from a spreadsheet pastes tabs. Column names hold none of the three, so the header
    decides; then the most columns, then the comma.
    """
    first = text.splitlines()[0] if text else ""

    def score(delimiter: str) -> tuple[int, int, bool]:
        names = [c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])]
        return sum(n in known for n in names), len(names), delimiter == ","

    return max(DELIMITER_NAMES, key=score)


def read_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...], comments: bool = False
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """Rows of a UTF-8 CSV as (row number, {column: stripped value}), and header problems.

    The separator (comma, semicolon or tab) is detected from the header; trailing empty columns
    and trailing empty cells are ignored. With `comments`, lines starting with '#' before the
    header (a file's declarations) are skipped; rows keep the numbers a spreadsheet shows.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return [], [Problem(name, None, None, f"cannot read the file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [Problem(name, line, None, "not UTF-8 text (save the file as CSV UTF-8)")]
    if "\x00" in text:
        return [], [Problem(name, None, None, "contains NUL bytes: not a CSV text file")]
    skipped = 0
    if comments:
        lines = text.splitlines(keepends=True)
        while skipped < len(lines) and lines[skipped].lstrip().startswith("#"):
            skipped += 1
        text = "".join(lines[skipped:])
    known = set(required) | set(optional)
    delimiter = detect_delimiter(text, known)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        table = list(reader)
    except csv.Error as exc:
        return [], [Problem(name, None, None, f"malformed CSV ({DELIMITER_NAMES[delimiter]}): {exc}")]
    if not table or not any(cell.strip() for cell in table[0]):
        return [], [Problem(name, 1 + skipped, None, "empty file: expected a header row")]
    # spreadsheets add empty columns after the last one they were given: they are not columns
    while table[0] and not table[0][-1].strip():
        table[0].pop()
    header = [h.strip() for h in table[0]]
    problems: list[Problem] = []
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Problem(name, 1 + skipped, col, "column appears twice"))
        seen.add(col)
        if col not in known:
            problems.append(
                Problem(
                    name, 1 + skipped, col or "(blank)", f"unknown column; known: {', '.join(sorted(known))}"
                )
            )
    for col in required:
        if col not in seen:
            problems.append(Problem(name, 1 + skipped, col, "required column is missing"))
    rows: list[tuple[int, dict[str, str]]] = []
    for index, cells in enumerate(table[1:], start=2 + skipped):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and not any(c.strip() for c in cells[len(header) :]):
            cells = cells[: len(header)]  # trailing empty cells, as a spreadsheet saves them
        if len(cells) > len(header):
            problems.append(
                Problem(
                    name,
                    index,
                    None,
                    f"{len(cells)} cells but the header has {len(header)} columns",
                )
            )
            continue
        values = {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(header)}
        rows.append((index, values))
    return rows, problems
