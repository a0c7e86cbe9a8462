"""Input a user really sends: spreadsheet CSV dialects, huge or implausible counts, missing handles."""

from __future__ import annotations

import duckdb
import pytest

from tests.warehouse.conftest import REGISTRY
from warehouse.build.builder import build
from warehouse.infra.csvcheck import InputError
from warehouse.inputs.counts import import_counts
from warehouse.inputs.registry import parse_registry, registry_csv, save_registry
from warehouse.landing.runs import complete_runs


@pytest.fixture
def installed(paths, registry_file):
    save_registry(parse_registry(registry_file), paths.registry)
    return paths


def write(tmp_path, text: str, name: str = "input.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshots(paths) -> list:
    con = duckdb.connect(str(paths.db), read_only=True)
    try:
        return con.execute(
            "SELECT account_id, snapshot_date::VARCHAR, followers FROM account_snapshots ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def problems(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems]


# -- separators and what spreadsheets add ---------------------------------------------------------


@pytest.mark.parametrize("separator", [";", "\t", ","])
def test_a_registry_separated_by_semicolons_or_tabs_reads_like_commas(tmp_path, separator):
    text = REGISTRY.replace(",", "\x00").replace(";", "|")  # keep the groups' own ';' apart
    rows = [line.split("\x00") for line in text.splitlines()]
    quoted = [[f'"{c.replace("|", ";")}"' if "|" in c else c for c in row] for row in rows]
    path = write(tmp_path, "\n".join(separator.join(r) for r in quoted) + "\n")
    assert parse_registry(path) == parse_registry(write(tmp_path, REGISTRY, "plain.csv"))
    assert parse_registry(path)[0].groups == ("nl-banks", "big")


def test_trailing_empty_columns_and_cells_are_ignored(tmp_path):
    lines = REGISTRY.splitlines()
    text = "\n".join([lines[0] + ",,", lines[1] + ",,", lines[2], lines[3] + ","] + lines[4:]) + "\n"
    assert len(parse_registry(write(tmp_path, text))) == 5
    extra = write(tmp_path, REGISTRY.replace("echo-cu,", "echo-cu,", 1).rstrip("\n") + ",surplus\n", "x.csv")
    with pytest.raises(InputError, match="row 6: 10 cells but the header has 9 columns"):
        parse_registry(extra)


def test_a_separator_that_is_none_of_the_three_is_named_not_the_header_line(tmp_path):
    path = write(tmp_path, "institution_id|name|kind|country|website\nalpha|A|bank|NL|https://a.example/\n")
    with pytest.raises(InputError) as info:
        parse_registry(path)
    assert "column institution_id|name|kind|country|website: unknown column" in problems(info)[0]


def test_counts_separated_by_semicolons_with_trailing_cells_land(installed, tmp_path):
    path = write(
        tmp_path,
        "institution_id;platform;date;followers;;\nalpha-bank;linkedin;2026-01-31;1200;;\n"
        "bravo-ins;linkedin;2026-01-31;450;\n",
    )
    import_counts(installed, path)
    build(installed)
    assert snapshots(installed) == [
        ("alpha-bank/linkedin/-", "2026-01-31", 1200),
        ("bravo-ins/linkedin/-", "2026-01-31", 450),
    ]


# -- counts past int64 and dates no platform had ---------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("9223372036854775808", "larger than any count can be"),
        ("99999999999999999999999", "larger than any count can be"),
        ("9999999999999999999999999B", "larger than any count can be"),
        ("1" * 400 + "M", "is not a count"),
    ],
)
def test_a_count_past_int64_is_a_row_error_and_lands_nothing(installed, tmp_path, cell, message):
    path = write(tmp_path, f"institution_id,platform,date,followers\nalpha-bank,linkedin,2026-01-31,{cell}\n")
    with pytest.raises(InputError) as info:
        import_counts(installed, path)
    (found,) = problems(info)
    assert "row 2, column followers" in found and message in found
    assert complete_runs(installed.landing) == [] and list(installed.landing.iterdir()) == []


def test_the_largest_count_is_taken_and_one_more_is_refused(installed, tmp_path):
    # 10**14, the bound under which no sum the build takes can pass int64 (two counts near 2**63
    # overflowed every build)
    path = write(
        tmp_path, "institution_id,platform,date,followers\nalpha-bank,linkedin,2026-01-31,100000000000001\n"
    )
    with pytest.raises(InputError) as info:
        import_counts(installed, path)
    assert "larger than any count can be (at most 100,000,000,000,000)" in problems(info)[0]
    path = write(
        tmp_path, "institution_id,platform,date,followers\nalpha-bank,linkedin,2026-01-31,100000000000000\n"
    )
    import_counts(installed, path)
    build(installed)
    assert snapshots(installed)[0][2] == 10**14


@pytest.mark.parametrize("day", ["0026-01-31", "2003-12-31", "1970-01-01"])
def test_an_implausible_date_is_refused_with_its_row(installed, tmp_path, day):
    path = write(
        tmp_path,
        f"institution_id,platform,date,followers\nalpha-bank,linkedin,2026-01-31,5\nalpha-bank,linkedin,{day},5\n",
    )
    with pytest.raises(InputError) as info:
        import_counts(installed, path)
    assert problems(info) == [f"{path}, row 3, column date: {day} is before 2004: a typo for another year?"]


