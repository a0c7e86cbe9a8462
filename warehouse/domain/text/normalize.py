"""Cleaning of untrusted post text before any classifier reads it: cap, HTML, invisible characters, links."""

from __future__ import annotations

import html
import re
import unicodedata

# A post is short; a megabyte of text is a mistake or an attack. Only the first MAX_CHARS
# characters (after HTML is stripped) are analysed; the raw input is cut at RAW_CAP first so a
# huge HTML blob costs no more than a few regex passes over 20,000 characters.
MAX_CHARS = 5_000
RAW_CAP = 4 * MAX_CHARS

_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>]{0,1000}>")
_BREAK_TAG = re.compile(r"<\s*(br|/p|/div|/li)\b[^>]*>", re.IGNORECASE)
# Inline tags go without a space: Mastodon writes a hashtag as #<span>northwind</span> inside a
# link, and a mention as @<span>user</span>; a space there would break the word.
_INLINE_TAG = re.compile(
    r"<\s*/?\s*(a|span|b|i|em|strong|u|s|code|mark|small)\b[^<>]{0,1000}>", re.IGNORECASE
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# @user, @user@instance (Mastodon), @user.bsky.social; not an e-mail address (a word before @).
_HANDLE = re.compile(r"(?<![\w@])@[\w.-]+(?:@[\w.-]+)?")
_SPACE = re.compile(r"\s+")


def drop_invisible(text: str) -> str:
    """Text without format characters and variation selectors."""
    # Format characters (Cf): zero-width spaces and joiners, right-to-left and other direction
    # marks and overrides, soft hyphens, BOM. Variation selectors (Mn) go too: they only pick an
    # emoji's look. An emoji built with zero-width joiners falls apart into its emoji, which
    # keeps their tone.
    if text.isascii():
        return text
    return "".join(ch for ch in text if not (unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f"))


def strip_html(text: str) -> str:
    """Text without tags, scripts and styles, with entities decoded."""
    if "<" in text:
        text = _SCRIPT_STYLE.sub(" ", text)
        text = _BREAK_TAG.sub("\n", text)
        text = _INLINE_TAG.sub("", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def clean(text: object) -> str:
    """Post text as the classifiers read it: at most MAX_CHARS characters, HTML stripped, NFKC,
    no invisible characters, links and @handles removed, '#' dropped from hashtags, single spaces.
    Anything that is not a string (None, a number) is empty text."""
    if not isinstance(text, str) or not text:
        return ""
    text = strip_html(text[:RAW_CAP])[:MAX_CHARS]
    text = unicodedata.normalize("NFKC", text)
    text = drop_invisible(text)
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = text.replace("#", " ")
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Text for matching lists and terms: case-folded, diacritics removed ("Störung" -> "storung")."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
