"""Peer benchmark: one institution against its peers on every platform and metric."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, defaults, tables, ui
from warehouse.domain.metrics import METRICS
from warehouse.inputs.peers import PeerSetError
from warehouse.read.queries import PEER_METRICS

wh = ui.page(
    "Peer benchmark",
    "Where do we stand? One institution against the peers you choose: its value, the peer median, "
    "the top quartile, the leader and its percentile, on each platform; and every metric side by "
    "side. The page's address holds the institution and its peers: copy it to share them.",
)
institutions = data.institutions()
names = dict(zip(institutions["institution_id"], institutions["name"], strict=True))
sets = data.peer_sets()
MODES = {
    "saved": "Saved set",
    "suggested": "Suggested",
    "country": "Same country",
    "kind": "Same kind",
    "group": "Same peer group",
    "picked": "Hand-picked",
}
MINE_BACKGROUND = "#FBE3E4"  # a light tint of charts.HIGHLIGHT, as on the league page
url = st.query_params

# the address first: ?peers=NAME is a saved set (its institution becomes "my institution"),
# ?mode= a way of picking peers; choices below write them back (callbacks, so a change sticks)
asked = url.get("peers")
# (a set of another institution than the address's is one left behind by choosing another)
if (
    asked in sets
    and url.get("institution") in (None, sets[asked].institution_id)
    and sets[asked].institution_id in names
):
    ui.set_my_institution(sets[asked].institution_id)
    st.session_state["pb_mode"] = st.session_state["pb_mode_saved"] = "saved"
    st.session_state["pb_set"] = asked
elif url.get("mode") in MODES:
    st.session_state["pb_mode"] = st.session_state["pb_mode_saved"] = url.get("mode")


def _mode_chosen() -> None:
    url["mode"] = st.session_state["pb_mode"]
    if st.session_state["pb_mode"] != "saved" and "peers" in url:
        del url["peers"]


def _set_chosen() -> None:
    if st.session_state.get("pb_set"):
        url["peers"] = st.session_state["pb_set"]


def _save(me: str, peers: list[str]) -> None:
    """The Save button: the peers as a named set in peer_sets.json (`finsocial peers` reads it)."""
    name = (st.session_state.get("pb_save_name") or "").strip()
    try:
        data.save_peer_set(name, me, peers)
    except PeerSetError as exc:
        st.session_state["pb_saved_message"] = ("error", str(exc))
        return
    st.session_state["pb_saved_message"] = (
        "success",
        f"Saved peer set {name}: every page's Peer set box and `finsocial peers` now offer it.",
    )
    st.session_state["pb_mode"] = st.session_state["pb_mode_saved"] = "saved"
    st.session_state["pb_set"] = name
    url["mode"] = "saved"
    url["peers"] = name


with st.container(border=True):
    c = st.columns([1.5, 3.4, 1])
    me = ui.institution_picker(c[0], names, "pb_institution", defaults.middle_institution(wh))
    ui.keep("pb_mode", "country", lambda v: v in MODES)
    mode = ui.kept(
        "pb_mode",
        c[1].radio(
            "Peers",
            list(MODES),
            key="pb_mode",
            format_func=MODES.get,
            horizontal=True,
            on_change=_mode_chosen,
        ),
    )
    as_of = ui.as_of_picker(c[2], wh, "pb_as_of")
    row = institutions.set_index("institution_id").loc[me]
    value = None
    peer_set = None
    # the second row is the page's full width: the names of the peers must show
    if mode == "saved":
        mine = [name for name, s in sets.items() if s.institution_id == me]
        if not mine:
            st.caption(
                f"No peer set of {ui.plain(names[me])} is saved yet: choose Suggested (or another way) "
                "and save the peers below, or `finsocial peers suggest` on the command line."
            )
            if "peers" in url:
                del url["peers"]
        else:
            if st.session_state.get("pb_set") not in mine:
                st.session_state["pb_set"] = mine[0]
            name = st.selectbox("Peer set", mine, key="pb_set", on_change=_set_chosen)
            url["peers"] = name
            peer_set = sets[name]
            present, gone = peer_set.resolve(names)
            value = [i for i in present if i != me]
            if gone:
                st.warning(ui.plain(peer_set.gone_note(gone)) + ".", icon=":material/warning:")
    elif mode == "suggested":
        s = st.columns([1, 5])
        count = s[0].number_input("How many", min_value=1, max_value=20, value=5, step=1, key="pb_count")
        value = data.suggested_peers(me, as_of, int(count))
        s[1].caption(
            "Suggested: institutions of the same kind ("
            + ui.kind_name(row["kind"])
            + f"), from {row['country']} first, then by the nearest audience (followers on all "
            f"platforms on {as_of.isoformat()}): "
            + (ui.plain(", ".join(names[i] for i in value)) if value else "none")
        )
    elif mode == "group":
        groups = list(row["groups"])
        if not groups:
            st.caption("This institution belongs to no peer group.")
        else:
            if url.get("group") in groups and "pb_group" not in st.session_state:
                st.session_state["pb_group"] = url.get("group")  # a link or a reload
            value = ui.choose("Peer group", groups, "pb_group")
    elif mode == "picked":
        if url.get("picked") and "pb_picked" not in st.session_state:  # a link or a reload
            st.session_state["pb_picked"] = [
                i for i in url.get("picked").split(",") if i in names and i != me
            ]
        ui.keep("pb_picked", [], lambda v: all(i in names and i != me for i in v))
        value = ui.kept(
            "pb_picked",
            st.multiselect(
                "Peers",
                [i for i in names if i != me],
                key="pb_picked",
                format_func=names.get,
                placeholder="Choose institutions",
            ),
        )
    else:
        st.caption(
            "Peers share its "
            + (f"kind: {ui.kind_name(row['kind'])}" if mode == "kind" else f"country: {row['country']}")
        )
url["mode"] = mode
if mode != "saved" and "peers" in url:
    del url["peers"]
# the group or the hand-picked peers go in the address too: a reload or a link keeps them
for name, kept_value in (
    ("group", value if mode == "group" else None),
    ("picked", value if mode == "picked" else None),
):
    if kept_value:
        url[name] = kept_value if isinstance(kept_value, str) else ",".join(kept_value)
    elif name in url:
        del url[name]

listed = mode in ("saved", "suggested")  # these name their peers; the others select them
peers = list(value or []) if listed else data.peer_ids(institutions, me, mode, value)
message = st.session_state.pop("pb_saved_message", None)
if message:
    (st.success if message[0] == "success" else st.error)(ui.plain(message[1]))
if not peers:
    ui.explain(
        (
            f"No institution of the same kind ({ui.kind_name(row['kind'])}) to suggest. "
            if mode == "suggested"
            else "No peers in this selection. "
        )
        + "Choose another way of picking peers, or pick institutions by hand."
    )
    ui.footer(wh)
    st.stop()
if mode != "saved":
    # keep them: a named set every page's Peer set box and `finsocial peers` offer
    with st.expander("Save these peers as a named set", key="pb_save"):
        s = st.columns([3, 1])
        s[0].text_input(
            "Name",
            key="pb_save_name",
            placeholder=f"{me}-peers",
            help="Letters, digits, spaces, '.', '_' or '-'; an existing name is replaced.",
        )
        s[1].button("Save peer set", key="pb_save_button", on_click=_save, args=(me, peers))
frame = data.peer_benchmark(me, peers, as_of)
if frame.empty or frame["value"].notna().sum() == 0:
    ui.explain(
        f"{ui.plain(names[me])} has no values on {as_of.isoformat()}. Pick a later day, or "
        "check its accounts on the Data health page."
    )
    ui.footer(wh)
    st.stop()

st.subheader(
    f"{ui.plain(names[me])} against {len(peers)} peer{'s' if len(peers) != 1 else ''} · as of {as_of.isoformat()}"
    + ui.peer_set_part(peer_set)
)
st.page_link(
    "views/profile.py",
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
ui.chart(
    ui.figure(charts.peer_percentiles, frame, metric),
    "pb_chart",
    f"{names[me]} against {len(peers)} peer{'s' if len(peers) != 1 else ''} · {ui.metric_name(metric)} · as of {as_of.isoformat()}"
    + ui.peer_set_part(peer_set),
    f"finsocial-peers-{me}-{metric}-{as_of.isoformat()}",
    wh,
)
st.caption(
    "The bar is the percentile among the peers with a value (the institution included): "
    "100th leads, 0th trails"
    + (" (the fastest leads: lower is better)" if METRICS[metric].lower_is_better else "")
    + ". "
    + ui.in_words(metric)
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


ui.table(
    readable(frame[frame["metric"] == metric]),
    hide_index=True,
    width="stretch",
    column_config={"Metric": None},
    placeholder=ui.MISSING,
)

# ---- every metric side by side: us and each peer, a row each ---------------------------------------
values = data.peer_values(me, peers, as_of)
platforms = ["all", *[p for p in wh.options["platforms"] if p in set(values["platform"])]]
s = st.columns([1.6, 4.4])
platform = s[0].selectbox("Platform", platforms, key="pb_platform", format_func=ui.platform_name)
on = values[values["platform"] == platform]
shown = [m for m in PEER_METRICS if m in set(on["metric"])]
st.subheader(
    f"Every metric side by side · {ui.platform_name(platform)} · as of {as_of.isoformat()}"
    + ui.peer_set_part(peer_set)
)
order = [me, *[p for p in peers if p in names]]
wide = on.pivot_table(index="institution_id", columns="metric", values="value", aggfunc="first")
rounded = on.groupby("institution_id")["rounded"].any()
median = frame[frame["platform"] == platform].set_index("metric")["peer_median"]
# a column per institution (a row per metric): six or seven columns fit the page, sixteen do not
heads = [names[i] if list(names.values()).count(names[i]) == 1 else f"{names[i]} ({i})" for i in order]


def cell(institution_id: str, metric: str) -> str:
    found = institution_id in wide.index and metric in wide.columns
    # '≈' marks follower counts a platform rounds (the row's precision), not the other counts
    approximate = metric == "followers" and bool(rounded.get(institution_id, False))
    return ui.value_text(metric, wide.at[institution_id, metric] if found else None, approximate)


side = pd.DataFrame(
    {
        **{head: [cell(i, m) for m in shown] for head, i in zip(heads, order, strict=True)},
        "Peer median": [ui.value_text(m, median.get(m)) for m in shown],
    },
    index=pd.Index([METRICS[m].label for m in shown], name="Metric"),
)
# a static table: every column shows at the page's width, long names wrap (a scrolling grid hid
# the last peers at 1440 px)
st.table(
    side.style.apply(
        lambda column: (
            [f"background-color: {MINE_BACKGROUND}" if column.name == heads[0] else ""] * len(column)
        ),
        axis=0,
    )
)
st.caption(
    f"{ui.plain(names[me])} first (highlighted), then its peers; the last column is the median of all "
    "of them. Webcare (questions, answered, reply time, within target) over the 28 days to the day; "
    "share of voice among these institutions. A dash: no value that day. "
    + "; ".join(f"{METRICS[m].label}: lower is better" for m in shown if METRICS[m].lower_is_better)
    + ("." if any(METRICS[m].lower_is_better for m in shown) else "")
)

# ---- their posts ------------------------------------------------------------------------------------
span = defaults.peer_posts_span(as_of)
posts = data.industry_posts(span, "interactions", platform, institutions=tuple(order), limit=10)
st.subheader(
    f"Top posts by interactions · {ui.platform_name(platform)} · {span.label}" + ui.peer_set_part(peer_set)
)
if posts.empty:
    st.caption(
        f"No post of {ui.plain(names[me])} or its peers on {ui.platform_name(platform)} in the "
        f"{defaults.PEER_POSTS_DAYS} days to {as_of.isoformat()}: posts come through the platforms' APIs only."
    )
else:
    shown = tables.post_table(posts)
    ui.table(
        shown,
        shorten="Text",
        labels=tables.post_labels(shown),
        hide_index=True,
        width="stretch",
        column_config=tables.POST_COLUMNS,
        placeholder=ui.MISSING,
    )
# drawn only when opened: a closed expander's table is otherwise sent and drawn on every visit
every_metric = st.expander("Every metric on every platform", key="pb_every_metric", on_change="rerun")
if every_metric.open:
    with every_metric:
        ui.table(readable(frame), hide_index=True, width="stretch", height=420, placeholder=ui.MISSING)
ui.footer(wh)
