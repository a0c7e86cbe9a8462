"""Tables sized to their text: columns as wide as their widest cell or header over every row, and a
post's text shortened on purpose to the room it has. The browser test (tests/e2e/cut_text.py)
measures the same in Chromium on every page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.textwidth import PADDING_PX, WIDTHS, column_px, shortened, text_px

TEXT = "Demo post from a fictional institution (instagram)."


def test_a_text_is_as_wide_as_its_characters():
    assert WIDTHS["i"] == 3.45 and WIDTHS["W"] == 11.01  # measured at 14 px Source Sans, rounded up
    assert text_px("iii") == 3 * 3.45
    # both paddings and a pixel to spare, whole px: 10.35 + 16 + 1 -> 28 (27.35 up)
    assert column_px(["iii", "i"]) == 28
    # a character the table lacks counts as wider than any in it
    assert text_px("🙂") > max(WIDTHS.values())
    # a cell shows its first line only
    assert text_px("iii\nWWWWWW") == text_px("iii")


def test_a_long_text_ends_with_an_ellipsis_at_the_last_word_that_fits():
    short = shortened(TEXT, 200)
    assert short == "Demo post from a fictional…"
    assert text_px(short) <= 200
    # it fits whole: unchanged, but its line breaks read as spaces, as a cell shows them
    assert shortened(TEXT, 300) == TEXT
    assert shortened("two\n\nlines", 300) == "two lines"
    # one word longer than the room is cut inside it
    assert shortened("Supercalifragilistic", 60) == "Superc…"
    # no dangling comma before the ellipsis
    assert shortened("Rates, savings and loans", 75) == "Rates…"


def test_every_column_is_as_wide_as_its_widest_cell_in_any_row():
    # Streamlit sizes a column by its first rows: a wide name in row 48 was cut (the practices
    # scorecard at 1280 px); a header longer than its cells was cut too ("Comments removed")
    names = ["Ab Bank"] * 47 + ["Quormere Card Services"]
    frame = pd.DataFrame(
        {
            "Institution": names,
            "Comments removed": ["0%"] * 48,
            "Rank": range(1, 49),
            "Share": [0.5] * 48,
            "Link": ["https://example.org/1"] * 48,
            "Hidden": ["x"] * 48,
            "Note": ["a note"] * 48,
        }
    )
    config = ui.fitted(
        frame,
        {
            "Link": st.column_config.LinkColumn("Link", display_text="open ↗"),
            "Hidden": None,
            "Note": st.column_config.TextColumn("Note", width=300, help="why"),
        },
    )
    assert config["Institution"]["width"] == column_px(["Quormere Card Services"])
    assert config["Institution"]["width"] >= text_px("Quormere Card Services") + 2 * PADDING_PX
    assert config["Comments removed"]["width"] == column_px(["Comments removed"])
    assert config["Rank"]["width"] == column_px(["Rank", "48"])
    # the link column shows its display text, not the address
    assert config["Link"]["width"] == column_px(["Link", "open ↗"])
    assert config["Link"]["type_config"]["display_text"] == "open ↗"
    # floats are formatted by Streamlit, which sizes them; a width given stands; hidden stays hidden
    assert "Share" not in config
    assert config["Note"]["width"] == 300 and config["Note"]["help"] == "why"
    assert config["Hidden"] is None
