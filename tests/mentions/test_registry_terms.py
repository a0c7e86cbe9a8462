"""The registry's search_terms column: refused at import when a term would match nearly every
post (the file, the row, the column and the term named; nothing applied), kept by export."""

from __future__ import annotations

from click.testing import CliRunner

from finsocial.cli import cli

HEADER = "institution_id,name,kind,country,website,search_terms\n"


def run(tmp_path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(tmp_path / "finsocial.duckdb"), *args])


def test_a_too_broad_term_is_refused_with_row_and_term(tmp_path):
    assert run(tmp_path, "init").exit_code == 0
    bad = tmp_path / "institutions.csv"
    bad.write_text(
        HEADER
        + "ing,ING,bank,NL,https://www.ing.nl/,ING;#ingnl;-ING Bank Śląski\n"
        + "north,Northwind Bank,bank,GB,https://north.example/,Northwind Bank;bank\n"
        + "ab,AB Bank,bank,GB,https://ab.example/,AB\n"
    )
    result = run(tmp_path, "registry", "import", str(bad))
    assert result.exit_code == 1
    assert "row 3" in result.output and "search_terms" in result.output and "'bank'" in result.output
    assert "common word" in result.output
    assert "row 4" in result.output and "'AB'" in result.output and "fewer than 3 letters" in result.output
    assert "row 2" not in result.output  # "ING" is an acronym: matched in capitals only, allowed
    assert not (tmp_path / "registry.csv").exists()  # nothing applied


def test_search_terms_survive_export(tmp_path):
    assert run(tmp_path, "init").exit_code == 0
    good = tmp_path / "institutions.csv"
    good.write_text(
        HEADER
        + 'north,Northwind Bank,bank,GB,https://north.example/,"Northwind Bank;#northwind;-Northwind Road"\n'
    )
    assert run(tmp_path, "registry", "import", str(good)).exit_code == 0
    out = tmp_path / "export.csv"
    assert run(tmp_path, "registry", "export", str(out)).exit_code == 0
    assert "Northwind Bank;#northwind;-Northwind Road" in out.read_text()
