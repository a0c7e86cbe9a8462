"""Tone: banking words, negation, emoji, languages without a lexicon, hostile input, agreement floor."""

from __future__ import annotations

import csv
import time
import tomllib
from pathlib import Path

import pytest

from warehouse.domain.text import Tone, classify, classify_many
from warehouse.domain.text.lexicons import BANKING_WORDS
from warehouse.domain.text.normalize import MAX_CHARS, clean

LABELLED = Path(__file__).parent / "labelled_tone.csv"
with BANKING_WORDS.open("rb") as _f:
    WORDS = tomllib.load(_f)

# Frames without a word of tone, long enough for the language model to be sure of the language.
FRAME = {
    "nl": "Vandaag een bericht over mijn rekening bij de bank: {}",
    "en": "Today a post about my account at the bank: {}",
}


def _expected(valence: float) -> str:
    return "positive" if valence > 0 else "negative" if valence < 0 else "neutral"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_frames_are_neutral(language: str) -> None:
    tone = classify(FRAME[language].format("gisteren." if language == "nl" else "yesterday."))
    assert tone == Tone(language, "neutral", 0.0)


@pytest.mark.parametrize(
    ("language", "word", "valence"),
    [(lang, word, valence) for lang in ("nl", "en") for word, valence in WORDS[lang].items()],
)
def test_each_banking_word_sets_the_tone_of_a_neutral_sentence(
    language: str, word: str, valence: float
) -> None:
    tone = classify(FRAME[language].format(word))
    assert tone.language == language
    assert tone.label == _expected(valence)
    assert tone.score is not None and (tone.score > 0) == (valence > 0) and (tone.score < 0) == (valence < 0)


@pytest.mark.parametrize(("emoji", "valence"), list(WORDS["emoji"].items()))
def test_each_listed_new_emoji_decides_alone(emoji: str, valence: float) -> None:
    # Alone, an emoji has no language; its listed valence is the score.
    assert classify(emoji) == Tone(None, _expected(valence), valence)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Ik vind de service van mijn bank goed", "positive"),
        ("Ik vind de service van mijn bank niet goed", "negative"),
        ("Geen goede service van de bank vandaag", "negative"),
        ("Ik ben nooit blij met de service van de bank", "negative"),
        (
            "Ik vind de service van mijn bank niet slecht",
            "positive",
        ),  # "not bad" is mildly good, as in Pattern
        ("Ik vind de service van mijn bank slecht", "negative"),
        # the negation ends at the comma: "niet" does not turn "belachelijk" around
        ("De app werkt vandaag weer niet, belachelijk!", "negative"),
    ],
)
def test_dutch_negation(text: str, label: str) -> None:
    tone = classify(text)
    assert (tone.language, tone.label) == ("nl", label)


def test_dutch_negation_halves_and_turns_the_polarity() -> None:
    # Pattern: goed = mean(0.6, 0.5) = 0.55; "niet goed" = -0.5 * 0.55
    assert classify("Ik vind de service van mijn bank goed").score == 0.55
    assert classify("Ik vind de service van mijn bank niet goed").score == -0.275


def test_dutch_intensifier_strengthens_the_next_word() -> None:
    # heel: intensity mean(1.7, 1.4, 1.7) = 1.6; 0.55 * 1.6 = 0.88
    assert classify("Ik vind de service van mijn bank heel goed").score == 0.88


def test_dutch_inflected_adjective_is_found() -> None:
    # slechte -> slecht (-0.7)
    assert classify("Wat een slechte service van mijn bank, vind ik").score == -0.7
    assert classify("Ik vind de service van mijn bank slecht").score == -0.7


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The service at my bank is good", "positive"),
        ("The service at my bank is not good", "negative"),
        ("The service at my bank is never helpful", "negative"),
        ("The app of my bank is not working today", "negative"),
    ],
)
def test_english_negation(text: str, label: str) -> None:
    tone = classify(text)
    assert (tone.language, tone.label) == ("en", label)


def test_emoji_only() -> None:
    # Emoji Sentiment Ranking, (positive - negative) / occurrences: 😡 (272 - 403) / 756; 👍 (1181 - 213) / 1854
    angry = classify("😡😡")
    assert angry.language is None and angry.label == "negative"
    assert angry.score == pytest.approx((272 - 403) / 756, abs=1e-4)
    assert classify("👍") == Tone(None, "positive", round((1181 - 213) / 1854, 4))
    # 😢 scores +0.01 in the ranking: too weak to decide, and there are no words: no label
    assert classify("😢") == Tone(None, None, None)
    # 🏦 was seen once in the ranking's tweets: not scored at all
    assert classify("🏦") == Tone(None, None, None)


def test_emoji_weigh_a_quarter_beside_words() -> None:
    words = classify("The service at my bank is good").score
    assert words is not None
    with_heart = classify("The service at my bank is good ❤")
    # ❤ = (6361 - 355) / 8050
    assert with_heart.score == pytest.approx(0.75 * words + 0.25 * (6361 - 355) / 8050, abs=1e-4)


