"""Peer benchmark: one institution against its peers on every platform and metric."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, defaults, ui
from warehouse.domain.metrics import METRICS
from warehouse.read.queries import PEER_METRICS

wh = ui.page(
    "Peer benchmark",
    "Where do we stand? One institution against the peers you choose: its value, the peer median, "
    "the top quartile, the leader and its percentile, on each platform.",
)
institutions = data.institutions()
names = dict(zip(institutions["institution_id"], institutions["name"], strict=True))
MODES = {"country": "Same country", "kind": "Same kind", "group": "Same peer group", "picked": "Hand-picked"}

with st.container(border=True):
    c = st.columns([1.5, 1.6, 1.6, 1])
    me = ui.institution_picker(c[0], names, "pb_institution", defaults.middle_institution(wh))
    ui.keep("pb_mode", "country", lambda v: v in MODES)
    mode = ui.kept(
        "pb_mode", c[1].radio("Peers", list(MODES), key="pb_mode", format_func=MODES.get, horizontal=True)
    )
    row = institutions.set_index("institution_id").loc[me]
    value = None
    if mode == "group":
        groups = list(row["groups"])
        if not groups:
            c[2].caption("This institution belongs to no peer group.")
        else:
            with c[2]:
                value = ui.choose("Peer group", groups, "pb_group")
    elif mode == "picked":
        ui.keep("pb_picked", [], lambda v: all(i in names and i != me for i in v))
        value = ui.kept(
            "pb_picked",
            c[2].multiselect(
                "Peers",
                [i for i in names if i != me],
                key="pb_picked",
                format_func=names.get,
                placeholder="Choose institutions",
            ),
        )
    else:
        c[2].text_input(
            "Shared with peers",
            ui.kind_name(row["kind"]) if mode == "kind" else row["country"],
            disabled=True,
            key=f"pb_shared_{mode}",
        )
    as_of = ui.as_of_picker(c[3], wh, "pb_as_of")

peers = data.peer_ids(institutions, me, mode, value)
if not peers:
    ui.explain(
        "No peers in this selection. Choose another way of picking peers, or pick institutions by hand."
    )
    ui.footer(wh)
    st.stop()
frame = data.peer_benchmark(me, peers, as_of)
if frame.empty or frame["value"].notna().sum() == 0:
    ui.explain(
        f"{ui.plain(names[me])} has no values on {as_of.isoformat()}. Pick a later day, or "
        "check its accounts on the Data health page."
    )
    ui.footer(wh)
    st.stop()

st.subheader(f"{ui.plain(names[me])} against {len(peers)} peers")
st.page_link(
    "pages/profile.py",
    label=f"Profile of {ui.plain(names[me])}",
    icon=":material/account_balance:",
    query_params={"institution": me},
)
# no default here: keep() hands the widget the value the chart and table use (a deselected
# button or a run that stopped before drawing it would otherwise show Followers over other data)
ui.keep("pb_metric", "followers", lambda v: v in PEER_METRICS)
metric = ui.kept(
    "pb_metric",
    st.segmented_control("Metric", list(PEER_METRICS), key="pb_metric", format_func=ui.metric_name),
)
st.plotly_chart(
    charts.peer_percentiles(frame, metric),
    width="stretch",
    key="pb_chart",
    config={"displayModeBar": False},
)
st.caption(
    "The bar is the percentile among the peers with a value (the institution included): "
    "100th leads, 0th trails. " + METRICS[metric].definition
)


def readable(rows: pd.DataFrame) -> pd.DataFrame:
    def fmt(col: str) -> list[str]:
        return [ui.value_text(m, v) for m, v in zip(rows["metric"], rows[col], strict=True)]

    return pd.DataFrame(
        {
            "Platform": rows["platform"].map(ui.platform_name),
            "Metric": rows["metric"].map(ui.metric_name),
            "Value": [
                ui.value_text(m, v, r)
                for m, v, r in zip(rows["metric"], rows["value"], rows["rounded"], strict=True)
            ],
            "Peer median": fmt("peer_median"),
            "Top quartile": fmt("top_quartile"),
            "Leader": rows["leader"],
            "Leader's value": fmt("leader_value"),
            "Percentile": rows["percentile"].map(lambda v: "–" if pd.isna(v) else f"{v:.0f}"),
            "Gap to median": fmt("gap"),
            "Peers": rows["peers"],
        }
    )


st.dataframe(
    readable(frame[frame["metric"] == metric]),
    hide_index=True,
    width="stretch",
    column_config={"Metric": None},
    placeholder=ui.MISSING,
)
with st.expander("Every metric on every platform"):
    st.dataframe(readable(frame), hide_index=True, width="stretch", height=420, placeholder=ui.MISSING)
ui.footer(wh)
