"""Practices: do institutions keep the no-gos of corporate social media? A scorecard per institution."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from warehouse.domain import practices

wh = ui.page(
    "Practices",
    "Do institutions keep the no-gos? Capacity to answer, answers within target, no deleted "
    "comments, no posts closed to replies, no interaction bait, no empty replies, and the tone "
    "under their posts: each measure with a documented threshold (green, amber, red). A state "
    "needs enough behind it; fewer shows the value without one.",
)
config = practices.load()

with st.container(border=True):
    c = st.columns([1, 1, 1, 1, 1, 1])
    window = c[0].radio(
        "Window", list(practices.WINDOWS), key="pr_window", horizontal=True, format_func=lambda d: f"{d} days"
    )
    platform = c[1].selectbox(
        "Platform", ["all", *wh.options["platforms"]], key="pr_platform", format_func=ui.platform_name
    )
    as_of = ui.as_of_picker(c[2], wh, "pr_as_of")
    country, kind, group = ui.population_filters(c[3:], wh.options, "pr")
    peer_set = ui.peer_set_picker(st.columns([3, 2])[0], "pr_peers")

frame = data.practices_scorecard(
    as_of, window, platform, country, kind, group, institutions=ui.members(peer_set)
)
if frame.empty or frame["posts_seen"].fillna(0).sum() == 0:
    ui.explain(
        f"No practices on {ui.platform_name(platform)} in the {window} days to {as_of.isoformat()} for "
        "this selection: they need the institutions' own posts (and their threads), which "
        "`finsocial collect` reads through the platforms' APIs; counts imports have none. Try another "
        "platform or day, or clear a filter."
    )
    ui.footer(wh)
    st.stop()

where = f"{ui.platform_name(platform)} · {window} days to {as_of.isoformat()}" + ui.peer_set_part(peer_set)
st.subheader(f"How many institutions keep each practice · {where}")
ui.chart(
    ui.figure(charts.practice_states, frame, config.measures),
    "pr_states",
    f"How many institutions keep each practice · {where}",
    f"finsocial-practices-{platform}-{window}d-{as_of.isoformat()}",
    wh,
)
st.caption(
    "Per measure, the institutions of this selection in each state; grey: a value, but too few "
    "posts, comments or questions behind it to judge."
)

st.subheader(f"Scorecard · {where}")
shown = frame.sort_values("name")
ui.table(
    pd.DataFrame(
        {
            "Institution": shown["name"],
            # each value carries its unit ("🟢 0.00%"): a header without " (%)" fits at 1280 px
            **{
                rule.label.removesuffix(" (%)"): [
                    ui.practice_text(name, v, s)
                    for v, s in zip(shown[name], shown[f"{name}_state"], strict=True)
                ]
                for name, rule in config.measures.items()
            },
        }
    ),
    hide_index=True,
    width="stretch",
    placeholder=ui.MISSING,
)
st.caption(
    "🟢 green, 🟡 amber, 🔴 red; a value without a dot had too few behind it to judge; a dash: "
    "nothing to measure (no questions, no replies read, no platform that says whether replies "
    "are closed). Removed comments cannot tell an institution deleting a comment from its author "
    "deleting it: the share is the signal, not a single case."
)

# drawn only when opened: a closed expander's table is otherwise sent and drawn on every visit
thresholds = st.expander(
    "The thresholds, and the practice each checks", key="pr_thresholds", on_change="rerun"
)
if thresholds.open:
    with thresholds:
        ui.table(
            pd.DataFrame(
                {
                    "Measure": [r.label for r in config.measures.values()],
                    "Threshold": [r.rule for r in config.measures.values()],
                    "What it checks": [r.checks for r in config.measures.values()],
                    "The practice": [r.practice for r in config.measures.values()],
                }
            ),
            placeholder=ui.MISSING,
            hide_index=True,
            width="stretch",
        )
        hours = config.business_hours
        st.caption(
            f"Reply times in business hours count only the minutes from {hours.opens:%H:%M} to "
            f"{hours.closes:%H:%M} on working days in the institution's country's time zone, weekends "
            "and public holidays off. Thresholds live in warehouse/domain/practices.toml; a file named "
            "by FINSOCIAL_PRACTICES overrides them."
        )
ui.footer(wh)