def test_language_without_lexicon_gets_no_label() -> None:
    tone = classify("Die App der Bank funktioniert schon wieder nicht, das ist eine Katastrophe")
    assert tone == Tone("de", None, None)
    french = classify("L'application de la banque ne marche toujours pas, c'est une catastrophe")
    assert french == Tone("fr", None, None)


def test_language_without_lexicon_takes_clear_emoji() -> None:
    tone = classify("Die App der Bank funktioniert schon wieder nicht 😡")
    assert (tone.language, tone.label) == ("de", "negative")


@pytest.mark.parametrize("empty", [None, "", "   ", 42, b"bytes", "\u200b\u200d\ufeff"])
def test_empty_and_non_text(empty: object) -> None:
    assert classify(empty) == Tone(None, None, None)


def test_html_is_stripped_and_scripts_dropped() -> None:
    html = (
        "<p>Great <b>service</b> &amp; friendly staff at my bank</p><script>terrible awful horrible</script>"
    )
    assert clean(html) == "Great service & friendly staff at my bank"
    assert classify(html).label == "positive"


def test_zero_width_characters_do_not_split_words() -> None:
    assert clean("The app is d\u200bown ag\u200dain") == "The app is down again"
    assert classify("The app of my bank is d\u200bown ag\u200dain").label == "negative"


def test_right_to_left_marks_are_removed() -> None:
    text = "\u202eThe service at my bank is terrible\u202c \u200f"
    assert clean(text) == "The service at my bank is terrible"
    assert classify(text).label == "negative"
    arabic = classify(
        "\u0627\u0644\u0628\u0646\u0643 \u0645\u063a\u0644\u0642 \u0627\u0644\u064a\u0648\u0645"
    )
    assert arabic.language == "ar" and arabic.label is None


def test_urls_and_handles_carry_no_tone() -> None:
    noisy = "@terrible_bank https://awful.example/terrible-scam www.fraud.example Please check my statement"
    assert clean(noisy) == "Please check my statement"
    assert classify(noisy) == classify("Please check my statement")


def test_hashtag_words_count() -> None:
    assert clean("#fail #NorthwindBank") == "fail NorthwindBank"


def test_unicode_is_normalised() -> None:
    assert clean("ｇｒｅａｔ ｓｅｒｖｉｃｅ") == "great service"
    assert classify("Ik vind de service van mijn bank ﬁjn").label == "positive"  # the "ﬁ" ligature


def test_huge_input_is_capped_and_fast() -> None:
    huge = "The service at my bank is great. " * 100_000  # 3.3 MB
    start = time.perf_counter()
    tone = classify(huge)
    assert time.perf_counter() - start < 2.0
    assert len(clean(huge)) <= MAX_CHARS
    assert tone.label == "positive"
    assert len(clean("<b>x</b>" * 1_000_000)) <= MAX_CHARS


def test_classify_many_keeps_order_and_matches_classify() -> None:
    texts = ["Great service at my bank", None, "😡", "De app ligt er weer uit"]
    assert classify_many(texts) == [classify(t) for t in texts]
    assert classify_many(iter(texts)) == classify_many(texts)
    assert classify_many([]) == []


def test_classify_many_classifies_a_repeated_text_once_and_alike() -> None:
    texts = [
        "Great service!",
        "@bank Great service! https://x.example",
        "Great service!",
        "Slechte app 😡",
        None,
        "",
    ]
    tones = classify_many(texts)
    assert tones == [classify(t) for t in texts]
    assert tones[0] == tones[1] == tones[2] and tones[0].label == "positive"


def _labelled(path: Path = LABELLED) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_labelled_set_shape() -> None:
    rows = _labelled()
    for language in ("nl", "en"):
        mine = [r for r in rows if r["language"] == language]
        assert len(mine) >= 120
        counts = {
            label: sum(r["label"] == label for r in mine) for label in ("negative", "neutral", "positive")
        }
        assert min(counts.values()) >= 0.3 * len(mine), counts
    assert len({r["text"] for r in rows}) == len(rows)


# Agreement reached when these floors were set (python -m benchmarks.tone); a change that lowers one fails.
# labelled: nl 80.8 %, en 88.5 %; heldout (written after the rules were frozen): nl 85.0 %, en 92.5 %.
AGREEMENT_FLOOR = {
    ("labelled_tone.csv", "nl"): 0.80,
    ("labelled_tone.csv", "en"): 0.88,
    ("heldout_tone.csv", "nl"): 0.85,
    ("heldout_tone.csv", "en"): 0.92,
}


@pytest.mark.parametrize(("file", "language"), list(AGREEMENT_FLOOR))
def test_agreement_with_hand_labels_does_not_regress(file: str, language: str) -> None:
    rows = [r for r in _labelled(Path(__file__).parent / file) if r["language"] == language]
    tones = classify_many(r["text"] for r in rows)
    agreement = sum(t.label == r["label"] for t, r in zip(tones, rows, strict=True)) / len(rows)
    assert agreement >= AGREEMENT_FLOOR[(file, language)]
