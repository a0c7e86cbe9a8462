"""Search terms that say when a post by someone else names an institution (mentions)."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from .normalize import MAX_CHARS, RAW_CAP, drop_invisible, fold, strip_html

COMMON_WORDS = Path(__file__).parent / "common_words.toml"
MIN_LETTERS = 3
# An all-capitals term of at most this many letters is an acronym ("ING", "KBC") and matches only in
# capitals: "ING" must not match "banking", "ing" or "Ing".
ACRONYM_MAX_LETTERS = 4
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_YOUTUBE_CHANNEL_ID = re.compile(r"UC[\w-]{22}")

Kind = Literal["phrase", "hashtag", "handle"]


class TermError(ValueError):
    """A search term that cannot be used, with the reason."""

    def __init__(self, term: str, reason: str) -> None:
        super().__init__(f"search term {term!r}: {reason}")
        self.term = term
        self.reason = reason


@cache
def common_words() -> frozenset[str]:
    """Folded common words of nl, en, de and fr (common_words.toml)."""
    with COMMON_WORDS.open("rb") as f:
        data = tomllib.load(f)
    return frozenset(fold(w) for words in data.values() for w in words.split())


@dataclass(frozen=True, slots=True)
class Term:
    """One term: kind, its text without "#"/"@", whether it only matches in capitals."""

    kind: Kind
    text: str
    exact_case: bool = False

    def regex(self) -> str:
        if self.kind == "phrase":
            words = self.text.split() if self.exact_case else fold(self.text).split()
            body = r"\s+".join(re.escape(w) for w in words)
            return rf"(?<!\w){body}(?!\w)"
        marker = "#" if self.kind == "hashtag" else "@"
        body = re.escape(fold(self.text))
        # "@bank.example." at a sentence's end is the handle; "@bank.examples" is not.
        return rf"(?<![\w{marker}]){marker}{body}(?![\w@-]|\.\w)"

    def query(self) -> str:
        if self.kind == "phrase":
            return f'"{self.text}"'
        return ("#" if self.kind == "hashtag" else "@") + self.text


def _check(term: Term, raw: str) -> None:
    if term.kind == "handle":
        return  # a handle names one account, however short or common its letters
    letters = sum(ch.isalpha() for ch in term.text)
    if letters < MIN_LETTERS:
        raise TermError(raw, f"fewer than {MIN_LETTERS} letters: it would match nearly every post")
    words = fold(term.text).split()
    if len(words) == 1 and words[0] in common_words():
        raise TermError(raw, "a common word: it would match nearly every post; use a phrase or a handle")


def _parse_one(raw: str) -> tuple[Term, bool]:
    text = unicodedata.normalize("NFKC", raw).strip()
    exclude = text.startswith("-")
    if exclude:
        text = text[1:].strip()
    text = text.strip("\"'“”‘’ ")
    if text.startswith("#"):
        term = Term("hashtag", text[1:].strip())
    elif text.startswith("@"):
        term = Term("handle", text[1:].strip())
    else:
        text = " ".join(text.split())
        letters = [ch for ch in text if ch.isalpha()]
        acronym = 0 < len(letters) <= ACRONYM_MAX_LETTERS and all(ch.isupper() for ch in letters)
        term = Term("phrase", text, exact_case=acronym)
    if not term.text:
        raise TermError(raw, "empty term")
    if term.kind != "phrase" and re.search(r"\s", term.text):
        raise TermError(raw, "a hashtag or handle has no spaces")
    _check(term, raw)
    return term, exclude


def _handle_text(handle: str) -> str | None:
    """The handle as written in a post, from a registry cell: "@NorthwindBank", "northwind.bsky.social",
    "@news@bank.example", a profile URL; None for what nobody writes in a post (a YouTube channel id)."""
    handle = handle.strip()
    if re.match(r"https?://", handle, re.IGNORECASE):
        parts = [p for p in re.sub(r"[?#].*$", "", handle).split("/")[3:] if p]
        if not parts:
            return None
        handle = parts[-1]
    handle = handle.removeprefix("@")
    if not handle or _YOUTUBE_CHANNEL_ID.fullmatch(handle):
        return None
    return handle


@dataclass(frozen=True)
class Terms:
    """The terms of one institution: a post matches when it holds an included term and no excluded one."""

    include: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()
    _compiled: dict[str, re.Pattern[str] | None] = field(default_factory=dict, repr=False, compare=False)

    def _pattern(self, which: str) -> re.Pattern[str] | None:
        if which not in self._compiled:
            side, case = which.split(":")
            terms = self.include if side == "in" else self.exclude
            chosen = [t.regex() for t in terms if t.exact_case == (case == "exact")]
            self._compiled[which] = re.compile("|".join(chosen)) if chosen else None
        return self._compiled[which]

    def _any(self, side: str, text: str, folded: str) -> bool:
        exact, loose = self._pattern(f"{side}:exact"), self._pattern(f"{side}:loose")
        return bool((exact and exact.search(text)) or (loose and loose.search(folded)))

    def matches(self, text: object) -> bool:
        """Whether a post names the institution: an included term as whole words (a phrase's words
        next to each other), none of the excluded ones. Case and diacritics do not matter ("Société"
        = "societe"), except for acronyms ("ING" only in capitals). Links are not read."""
        if not isinstance(text, str) or not text:
            return False
        text = strip_html(text[:RAW_CAP])[:MAX_CHARS]
        text = _URL.sub(" ", drop_invisible(unicodedata.normalize("NFKC", text)))
        folded = fold(text)
        return self._any("in", text, folded) and not self._any("ex", text, folded)

    def query_strings(self) -> list[str]:
        """What to send to a platform's search: phrases quoted, hashtags with "#", handles with "@".
        Exclusions are applied by matches() afterwards, since search syntaxes for them differ."""
        return list(dict.fromkeys(t.query() for t in self.include))

    def hashtags(self) -> list[str]:
        """The hashtag terms without "#", for tag timelines (Mastodon's /api/v1/timelines/tag/:hashtag)."""
        return list(dict.fromkeys(t.text for t in self.include if t.kind == "hashtag"))


def parse_terms(spec: str | None, name: str, handles: list[str]) -> Terms:
    """The search terms of an institution. spec holds terms separated by ";": a phrase ("Northwind
    Bank"), a "#hashtag", an "@handle", and "-term" to exclude one. Without a spec (or with only
    exclusions) the terms are the institution's own handles and its name as a phrase. A term that
    would match nearly every post (one common word, fewer than three letters) raises TermError."""
    include: list[Term] = []
    exclude: list[Term] = []
    for raw in (spec or "").split(";"):
        if not raw.strip():
            continue
        term, excluded = _parse_one(raw.strip())
        (exclude if excluded else include).append(term)
    if not include:
        for handle in handles:
            text = _handle_text(handle)
            if text:
                include.append(Term("handle", text))
        if name and name.strip():
            term, _ = _parse_one(name.strip().lstrip("-#@"))
            include.append(term)
    if not include:
        raise TermError(spec or name, "no term to search for")
    return Terms(include=tuple(dict.fromkeys(include)), exclude=tuple(dict.fromkeys(exclude)))
