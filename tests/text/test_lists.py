"""Themes, bait and empty replies, and the user's extension of their lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.domain.text import ListsError, is_bait, is_empty_reply, load_lists, themes
from warehouse.domain.text.normalize import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Alweer een storing bij het inloggen, de app ligt eruit", ("outage",)),  # nl
        ("Hidden fees again, and a rate hike on my savings", ("fees",)),  # en
        ("Betrug mit gefälschten SMS im Namen der Bank", ("fraud",)),  # de
        ("La fermeture de notre agence est une mauvaise nouvelle", ("closures",)),  # fr
        ("Mijn hypotheek is eindelijk rond", ("loans",)),
        ("Contactless payment declined at the shop", ("payments",)),
        ("Die Bank finanziert keine Kohle mehr, gut fürs Klima", ("sustainability",)),
        ("Service client injoignable depuis lundi", ("service",)),
    ],
)
def test_one_theme_per_language(text: str, expected: tuple[str, ...]) -> None:
    assert themes(text) == expected


def test_several_themes_in_list_order() -> None:
    text = "Outage again, then hidden fees, and customer service kept me on hold"
    assert themes(text) == ("outage", "fees", "service")


def test_no_theme() -> None:
    assert themes("Lovely weather today") == ()
    assert themes(None) == ()
    assert themes("") == ()


def test_whole_words_and_prefixes() -> None:
    assert themes("Thanks for the feedback") == ()  # "fee" is a whole word, not the start of "feedback"
    assert themes("I got a fee") == ("fees",)
    assert themes("Storingen in het hele land") == ("outage",)  # "storing*" is a prefix entry
    assert themes("Fraudulent emails everywhere") == ("fraud",)  # "fraud*"
    assert themes("Apparently it's fine") == ()


def test_case_and_diacritics_do_not_matter() -> None:
    assert themes("STÖRUNG beim Login") == ("outage",)
    assert themes("storung beim login") == ("outage",)


def test_language_narrows_to_that_list_and_english() -> None:
    assert themes("Betrug am Telefon") == ("fraud",)
    assert themes("Betrug am Telefon", language="de") == ("fraud",)
    assert themes("Betrug am Telefon", language="nl") == ()  # German word, Dutch and English lists only
    assert themes("Phishing via een nepmail", language="nl") == ("fraud",)


def test_links_and_handles_are_not_read() -> None:
    assert themes("@fraudwatch see https://example.org/outage-fees") == ()


def test_user_file_adds_entries(tmp_path: Path) -> None:
    extra = tmp_path / "text_lists.toml"
    extra.write_text(
        '[themes.fees]\nnl = ["woekerrente"]\n\n[bait]\nen = ["smash the bell"]\n', encoding="utf-8"
    )
    lists = load_lists(extra)
    assert themes("Wat een woekerrente") == ()
    assert themes("Wat een woekerrente", lists=lists) == ("fees",)
    assert themes("Storing", lists=lists) == ("outage",)  # the shipped entries stay
    assert not is_bait("Smash the bell for more tips")
    assert is_bait("Smash the bell for more tips", lists=lists)
    assert load_lists(None) is load_lists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[themes.feez]\nnl = ["x"]\n', "themes.feez: unknown theme"),
        ('[themes.fees]\nnl = "woekerrente"\n', "themes.fees.nl: must be a list of strings"),
        ("[themes.fees]\nnl = [1, 2]\n", "themes.fees.nl: must be a list of strings"),
        ('[themes.fees]\ndutch = ["x"]\n', "themes.fees.dutch: not a language code"),
        ('[baits]\nen = ["x"]\n', "baits: unknown list"),
        ('[bait]\nen = [" * "]\n', "bait.en: empty entry"),
        ("[themes.fees\n", "not valid TOML"),
    ],
)
def test_bad_user_file_names_file_and_key(tmp_path: Path, content: str, message: str) -> None:
    extra = tmp_path / "text_lists.toml"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(ListsError) as error:
        load_lists(extra)
    assert str(extra) in str(error.value)
    assert message in str(error.value)


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(ListsError, match="cannot read"):
        load_lists(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "text",
    [
        "Wat is jouw spaardoel voor 2027? Laat het ons weten!",
        "Tag iemand die dit moet zien 👇",
        "Reageer hieronder en maak kans op een etentje",
        "What's your money resolution? Let us know below!",
        "Tag a friend who always forgets their PIN 😂",
        "Like if you agree: Mondays need more coffee",
        "Drop a 👇 if you saved this month",
        "Sag uns in den Kommentaren, wofür ihr spart!",
        "Dites-le nous en commentaire !",
    ],
)
def test_bait(text: str) -> None:
    assert is_bait(text)


@pytest.mark.parametrize(
    "text",
    [
        "Onze kantoren zijn op 2e kerstdag gesloten.",
        "Laat je hypotheek vóór 1 juli oversluiten: de rente gaat omhoog.",
        "Our app will be unavailable tonight between 1am and 3am for maintenance.",
        "Let us know if you need help with the new card reader: call 0800 123.",  # help offer, not bait
        "",
        None,
    ],
)
def test_not_bait(text: str | None) -> None:
    assert not is_bait(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hoi Sanne, bedankt voor je bericht! We kijken ernaar. ^JD",
        "Wat vervelend! Stuur ons een DM, dan kijken we met je mee. Groet, Kim",
        "@klant123 Dank voor je reactie 😊",
        "Hi Tom, thanks for reaching out! Please DM us. ^AB",
        "Sorry to hear that 😔 Please send us a DM and we'll be in touch.",
        "@jane Thanks for your feedback!",
        "Thanks for your message! Can you DM us?",  # the listed request is no question back
        "Wat vervelend, kun je ons een DM sturen?",
    ],
)
def test_empty_reply(text: str) -> None:
    assert is_empty_reply(text)


@pytest.mark.parametrize(
    "text",
    [
        # a listed phrase, but the reply says something
        "Bedankt voor je bericht. De storing is om 14:00 verholpen; betalingen worden vanavond alsnog verwerkt.",
        "Stuur ons een DM met de datum en het bedrag van de betaling, dan zetten we het geld vandaag terug.",
        "Sorry to hear that. The outage was fixed at 2pm and all payments have now been processed.",
        "Thanks for your message: your new card was posted on Monday and should arrive by Thursday.",
        # a question back engages, however short
        "Sorry to hear that! Which app version?",
        "Vervelend om te horen. Welk toestel?",
        # no listed phrase at all
        "Je kunt je limiet zelf aanpassen in de app onder Instellingen.",
        "Thanks",
        "",
        None,
    ],
)
def test_not_empty_reply(text: str | None) -> None:
    assert not is_empty_reply(text)


def test_searcher_finds_a_match_wherever_the_pattern_does() -> None:
    """themes() and is_bait() search with the lists' trie (searcher); it must agree with the plain
    alternation (pattern) on every list and language: each entry alone, inside words, beside
    symbols and with wide spacing, and the labelled texts."""
    lists = load_lists()
    folded = [fold(r["text"]) for r in _labelled_rows()]
    for kind, table in (("themes", lists.themes), ("phrases", lists.phrases)):
        for name, by_language in table.items():
            entries = {e.rstrip("*") for values in by_language.values() for e in values}
            texts = folded + [fold(f"{a}{e.replace(' ', '   ')}{b}") for e in entries for a, b in _CONTEXTS]
            for language in (None, "nl", "de", "xx"):
                plain, trie = lists.pattern(kind, name, language), lists.searcher(kind, name, language)
                found = [bool(plain and plain.search(t)) for t in texts]
                assert [bool(trie and trie.search(t)) for t in texts] == found, (kind, name, language)
                assert any(found), (kind, name, language)


_CONTEXTS = [("", ""), ("x", ""), ("", "x"), ("a ", "s"), ("é", "-"), ("👇", " 1"), ("the ", "!")]


def _labelled_rows() -> list[dict[str, str]]:
    import csv

    with (Path(__file__).parent / "labelled_tone.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
