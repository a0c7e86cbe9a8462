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
# within NEGATION_SPAN words into its opposite at half strength ("niet goed" = -0.275), as Pattern does.
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


# Irregular comparatives and superlatives; the regular ones are found by their suffix.
_IRREGULAR_NL = {"beter": "goed", "betere": "goed", "best": "goed", "beste": "goed", "slechter": "slecht"}
_SUFFIXES_NL = ("ste", "st", "ere", "er", "e")


_UNSEEN: tuple[float, float] = (float("nan"), float("nan"))
_FOUND_MAX = 500_000  # tokens whose lookup is remembered (a night's Dutch vocabulary fits)


def _dutch_stems(stem: str) -> list[str]:
    """Lexicon forms an inflected stem may come from: snell -> snel, trag -> traag, boz -> boos,
    liev -> lief, duurd -> duur."""
    candidates = [stem]
    if len(stem) > 2 and stem[-1] == stem[-2]:
        candidates.append(stem[:-1])
    if stem.endswith("rd"):
        candidates.append(stem[:-1])
    if stem[-1] == "z":
        stem = stem[:-1] + "s"
        candidates.append(stem)
    elif stem[-1] == "v":
        stem = stem[:-1] + "f"
        candidates.append(stem)
    if len(stem) > 2 and stem[-2] in "aeou" and stem[-3] not in "aeiou":
        candidates.append(stem[:-2] + stem[-2] + stem[-2:])
    return candidates


def _dutch_lookup(word: str, words: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    entry = words.get(word)
    if entry is not None or len(word) < 4:
        return entry
    if word in _IRREGULAR_NL:
        return words.get(_IRREGULAR_NL[word])
    # The lexicon holds the bare adjective; posts inflect it: goede, slechte, trage (traag),
    # boze (boos), lieve (lief), sneller, slechtste, duurder (duur).
    for suffix in _SUFFIXES_NL:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            for candidate in _dutch_stems(word[: -len(suffix)]):
                if (entry := words.get(candidate)) is not None:
                    return entry
    return None


def score_dutch(text: str) -> tuple[float, bool]:
    """(mean polarity in [-1, 1], whether any word had a tone), after Pattern's assessments():
    a lexicon word right before a word with a polarity modifies it (its intensity times that
    polarity: "erg goed"), a negation turns the next word with a polarity within NEGATION_SPAN words
    into -0.5 times that polarity, "!" raises the word before it by a quarter, and negations and
    modifiers end at punctuation. Words with no polarity (objective ones) are not averaged in.
    Listed phrases count as one word and modify nothing."""
    lexicon = lexicons.dutch()
    words, phrases, found = lexicon.words, lexicon.phrases, lexicon.found
    tokens = _TOKEN_NL.findall(text.lower())
    assessments: list[list[float]] = []  # [polarity, negated (1.0 or 0.0)]
    # The word before, if it can modify this one: (its intensity, index of its own assessment or -1).
    modifier: tuple[float, int] | None = None
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
            entry = found.get(token, _UNSEEN)  # type: ignore[arg-type]
            if entry is _UNSEEN:
                entry = _dutch_lookup(token, words)
                if len(found) < _FOUND_MAX:
                    found[token] = entry
        if entry is not None and entry[0] != 0.0:
            polarity, intensity = entry
            if modifier is not None and not is_phrase:
                modifier_intensity, index = modifier
                polarity = max(-1.0, min(polarity * modifier_intensity, 1.0))
                if index >= 0:
                    del assessments[index]  # "erg goed" is one assessment, as in Pattern
            assessments.append([polarity, 0.0 if negation_gap is None else 1.0])
            negation_gap = None
            modifier = None if is_phrase else (intensity, len(assessments) - 1)
        elif entry is not None:  # an objective word: no tone of its own, may modify the next word
            modifier = (entry[1], -1)
            if negation_gap is not None:
                negation_gap += 1
        elif token in NEGATIONS_NL:
            negation_gap = 0
        elif token == "!":
            if assessments:
                assessments[-1][0] = max(-1.0, min(assessments[-1][0] * 1.25, 1.0))
            negation_gap, modifier = None, None
        elif token in _CLAUSE_END:  # a negation or a modifier ends with its clause
            negation_gap, modifier = None, None
        else:
            if negation_gap is not None:
                negation_gap += 1
            if len(token) > 2:  # Pattern keeps a modifier across short words ("erg is een goed")
                modifier = None
        if negation_gap is not None and negation_gap >= NEGATION_SPAN:
            negation_gap = None
        i += 1
    if not assessments:
        return 0.0, False
    total = sum(-0.5 * p if negated else p for p, negated in assessments)
    return total / len(assessments), True


def score_english(text: str) -> tuple[float, bool]:
    """(VADER compound, whether any word had a tone), with the English banking words added.
    This is VADER's polarity_scores() without its first step, which spells emoji out as English
    words: emoji are scored apart (score_emoji) and are gone from text by now. A text with no
    lexicon word scores 0 without VADER's per-word pass (VADER would find the same)."""
    vader = lexicons.vader()
    analyzer, phrase_pattern, boosters = vader.analyzer, vader.phrases, vader.boosters
    if phrase_pattern is not None:
        text = phrase_pattern.sub(lambda m: "_".join(m.group(0).lower().split()), text)
    sentitext = vader.sentitext(text)
    words = sentitext.words_and_emoticons
    lexicon = analyzer.lexicon
    if not any(w.lower() in lexicon for w in words):
        return 0.0, False
    sentiments: list[float] = []
    for i, item in enumerate(words):
        lowered = item.lower()
        if lowered in boosters or (lowered == "kind" and i < len(words) - 1 and words[i + 1].lower() == "of"):
            sentiments.append(0)
            continue
        sentiments = analyzer.sentiment_valence(0, sentitext, item, i, sentiments)
    sentiments = analyzer._but_check(words, sentiments)
    scores = analyzer.score_valence(sentiments, text)
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
    """Tone of text already passed through normalize.clean. Words and emoji both with tone: 0.75 x
    words + 0.25 x emoji against the language's threshold; emoji alone: their mean against
    THRESHOLD_EMOJI; a lexicon language with neither: neutral, score 0."""
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
    the first call), so a night's texts cost only the per-text work; a text that cleans to one
    already classified in the call (a repost, "thanks!", links or handles apart) is not classified again."""
    lexicons.dutch()
    lexicons.vader()
    lexicons.emoji()
    language_id.load()
    seen: dict[str, Tone] = {}
    tones = []
    for text in texts:
        cleaned = clean(text)
        tone = seen.get(cleaned)
        if tone is None:
            tone = seen[cleaned] = classify_clean(cleaned)
        tones.append(tone)
    return tones
