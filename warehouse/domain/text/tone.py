"""Tone of a post: negative, neutral or positive, from shipped lexicons per language plus emoji."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import language as language_id
from . import lexicons
from .language import detect_language
from .normalize import clean

LABELS = ("negative", "neutral", "positive")
# The languages with a lexicon. Any other language gets a label from its emoji alone, or none.
LEXICON_LANGUAGES = ("en", "nl")
# VADER's authors' thresholds on the compound score.
THRESHOLD_EN = 0.05
# Pattern's own default for positive() on its mean polarity.
THRESHOLD_NL = 0.1
# Emoji deciding alone (no words with a tone, or no lexicon for the language): the mean emoji score
# must reach this. 😡 scores -0.17 and 😂 +0.22 in the ranking; 😢 (+0.01) and 😭 (-0.09) decide nothing.
THRESHOLD_EMOJI = 0.1
# Where words and emoji both carry tone, the words weigh three times as much as the emoji.
TEXT_WEIGHT = 0.75

# Dutch negations (Pattern's list plus the common rest); a negation turns the next lexicon word
# within NEGATION_SPAN words into its opposite at half strength ("niet goed" = -0.3), as Pattern does.
NEGATIONS_NL = frozenset({"niet", "geen", "nooit", "gene", "niks", "niets", "nergens", "noch", "allerminst"})
NEGATION_SPAN = 3
_TOKEN_NL = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|[!?.,;:]")
_CLAUSE_END = frozenset("?.,;:")


@dataclass(frozen=True, slots=True)
class Tone:
    """language: ISO 639 code or None; label: one of LABELS or None (no lexicon and no clear emoji);
    score in [-1, 1] or None with the label."""

    language: str | None
    label: str | None
    score: float | None


def _label(score: float, threshold: float) -> str:
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"


def _dutch_lookup(word: str, words: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    entry = words.get(word)
    if entry is not None or len(word) < 4 or not word.endswith("e"):
        return entry
    # Attributive adjectives carry an -e that the lexicon has not: goede, slechte, snelle,
    # trage (traag), boze (boos), lieve (lief).
    stem = word[:-1]
    candidates = [stem]
    if len(stem) > 2 and stem[-1] == stem[-2]:
        candidates.append(stem[:-1])
    if stem[-1] == "z":
        stem = stem[:-1] + "s"
        candidates.append(stem)
    elif stem[-1] == "v":
        stem = stem[:-1] + "f"
        candidates.append(stem)
    if len(stem) > 2 and stem[-2] in "aeou" and stem[-3] not in "aeiou":
        candidates.append(stem[:-2] + stem[-2] + stem[-2:])
    for candidate in candidates:
        if (entry := words.get(candidate)) is not None:
            return entry
    return None


def score_dutch(text: str) -> tuple[float, bool]:
    """(mean polarity in [-1, 1], whether any word had a tone), after Pattern's assessments():
    a lexicon word right before another modifies it (its intensity times the next word's polarity:
    "erg goed"), a negation turns the next lexicon word within NEGATION_SPAN words into -0.5 times
    its polarity, "!" raises the word before it by a quarter; a negation ends at punctuation. Listed phrases count as one word."""
    lexicon = lexicons.dutch()
    words, phrases = lexicon.words, lexicon.phrases
    tokens = _TOKEN_NL.findall(text.lower())
    assessments: list[list[float]] = []  # [polarity, intensity, negated (1.0 or 0.0)]
    modifier = False
    negation_gap: int | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        entry: tuple[float, float] | None = None
        is_phrase = False
        for parts, valence in phrases.get(token, ()):
            if tuple(tokens[i : i + len(parts)]) == parts:
                entry, is_phrase = (valence, 1.0), True
                i += len(parts) - 1
                break
        if entry is None and token not in NEGATIONS_NL:
            entry = _dutch_lookup(token, words)
        if entry is not None:
            polarity, intensity = entry
            if modifier and assessments and not is_phrase:
                previous = assessments[-1]
                previous[0] = max(-1.0, min(polarity * previous[1], 1.0))
                previous[1] = intensity
            else:
                assessments.append([polarity, intensity, 0.0])
            if negation_gap is not None:
                assessments[-1][2] = 1.0
            negation_gap = None
            modifier = not is_phrase
        elif token in NEGATIONS_NL:
            negation_gap = 0
        elif token == "!":
            if assessments:
                assessments[-1][0] = max(-1.0, min(assessments[-1][0] * 1.25, 1.0))
            negation_gap, modifier = None, False
        elif token in _CLAUSE_END:  # a negation or a modifier ends with its clause
            negation_gap, modifier = None, False
        else:
            if negation_gap is not None:
                negation_gap += 1
                if negation_gap >= NEGATION_SPAN:
                    negation_gap = None
            if len(token) > 2:  # Pattern keeps a modifier across short words ("erg is een goed")
                modifier = False
        i += 1
    if not assessments:
        return 0.0, False
    total = sum(-0.5 * p if negated else p for p, _, negated in assessments)
    return total / len(assessments), True


def score_english(text: str) -> tuple[float, bool]:
    """(VADER compound, whether any word had a tone), with the English banking words added."""
    analyzer, phrase_pattern = lexicons.vader()
    if phrase_pattern is not None:
        text = phrase_pattern.sub(lambda m: "_".join(m.group(0).lower().split()), text)
    scores = analyzer.polarity_scores(text)
    return float(scores["compound"]), scores["neu"] < 1.0


def score_emoji(text: str) -> tuple[float | None, str]:
    """(mean score of the emoji and emoticons found or None, text without them)."""
    table = lexicons.emoji()
    found: list[float] = []
    if not text.isascii():
        scores = table.scores
        found = [scores[ch] for ch in text if ch in scores]
        if found:
            text = "".join(" " if ch in scores else ch for ch in text)
    if any(ch in text for ch in ":;=<"):
        emoticons = table.pattern.findall(text)
        if emoticons:
            found.extend(table.emoticons[e] for e in emoticons)
            text = table.pattern.sub(" ", text)
    if not found:
        return None, text
    return sum(found) / len(found), text


_SCORERS = {"en": (score_english, THRESHOLD_EN), "nl": (score_dutch, THRESHOLD_NL)}


def classify_clean(text: str) -> Tone:
    """Tone of text already passed through normalize.clean."""
    emoji_score, words = score_emoji(text)
    language, _ = detect_language(words)
    scorer = _SCORERS.get(language or "")
    if scorer is not None:
        score_words, threshold = scorer
        score, has_tone = score_words(words)
        if emoji_score is not None:
            if has_tone:
                score = TEXT_WEIGHT * score + (1.0 - TEXT_WEIGHT) * emoji_score
            else:
                score, threshold = emoji_score, THRESHOLD_EMOJI
        return Tone(language, _label(score, threshold), round(score, 4))
    # No lexicon for the language (or no language): the emoji decide when they are clear, else no label.
    if emoji_score is not None and abs(emoji_score) >= THRESHOLD_EMOJI:
        return Tone(language, _label(emoji_score, THRESHOLD_EMOJI), round(emoji_score, 4))
    return Tone(language, None, None)


def classify(text: object) -> Tone:
    """Tone of one post or comment; text is untrusted (None, HTML, megabytes: see normalize.clean)."""
    return classify_clean(clean(text))


def classify_many(texts: Iterable[object]) -> list[Tone]:
    """Tone of each text, in order. The lexicons and the language model load once per process (on
    the first call), so a night's texts cost only the per-text work."""
    lexicons.dutch()
    lexicons.vader()
    lexicons.emoji()
    language_id.load()
    return [classify_clean(clean(text)) for text in texts]
