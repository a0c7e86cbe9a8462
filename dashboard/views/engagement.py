"""Engagement against audience: who engages more than accounts of their size, and who less."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from warehouse.read.formatting import human_count

wh = ui.page(
    "Engagement against audience",
    "Large accounts earn more interactions per post but a lower engagement rate. Each bubble is an "
    "account; the dashed curve is what an account of that size typically earns on the platform "
    "that day, so accounts above it engage better than their audience predicts.",
)
platforms = wh.options["platforms"]  # in the platform table's display order
names = data.institution_names()

with st.container(border=True):
    c = st.columns([1, 1.3, 1, 1.6, 1])
    platform = c[0].selectbox("Platform", platforms, key="ea_platform", format_func=ui.platform_name)
    y = c[1].radio(
        "Vertical axis",
        ["engagement_rate", "interactions_per_post"],
        key="ea_y",
        format_func=ui.metric_name,
        horizontal=True,
    )
    color_by = c[2].radio(
        "Colour by", ["kind", "country"], key="ea_color", horizontal=True, format_func=str.capitalize
    )
    highlight = ui.highlight_picker(c[3], names, "ea_highlight")
    as_of = ui.as_of_picker(c[4], wh, "ea_as_of")
    # a saved peer set: only its institutions' accounts (the curve stays the platform's)
    peer_set = ui.peer_set_picker(st.columns([3, 2])[0], "ea_peers", names)

# each account's values and the platform's expected curve do not depend on who else is shown
frame = ui.in_peer_set(data.account_day(platform, as_of), peer_set)
usable = frame[(frame["followers"] > 0) & (frame[y] > 0)]
if len(usable) < 3:
    ui.explain(
        f"{ui.platform_name(platform)} has {len(frame)} account(s) with a count on "
        f"{as_of.isoformat()}, of which {len(usable)} with engagement: too few to compare. "
        "Engagement needs the account's recent posts, which finsocial collects through the "
        "platforms' APIs (LinkedIn, TikTok and Threads come in as manual counts without posts). "
        "Pick another platform, or run `finsocial collect` for this one."
        + (
            " A peer set shows only its institutions' accounts: choose Everyone to see all."
            if peer_set
            else ""
        )
    )
    ui.footer(wh)
    st.stop()

heading = (
    f"{ui.metric_name(y)} against followers · {ui.platform_name(platform)} · as of {as_of.isoformat()}"
    + ui.peer_set_part(peer_set)
)
st.subheader(heading)

ui.chart(
    ui.figure(charts.engagement_scatter, frame, y, color_by, highlight or None, platform),
    "ea_chart",
    heading,
    f"finsocial-engagement-{platform}-{y}-{as_of.isoformat()}",
    wh,
)
st.caption(
    f"{len(usable)} accounts on {ui.platform_name(platform)}, {as_of.isoformat()}"
    + (f", of peer set {ui.plain(peer_set.name)}" if peer_set else "")
    + ". Bubble size: posts per week. Dotted lines: the medians"
    + (" of the set" if peer_set else "")
    + ". The dashed curve is what an account of that size typically earns on the platform (all its "
    "accounts). Both axes are logarithmic."
)
if highlight and usable[usable["institution_id"] == highlight].empty:
    st.caption(
        f"{ui.plain(names[highlight])} has no account with engagement on "
        f"{ui.platform_name(platform)} that day."
    )


def ranked_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Institution": rows["name"],
            "Followers": rows["followers"].map(human_count),
            "Against expected": rows["overperformance"].map(lambda v: ui.value_text("overperformance", v)),
            "Engagement rate": rows["engagement_rate"].map(lambda v: ui.value_text("engagement_rate", v)),
        }
    )


# one under the other under the chart, the page's width each: side by side they were cut off
scored = usable.dropna(subset=["overperformance"]).sort_values("overperformance", ascending=False)
st.markdown("**Most above what their audience predicts**")
ui.table(ranked_table(scored.head(5)), width="stretch")
st.markdown("**Most below what their audience predicts**")
ui.table(ranked_table(scored.tail(5).iloc[::-1]), width="stretch")
st.caption(
    "Against expected: interactions per post against what accounts of the same size typically get "
    "on the platform (2.00× is twice as many). The Methodology page gives the formula."
)
ui.footer(wh)