# -- rows without a handle belong to the institution's one account --------------------------------


def test_rows_without_a_handle_join_the_handle_the_file_names(installed, tmp_path):
    path = write(
        tmp_path,
        "institution_id,platform,date,followers,handle\n"
        "alpha-bank,linkedin,2026-01-30,41000,\n"
        "alpha-bank,linkedin,2026-01-31,41500,alpha-bank-nl\n",
    )
    import_counts(installed, path)
    build(installed)
    # one account, not two whose followers add up to 82.5K
    assert snapshots(installed) == [
        ("alpha-bank/linkedin/company/alpha-bank-nl", "2026-01-30", 41000),
        ("alpha-bank/linkedin/company/alpha-bank-nl", "2026-01-31", 41500),
    ]


def test_rows_without_a_handle_join_the_account_an_earlier_import_created(installed, tmp_path):
    first = write(
        tmp_path,
        "institution_id,platform,date,followers,handle\nalpha-bank,linkedin,2026-01-30,41000,alpha-bank-nl\n",
    )
    import_counts(installed, first)
    later = write(
        tmp_path, "institution_id,platform,date,followers\nalpha-bank,linkedin,2026-01-31,41500\n", "b.csv"
    )
    import_counts(installed, later)
    build(installed)
    assert {a for a, _, _ in snapshots(installed)} == {"alpha-bank/linkedin/company/alpha-bank-nl"}
    con = duckdb.connect(str(installed.db), read_only=True)
    followers = con.execute(
        "SELECT followers FROM institution_metrics WHERE institution_id = 'alpha-bank' "
        "AND platform = 'linkedin' AND day = '2026-01-31'"
    ).fetchone()[0]
    con.close()
    assert followers == 41500


def test_a_second_handle_beside_a_known_account_names_both(installed, tmp_path):
    first = write(
        tmp_path,
        "institution_id,platform,date,followers,handle\nalpha-bank,linkedin,2026-01-30,41000,alpha-bank-nl\n",
    )
    import_counts(installed, first)
    other = write(
        tmp_path,
        "institution_id,platform,date,followers,handle\nalpha-bank,linkedin,2026-01-31,4,alphabank\n",
        "b.csv",
    )
    with pytest.raises(InputError) as info:
        import_counts(installed, other)
    (found,) = problems(info)
    assert (
        "row 2, column handle: 'company/alphabank' is a second linkedin account of alpha-bank beside 'company/alpha-bank-nl'"
        in found
    )
    registry_x = write(
        tmp_path,
        "institution_id,platform,date,followers,handle\nalpha-bank,x,2026-01-31,4,alphabank\n",
        "c.csv",
    )
    with pytest.raises(InputError, match="beside 'alpha' \\(registry\\)"):
        import_counts(installed, registry_x)


def test_two_handles_in_one_file_and_a_row_without_are_refused(installed, tmp_path):
    path = write(
        tmp_path,
        "institution_id,platform,date,followers,handle\n"
        "alpha-bank,linkedin,2026-01-30,41000,alpha-one\n"
        "alpha-bank,linkedin,2026-01-30,400,alpha-two\n"
        "alpha-bank,linkedin,2026-01-31,41500,\n",
    )
    with pytest.raises(InputError) as info:
        import_counts(installed, path)
    found = problems(info)
    assert any(
        "row 3, column handle: 'company/alpha-two' is a second linkedin account of alpha-bank beside 'company/alpha-one' (row 2)"
        in p
        for p in found
    )
    assert any("row 4, column handle: no handle, and alpha-bank has 2 linkedin accounts" in p for p in found)


def test_an_exported_registry_imports_again(tmp_path):
    institutions = parse_registry(write(tmp_path, REGISTRY))
    again = parse_registry(write(tmp_path, registry_csv(institutions), "exported.csv"))
    assert again == institutions


# -- a registry that would remove institutions ----------------------------------------------------


def test_a_header_only_registry_is_refused_unless_allowed(tmp_path):
    from warehouse.inputs.registry import EmptyRegistry, registry_change

    installed = parse_registry(write(tmp_path, REGISTRY))
    header_only = write(tmp_path, REGISTRY.splitlines()[0] + "\n", "empty.csv")
    assert parse_registry(header_only) == []
    with pytest.raises(
        EmptyRegistry, match="has no institutions \\(only a header\\): importing it would remove all 5"
    ):
        registry_change(installed, [], header_only)
    change = registry_change(installed, [], header_only, allow_empty=True)
    assert change.summary.startswith("replaces 5 institutions with 0: 5 removed, 0 added")


def test_a_replacement_says_how_many_it_removes(tmp_path):
    from warehouse.inputs.registry import registry_change

    installed = parse_registry(write(tmp_path, REGISTRY))
    lines = REGISTRY.splitlines()
    smaller = parse_registry(
        write(tmp_path, "\n".join(lines[:3]) + "\nfoxtrot,F,bank,NL,https://f.example/,,,,\n", "s.csv")
    )
    change = registry_change(installed, smaller, tmp_path / "s.csv")
    assert change.summary == (
        "replaces 5 institutions with 3: 3 removed, 1 added (removed: charlie-bank, delta-bank, echo-cu)"
    )
    assert registry_change(installed, installed, tmp_path / "same.csv").removed == ()
