"""How wide a text is drawn in the dashboard's tables, to size their columns in pixels.

st.dataframe draws on a canvas (glide-data-grid) in the theme's font, Source Sans at 14 px, and
cuts whatever is wider than its column. Streamlit sizes a column by its first rows only and leaves
out a cell twice as wide as the others, so a later or longer cell was cut. The widths below are
each character's advance in that font, measured in Chromium (canvas measureText, as the grid
measures; tests/e2e/cut_text.py checks every page's tables the same way), rounded up; a text's
width is their sum, which is never less than the drawn width (kerning only narrows). A character
not in the table counts as wider than any in it (an emoji, a script the font does not cover).
"""

from __future__ import annotations

from collections.abc import Iterable

# px at 14 px Source Sans: every character of ASCII, Latin-1 and Latin Extended-A, and the symbols
# the dashboard writes (·, –, ×, ⚠, ↗, …, −)
_BY_WIDTH = {
    0.0: "\u00ad",
    2.8: " \u00a0",
    3.38: "|¦",
    3.45: "iìíîïĩīĭį",
    3.46: "jıĵ",
    3.49: "',.:;·‘’",
    3.57: "lĺļ",
    3.69: "IÌÍÎÏĨĪĬĮİ",
    3.71: "ľ",
    3.8: "ſ",
    4.05: "!¡",
    4.09: "f",
    4.18: "ł",
    4.25: "()[]{}",
    4.26: "•",
    4.36: "-",
    4.64: "°",
    4.74: "tţťŧ",
    4.83: "ª",
    4.86: "rŕŗř",
    4.9: "/\\",
    5.07: "ŀ",
    5.11: "º",
    5.14: "²³¹",
    5.86: "*",
    5.87: "sśŝşš",
    5.93: "®",
    5.95: "?z¿źżž",
    5.97: '"“”',
    6.01: "«»",
    6.25: "x",
    6.39: "cçćĉċč",
    6.54: "vyýÿŷ",
    6.67: "YÝŶŸ",
    6.71: "J",
    6.72: "Ĵ–",
    6.81: "LĹĻĽĿ",
    6.91: "ĳ",
    6.92: "F",
    6.93: "kķĸ",
    6.95: "eèéêëēĕėęě",
    6.96: "#$+0123456789<=>^~¢£¤¥§¬±×÷€−≤≥",
    7.0: "_Ł",
    7.06: "agàáâãäåāăąĝğġģ",
    7.19: "X",
    7.21: "V",
    7.37: "Ĳ✗",
    7.38: "EÈÉÊËĒĔĖĘĚ",
    7.48: "SŚŜŞŠ",
    7.51: "TŢŤŦ",
    7.55: "ZŹŻŽ",
    7.59: "`o¨¯´¸òóôõöøōŏő",
    7.61: "A",
    7.62: "huÀÁÂÃÄÅðùúûüĀĂĄĥũūŭůűų",
    7.66: "nñńņňŋ",
    7.75: "b",
    7.77: "dpqþ",
    7.8: "ħ",
    7.84: "¶",
    7.87: "µđ",
    7.93: "P",
    7.97: "RŔŖŘ",
    8.0: "CÇĆĈĊČ",
    8.03: "ď",
    8.07: "ß",
    8.11: "KĶ",
    8.17: "Þ",
    8.24: "B",
    8.53: "&",
    8.57: "✓",
    8.61: "DĎ",
    8.64: "GĜĞĠĢ",
    8.67: "←↑→↓↗",
    8.89: "ĐŊ",
    8.95: "Ð",
    9.03: "UÙÚÛÜŨŪŬŮŰŲ",
    9.06: "NÑŃŅŇ",
    9.13: "HĤ",
    9.19: "✔",
    9.3: "OQÒÓÔÕÖØŌŎŐ",
    9.69: "Ħ",
    10.06: "ŵ",
    10.07: "w",
    10.18: "M",
    10.42: "©",
    10.77: "ŉ",
    10.9: "æ",
    10.94: "¼",
    11.01: "WŴ",
    11.15: "¾",
    11.2: "—",
    11.32: "½",
    11.51: "Æ",
    11.54: "%",
    11.61: "m",
    11.75: "œ",
    11.86: "@Œ",
    12.56: "⚠",
    13.28: "…",
    16.72: "‰",
}
WIDTHS = {ch: px for px, chars in _BY_WIDTH.items() for ch in chars}
UNKNOWN_PX = 18.0
# a cell's or header's padding on each side (the grid theme's cellHorizontalPadding)
PADDING_PX = 8
ELLIPSIS = "…"


def text_px(text: str) -> float:
    """The width of `text` in the tables' font, in px (its first line: a cell shows no other)."""
    return sum(WIDTHS.get(ch, UNKNOWN_PX) for ch in text.split("\n", 1)[0])


def column_px(texts: Iterable[object]) -> int:
    """The width of a column that shows each of `texts` (its cells and header) whole: the widest,
    the padding on both sides, and a pixel to spare."""
    return int(max((text_px(str(t)) for t in texts), default=0) + 2 * PADDING_PX + 1.999)


def shortened(text: str, px: float) -> str:
    """`text` whole if it fits in `px`, else its start up to the last whole word that fits with
    an ellipsis ("Demo post from a fictional…"); one word too long is cut inside. Runs of white
    space (line breaks) read as one space, as a cell shows them."""
    text = " ".join(text.split())
    if text_px(text) <= px:
        return text
    room, end = px - WIDTHS[ELLIPSIS], 0
    for ch in text:
        room -= WIDTHS.get(ch, UNKNOWN_PX)
        if room < 0:
            break
        end += 1
    head = text[:end]
    if " " in head.strip() and text[end] != " ":
        head = head[: head.rstrip().rindex(" ")]
    return head.rstrip(" ,.;:–-") + ELLIPSIS
