"""Search terms: whole words, acronyms in capitals, exclusions, refused broad terms, queries."""

from __future__ import annotations

import pytest

from warehouse.domain.text import TermError, parse_terms

HANDLES = [
    "@NorthwindBank",
    "northwind.bsky.social",
    "https://www.instagram.com/northwind_nl/",
    "@news@northwind.example",
]


def test_default_terms_are_handles_and_name() -> None:
    terms = parse_terms(None, "Northwind Bank", HANDLES + ["UCabcdefghijklmnopqrstuv"])
    assert terms.query_strings() == [
        "@NorthwindBank",
        "@northwind.bsky.social",
        "@northwind_nl",
        "@news@northwind.example",
        '"Northwind Bank"',
    ]
    assert parse_terms("  ", "Northwind Bank", []).query_strings() == ['"Northwind Bank"']


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Love Northwind Bank!", True),
        ("NORTHWIND   BANK is down", True),
        ("Northwind\nBank again", True),
        ("#NorthwindBank is trending", False),  # the name's words run together: not the phrase
        ("Northwind's new bank", False),  # the name's words apart
        ("Northwind is not a bank", False),
        ("NorthwindBanking app", False),
        ("SuperNorthwind Bank", False),  # the name inside another word
        ("@northwindbank help!", True),
        ("cc @northwind.bsky.social.", True),  # a sentence's full stop after a handle
        ("cc @northwind.bsky.socialite", False),
        ("hi @northwind_nl", True),
        ("hi @northwind_nlx", False),
        ("hi @news@northwind.example", True),
        ("see https://northwind.example/northwind-bank", False),  # links are not read
        ("<b>Northwind</b> <i>Bank</i>", True),  # HTML stripped
        ("North\u200bwind Bank", True),  # zero-width space removed
        ("", False),
        (None, False),
    ],
)
def test_default_terms_match_whole_words(text: str | None, expected: bool) -> None:
    assert parse_terms(None, "Northwind Bank", HANDLES).matches(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ING is down again", True),
        ("Het ING-kantoor sluit", True),
        ("Klant bij ING.", True),
        ("online banking is hard", False),  # inside a word
        ("ing is down", False),  # an acronym matches only in capitals
        ("Ing app", False),
        ("INGbank", False),
        ("I love #INGbank", True),  # through the hashtag term, case-insensitive
        ("#ingbank", True),
        ("ING Sport wins", False),  # excluded
    ],
)
def test_acronym_in_capitals_only(text: str, expected: bool) -> None:
    terms = parse_terms("ING; #ingbank; -ING Sport", "ING", [])
    assert terms.matches(text) is expected


def test_exclusion_wins() -> None:
    terms = parse_terms("Northwind; -Northwind Airlines; -#northwindair", "Northwind", [])
    assert terms.matches("Flew Northwind yesterday, bank app worked")
    assert not terms.matches("Northwind Airlines lost my bag, Northwind bank refunded")
    assert not terms.matches("Northwind again #NorthwindAir")


def test_only_exclusions_keep_the_default_terms() -> None:
    terms = parse_terms("-Northwind Airlines", "Northwind Bank", ["@NorthwindBank"])
    assert terms.query_strings() == ["@NorthwindBank", '"Northwind Bank"']
    assert terms.matches("Northwind Bank rocks")
    assert not terms.matches("Northwind Bank and Northwind Airlines merge")


def test_diacritics_and_case_do_not_matter() -> None:
    terms = parse_terms("Société Générale", "Société Générale", [])
    assert terms.matches("societe generale ferme des agences")
    assert terms.matches("SOCIÉTÉ GÉNÉRALE")


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("bank", "a common word"),
        ("Bank", "a common word"),
        ("#bank", "a common word"),
        ("verzekering", "a common word"),
        ("Versicherung", "a common word"),
        ("assurance", "a common word"),
        ("-the", "a common word"),
        ("AB", "fewer than 3 letters"),
        ("#ab", "fewer than 3 letters"),
        ("Northwind Bank; de", "fewer than 3 letters"),
        ("#", "empty term"),
        ("#north wind", "no spaces"),
    ],
)
def test_broad_terms_refused(spec: str, reason: str) -> None:
    with pytest.raises(TermError) as error:
        parse_terms(spec, "Northwind Bank", [])
    assert reason in error.value.reason
    assert error.value.term in spec


def test_broad_name_refused_without_spec() -> None:
    with pytest.raises(TermError) as error:
        parse_terms(None, "Direct", ["@direct_nl"])
    assert error.value.term == "Direct"


def test_handles_are_never_too_broad() -> None:
    assert parse_terms("@ab; @bank", "Northwind Bank", []).matches("thanks @bank")


def test_phrase_of_common_words_is_allowed() -> None:
    # only a single common word is refused; "First National" as a phrase is specific enough
    assert parse_terms("First National", "First National", []).matches("First National closes a branch")


def test_query_strings_and_hashtags() -> None:
    terms = parse_terms(
        '"Northwind Bank"; #northwind; #NorthwindCares; @NorthwindBank; -Northwind Air', "x", []
    )
    assert terms.query_strings() == ['"Northwind Bank"', "#northwind", "#NorthwindCares", "@NorthwindBank"]
    assert terms.hashtags() == ["northwind", "NorthwindCares"]
