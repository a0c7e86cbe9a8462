"""Conversation: what people say about the institutions: share of voice, tone, themes and storms."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, data, defaults, ui
from warehouse.domain.metrics import MENTION_THEMES, METRICS

SPAN_DAYS = defaults.CONVERSATION_DAYS
NO_SEARCH = (
    "No mention search has run yet. `finsocial collect` searches the platforms for posts that name "
    "each institution where a source is on: Bluesky with FINSOCIAL_BLUESKY_IDENTIFIER and "
    "FINSOCIAL_BLUESKY_APP_PASSWORD, Mastodon with FINSOCIAL_MASTODON_INSTANCES, X with "
    "FINSOCIAL_X_MENTIONS=1. Without credentials a source is off."
)

wh = ui.page(
    "Conversation",
    "What people say about the institutions: posts by others that name an institution by its "
    "search terms, over the 28 days to each day. Share of voice is an institution's part of the "
    "mentions of the institutions you select; tone is negative, neutral or positive (offline "
    "lexicons; none where the language has none); a storm is a day whose mentions jump.",
    needs="counts",
)
names = data.institution_names()
last = data.latest_mention_day()
if last is None:
    ui.explain(NO_SEARCH, icon=":material/forum:")
    ui.footer(wh)
    st.stop()

with st.container(border=True):
    c = st.columns([1, 1, 1, 1, 1])
    platform = c[0].selectbox(
        "Platform", ["all", *wh.options["platforms"]], key="cv_platform", format_func=ui.platform_name
    )
    as_of = c[1].date_input("As of", value=last, max_value=last, key="cv_as_of", format="YYYY-MM-DD")
    country, kind, group = ui.population_filters(c[2:], wh.options, "cv")
    # a saved peer set: share of voice among the set's institutions, their storms
    peer_set = ui.peer_set_picker(st.columns([3, 2])[0], "cv_peers", names)

chosen = data.selection(country, kind, group, ui.members(peer_set))
start = as_of - dt.timedelta(days=SPAN_DAYS - 1)
history = data.mention_history(platform, chosen, start, as_of)
today = history[history["day"] == pd.Timestamp(as_of)] if not history.empty else history
if today.empty:
    ui.explain(
        f"No mention search covered {as_of.isoformat()} on {ui.platform_name(platform)} for this "
        f"selection (the last searched day is {as_of.isoformat() if last == as_of else last.isoformat()}). "
        "Try another platform or day, or clear a filter."
    )
    ui.footer(wh)
    st.stop()
storms = data.storms(start, as_of, platform, country, kind, group, institutions=ui.members(peer_set))

k = st.columns(4)
total = int(today["mentions"].sum())
toned = today.dropna(subset=["negative_share"])
weights = toned["toned"].sum()
k[0].metric("Mentions, 28 days", f"{total:,}", border=True)
k[1].metric(
    "Negative",
    f"{(toned['negative_share'] * toned['toned']).sum() / weights:.1f}%" if weights else ui.MISSING,
    help="Of the selection's mentions with a tone.",
    border=True,
)
# the loudest's mentions as the card's number and its name on the line under it, as the league's
# leader: a name in the number's size did not fit a quarter of the page (281 px in 236 at 1280 px)
loudest = today.sort_values("mentions", ascending=False).iloc[0]
loudest_name, full_name = ui.card_text(str(loudest["name"]))
k[2].metric(
    "Loudest",
    f"{int(loudest['mentions']):,}" if total else ui.MISSING,
    ui.plain(loudest_name) if total else None,
    help=full_name,
    delta_color="off",
    delta_arrow="off",
    border=True,
)
k[3].metric(f"Storms, {SPAN_DAYS} days", f"{len(storms):,}", border=True)

me = ui.highlight_picker(st.columns([1, 3])[0], names, "cv_highlight")
where = f"{ui.platform_name(platform)} · 28 days to {as_of.isoformat()}" + ui.peer_set_part(peer_set)
slug = f"finsocial-conversation-{platform}-{as_of.isoformat()}"
st.subheader(f"Share of voice · {where}")
ui.chart(
    ui.figure(charts.share_of_voice_area, history, storms, me),
    "cv_voice",
    f"Share of voice · {where}",
    f"{slug}-voice",
    wh,
)
st.caption(
    "Each institution's share of the mentions of every institution in this selection over the 28 "
    "days to each day, so it follows the filters above. Dotted lines: storm days."
)

left, right = st.columns([1.3, 1])
with left:
    st.subheader("Tone")
    ui.chart(
        ui.figure(charts.tone_lines, history, storms),
        "cv_tone",
        f"Tone of mentions · {where}",
        f"{slug}-tone",
        wh,
    )
    st.caption(
        "Negative and positive shares of the selection's mentions that have a tone (mentions in a "
        "language without a lexicon have none), over 28-day windows."
    )
with right:
    st.subheader("Themes")
    themes = data.mention_themes(platform, chosen, as_of)
    ui.chart(
        ui.figure(charts.theme_bars, themes, MENTION_THEMES),
        "cv_themes",
        f"Themes of mentions · {where}",
        f"{slug}-themes",
        wh,
    )
    st.caption("Each theme's share of the selection's mentions; a mention can have several themes.")

st.subheader("Storms")
if storms.empty:
    st.caption(
        f"No storm in the {SPAN_DAYS} days to {as_of.isoformat()}: no day with mentions at least 3× "
        "the institution's median day of the 28 before and at least 20 (nor its negative share "
        "likewise). `finsocial storms` lists them with other thresholds."
    )
else:
    ui.table(
        pd.DataFrame(
            {
                "Day": storms["day"].map(ui.iso),
                "Institution": storms["name"],
                "Mentions": storms["mentions"].map(lambda v: f"{int(v):,}"),
                "Usual day": storms["baseline_median"].map(
                    lambda v: ui.missing_text(None if pd.isna(v) else f"{v:g}")
                ),
                "Negative": storms["negative_share"].map(lambda v: ui.value_text("negative_share", v)),
                "Usually": storms["baseline_negative_share"].map(
                    lambda v: ui.value_text("negative_share", v)
                ),
                "Top theme": storms["top_theme"].map(lambda v: MENTION_THEMES.get(v, ui.MISSING)),
                "Jumped": storms["jumped"],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=ui.MISSING,
    )

# drawn only when opened: a closed expander's table is otherwise sent and drawn on every visit
everyone = st.expander("Every institution", key="cv_everyone", on_change="rerun")
if everyone.open:
    with everyone:
        shown = today.sort_values(["mentions", "name"], ascending=[False, True])
        columns = ["mention_authors", "share_of_voice", "negative_share", "positive_share", "net_tone"]
        ui.table(
            pd.DataFrame(
                {
                    "Institution": shown["name"],
                    "Mentions": shown["mentions"].map(lambda v: ui.value_text("mentions", v)),
                    **ui.value_columns(shown, {m: METRICS[m].label for m in columns}),
                }
            ),
            hide_index=True,
            width="stretch",
            placeholder=ui.MISSING,
        )
        st.caption(
            "Only institutions whose search ran that day are listed. A dash: no mention with a tone. "
            "`finsocial top --metric share_of_voice` ranks them from the command line."
        )
ui.footer(wh)
