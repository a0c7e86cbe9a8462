"""Registry validation: every problem named by file, row and column; a bad file applies nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.infra.csvcheck import InputError
from warehouse.inputs.registry import load_registry, parse_registry, registry_csv

HEADER = "institution_id,name,kind,country,website,groups,x,youtube,mastodon,linkedin\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "reg.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_registry(path)
    return [str(p) for p in info.value.problems]


def test_a_good_file_normalizes_handles_and_groups(tmp_path):
    path = write(
        tmp_path,
        'north,"Northwind Bank, N.A.",bank,NL,https://northwind.example/,nl-banks; big ;nl-banks,'
        "https://twitter.com/NorthwindBank?s=20,UCabcdefghijklmnopqrstuv,@news@bank.example,"
        "https://www.linkedin.com/company/northwind/\n",
    )
    [inst] = parse_registry(path)
    assert inst.name == "Northwind Bank, N.A."
    assert inst.groups == ("nl-banks", "big")
    assert inst.handles == {
        "x": ("northwindbank",),
        "youtube": ("UCabcdefghijklmnopqrstuv",),
        "mastodon": ("news@bank.example",),
        "linkedin": ("company/northwind",),
    }


def test_each_problem_names_file_row_and_column(tmp_path):
    path = write(
        tmp_path,
        "ok-bank,OK Bank,bank,NL,https://ok.example/,,,,,\n"
        "ok-bank,Again,bank,NL,https://again.example/,,,,,\n"
        "Bad Id,Bad,bank,NL,https://bad.example/,,,,,\n"
        "kindless,K,hedge_fund,NL,https://k.example/,,,,,\n"
        "uk-bank,UK Bank,bank,UK,https://uk.example/,,,,,\n"
        "nosite,No Site,bank,NL,not a url,,,,,\n"
        "badx,Bad X,bank,NL,https://x.example/,,https://twitter.com/intent/tweet?text=hi,,,\n",
    )
    found = problems(path)
    name = str(path)
    assert f"{name}, row 3, column institution_id: duplicate id 'ok-bank', first on row 2" in found
    assert any(p.startswith(f"{name}, row 4, column institution_id:") for p in found)
    assert any(p.startswith(f"{name}, row 5, column kind: unknown kind 'hedge_fund'") for p in found)
    assert any("row 6, column country" in p and "use GB" in p for p in found)
    assert any("row 7, column website" in p for p in found)
    assert any("row 8, column x" in p and "not a x profile URL" in p for p in found)
    assert len(found) == 6


def test_unknown_and_missing_columns(tmp_path):
    path = write(
        tmp_path, "a,A,bank,NL,https://a.example/,x\n", header="institution_id,name,kind,website,twitter\n"
    )
    found = problems(path)
    assert any("row 1, column twitter: unknown column" in p for p in found)
    assert any("row 1, column country: required column is missing" in p for p in found)


def test_not_utf8_and_malformed_files(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "a,Caf\xe9 Bank,bank,FR,https://a.example/,,,,,\n").encode("latin-1"))
    assert any("not UTF-8" in p for p in problems(path))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert any("empty file" in p for p in problems(empty))


def test_export_round_trips(tmp_path):
    path = write(tmp_path, "a,A & Co,bank,NL,https://a.example/,g1;g2,@aco,,,\n")
    institutions = parse_registry(path)
    again = tmp_path / "again.csv"
    again.write_text(registry_csv(institutions))
    assert parse_registry(again) == institutions


def test_the_starter_registry_is_valid():
    institutions = load_registry(Path(__file__).parents[2] / "registry" / "institutions.csv")
    assert len(institutions) >= 100
    assert len({i.country for i in institutions}) >= 15
    names = {i.name for i in institutions}
    for required in ("ABN AMRO", "Rabobank", "GEICO", "Allstate", "Maybank", "CIBC"):
        assert any(required in n for n in names), required
    assert not any(i.handles for i in institutions)  # no guessed handles
