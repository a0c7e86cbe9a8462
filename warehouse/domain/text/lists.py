"""Keyword and phrase lists (themes, bait, empty replies) from lists.toml, extended by a user's file."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .normalize import clean, fold

LISTS = Path(__file__).parent / "lists.toml"
LANGUAGES = ("nl", "en", "de", "fr")
THEMES = ("outage", "fees", "fraud", "service", "loans", "payments", "sustainability", "closures")
# The lists besides themes; each is {language: [phrases]}.
PHRASE_LISTS = ("bait", "empty_replies", "greetings")
# is_empty_reply: at most this many words of other content beside the listed phrases.
EMPTY_REPLY_MAX_OTHER_WORDS = 4
# A reply longer than this says something, whatever phrases it holds.
EMPTY_REPLY_MAX_WORDS = 30

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_QUESTION = re.compile(r"[^\W_][^.!?]*\?")  # words, then "?" in the same sentence
_INITIALS = re.compile(r"(?:\^|/|~)\s?[A-Za-z]{1,3}\b")  # webcare signatures: ^JD, /AB, ~kim


class ListsError(ValueError):
    """A lists file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class TextLists:
    """The lists: themes[theme][language] and phrases[list][language], each a tuple of entries."""

    themes: dict[str, dict[str, tuple[str, ...]]]
    phrases: dict[str, dict[str, tuple[str, ...]]]
    _patterns: dict[tuple[str, str, str], re.Pattern[str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def pattern(self, kind: str, name: str, language: str | None) -> re.Pattern[str] | None:
        """The compiled matcher of one list (kind "themes" or "phrases") for a language, or for all
        languages with language None; None where the list has no entries."""
        key = (kind, name, language or "*")
        if key not in self._patterns:
            table = self.themes if kind == "themes" else self.phrases
            by_language = table.get(name, {})
            languages = list(by_language) if language is None else [language, "en"]
            entries = sorted(
                {e for lang in languages for e in by_language.get(lang, ())}, key=len, reverse=True
            )
            self._patterns[key] = _compile(entries)  # type: ignore[assignment]
        return self._patterns[key]

    def searcher(self, kind: str, name: str, language: str | None) -> re.Pattern[str] | None:
        """A matcher that finds a match wherever pattern() does, for search() only: the same entries
        with their common beginnings written once (a trie), which Python's regex engine tries once at
        each position rather than once an entry (the eight themes' lists: ~10x less time a text).
        Which entry matches first may differ, so sub() keeps using pattern()."""
        key = ("search:" + kind, name, language or "*")
        if key not in self._patterns:
            table = self.themes if kind == "themes" else self.phrases
            by_language = table.get(name, {})
            languages = list(by_language) if language is None else [language, "en"]
            entries = sorted({e for lang in languages for e in by_language.get(lang, ())})
            self._patterns[key] = _compile_trie(entries)  # type: ignore[assignment]
        return self._patterns[key]


def _entry_regex(entry: str) -> str:
    prefix = entry.endswith("*")
    words = fold(entry.rstrip("*")).split()
    body = r"\s+".join(re.escape(w) for w in words)
    # Whole words: no letter or digit right before, and none after unless the entry is a prefix.
    # An entry that starts or ends in a symbol (an emoji) needs no boundary on that side.
    before = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    after = r"\w*" if prefix else (r"(?!\w)" if re.search(r"\w$", words[-1]) else "")
    return before + body + after


def _compile(entries: list[str]) -> re.Pattern[str] | None:
    entries = [e for e in entries if e.strip("* ")]
    if not entries:
        return None
    return re.compile("|".join(_entry_regex(e) for e in entries))


_TrieNode = dict[str | None, Any]  # unit -> child; None -> what must follow where an entry ends


def _compile_trie(entries: list[str]) -> re.Pattern[str] | None:
    """The alternation _compile(entries) writes, as a trie of escaped characters and word gaps (\\s+)
    per side of the word boundary: entries that start with a word character after one (?<!\\w),
    the others without. Where an entry ends with nothing required after it (a prefix entry, or one
    ending in a symbol), any longer entry through that point adds nothing to whether there is a match."""
    entries = [e for e in entries if e.strip("* ")]
    if not entries:
        return None
    word_start: _TrieNode = {}
    other_start: _TrieNode = {}
    for entry in entries:
        prefix = entry.endswith("*")
        words = fold(entry.rstrip("*")).split()
        node = word_start if re.match(r"\w", words[0]) else other_start
        for i, word in enumerate(words):
            for unit in ([r"\s+"] if i else []) + [re.escape(ch) for ch in word]:
                node = node.setdefault(unit, {})
        after = "" if prefix else (r"(?!\w)" if re.search(r"\w$", words[-1]) else "")
        node.setdefault(None, set()).add(after)
    sides = []
    if word_start:
        sides.append(r"(?<!\w)(?:" + _trie_regex(word_start) + ")")
    if other_start:
        sides.append(_trie_regex(other_start))
    return re.compile("|".join(sides))


def _trie_regex(node: _TrieNode) -> str:
    ends = node.get(None, set())
    if "" in ends:  # an entry ends here and needs nothing after it: a match, whatever follows
        return ""
    alternatives = [unit + _trie_regex(child) for unit, child in node.items() if unit is not None]
    if ends:
        alternatives.append(r"(?!\w)")
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def _check_shape(data: dict[str, Any], source: Path) -> None:
    for key, value in data.items():
        if key == "themes":
            if not isinstance(value, dict):
                raise ListsError(f"{source}: [themes] must be a table of themes")
            for theme, by_language in value.items():
                if theme not in THEMES:
                    raise ListsError(f"{source}: themes.{theme}: unknown theme; known: {', '.join(THEMES)}")
                _check_languages(by_language, f"themes.{theme}", source)
        elif key in PHRASE_LISTS:
            _check_languages(value, key, source)
        else:
            known = ", ".join(("themes", *PHRASE_LISTS))
            raise ListsError(f"{source}: {key}: unknown list; known: {known}")


def _check_languages(by_language: Any, where: str, source: Path) -> None:
    if not isinstance(by_language, dict):
        raise ListsError(f'{source}: {where}: must be a table of languages, e.g. nl = ["..."]')
    for language, entries in by_language.items():
        if not (isinstance(language, str) and re.fullmatch(r"[a-z]{2,3}", language)):
            raise ListsError(f"{source}: {where}.{language}: not a language code (two or three letters)")
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise ListsError(f"{source}: {where}.{language}: must be a list of strings")
        for entry in entries:
            if not entry.strip("* "):
                raise ListsError(f"{source}: {where}.{language}: empty entry {entry!r}")


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ListsError(f"{path}: not valid TOML: {e}") from e
    except OSError as e:
        raise ListsError(f"{path}: cannot read: {e.strerror or e}") from e
    _check_shape(data, path)
    return data


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> TextLists:
    themes = {t: {lang: tuple(v) for lang, v in base.get("themes", {}).get(t, {}).items()} for t in THEMES}
    for theme, by_language in extra.get("themes", {}).items():
        for language, entries in by_language.items():
            themes[theme][language] = tuple(dict.fromkeys((*themes[theme].get(language, ()), *entries)))
    phrases = {n: {lang: tuple(v) for lang, v in base.get(n, {}).items()} for n in PHRASE_LISTS}
    for name in PHRASE_LISTS:
        for language, entries in extra.get(name, {}).items():
            phrases[name][language] = tuple(dict.fromkeys((*phrases[name].get(language, ()), *entries)))
    return TextLists(themes=themes, phrases=phrases)


@cache
def default_lists() -> TextLists:
    """The shipped lists."""
    return _merge(_read(LISTS), {})


def load_lists(extra: Path | None = None) -> TextLists:
    """The shipped lists, with the entries of a user's file of the same shape added (never removed).
    A missing or malformed user file raises ListsError naming the file and the key."""
    if extra is None:
        return default_lists()
    return _merge(_read(LISTS), _read(Path(extra)))


def themes(text: object, language: str | None = None, lists: TextLists | None = None) -> tuple[str, ...]:
    """The themes a post is about, in THEMES order (none, one or several). Entries match as whole words
    (or word prefixes where they end in "*") in the folded text. With language None every language's
    list is searched, so a post whose language is unknown or mixed still finds its themes; with a
    language, that language's list and the English one (English banking words are borrowed widely)."""
    folded = fold(clean(text))
    if not folded:
        return ()
    lists = lists or default_lists()
    found = []
    for theme in THEMES:
        pattern = lists.searcher("themes", theme, language)
        if pattern is not None and pattern.search(folded):
            found.append(theme)
    return tuple(found)


def is_bait(text: object, lists: TextLists | None = None) -> bool:
    """Whether an institution's own post asks for comments, tags, likes or shares for their own sake:
    it holds a phrase of the bait list (any language)."""
    pattern = (lists or default_lists()).searcher("phrases", "bait", None)
    return bool(pattern and pattern.search(fold(clean(text))))


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_empty_reply(text: object, lists: TextLists | None = None) -> bool:
    """Whether an institution's reply says nothing: it holds a phrase of the empty_replies list, is at
    most EMPTY_REPLY_MAX_WORDS words long, and once those phrases, greetings and sign-offs, handles,
    links, hashtags, emoji and initials ("^JD") are taken out, at most EMPTY_REPLY_MAX_OTHER_WORDS
    words are left, none of them a question: a question back to the customer ("which app version?")
    engages, however short."""
    lists = lists or default_lists()
    empty = lists.pattern("phrases", "empty_replies", None)
    if empty is None or not isinstance(text, str):
        return False
    cleaned = _INITIALS.sub(" ", clean(text))
    folded = fold(cleaned)
    if not empty.search(folded) or len(_words(folded)) > EMPTY_REPLY_MAX_WORDS:
        return False
    rest = empty.sub(" ", folded)
    greetings = lists.pattern("phrases", "greetings", None)
    if greetings is not None:
        rest = greetings.sub(" ", rest)
    if _QUESTION.search(rest):  # a question back to the customer ("which app version?") engages
        return False
    return len(_words(rest)) <= EMPTY_REPLY_MAX_OTHER_WORDS
