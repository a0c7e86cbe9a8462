"""Webcare: do institutions answer the public's questions, and how fast, against their targets."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from warehouse.domain.metrics import METRICS

wh = ui.page(
    "Webcare",
    "Do institutions answer the public? A question is someone's reply to an institution's own "
    "post; it is answered when the institution (any of its official accounts) replies to it. Over "
    "the 28 days to the chosen day. Instagram lists no comments through its API: it has none here.",
)
names = data.institution_names()

with st.container(border=True):
    c = st.columns([1, 1, 1, 1, 1])
    platform = c[0].selectbox(
        "Platform", ["all", *wh.options["platforms"]], key="wc_platform", format_func=ui.platform_name
    )
    as_of = c[1].date_input(
        "As of",
        value=wh.last_day,
        min_value=wh.first_day,
        max_value=wh.last_day,
        key="wc_as_of",
        format="YYYY-MM-DD",
    )
    country, kind, group = ui.population_filters(c[2:], wh.options, "wc")
    # a saved peer set: its institutions only; "peers" of the reply times are then the set's
    peer_set = ui.peer_set_picker(st.columns([3, 2])[0], "wc_peers", names)

frame = data.webcare_overview(platform, as_of, country, kind, group, ui.members(peer_set))
if frame.empty or frame["questions"].fillna(0).sum() == 0:
    ui.explain(
        f"No questions observed on {ui.platform_name(platform)} in the 28 days to {as_of.isoformat()} "
        "for this selection. Webcare needs the threads under the institutions' posts, which "
        "`finsocial collect` reads on Bluesky, Mastodon, Facebook and YouTube (and on X with "
        "FINSOCIAL_X_WEBCARE=1). Try another platform or day, or clear a filter."
    )
    ui.footer(wh)
    st.stop()

target = frame["target_minutes"].dropna()
target_minutes = target.iloc[0] if platform != "all" and not target.empty else None
k = st.columns(4)
total_q = int(frame["questions"].fillna(0).sum())
total_a = int(frame["answered"].fillna(0).sum())
k[0].metric("Questions", f"{total_q:,}", border=True)
k[1].metric("Answered", f"{100 * total_a / total_q:.1f}%" if total_q else "–", border=True)
k[2].metric(
    "Median reply",
    ui.value_text("reply_time_median", frame["reply_time_median"].median()),
    help="The median of the institutions' median reply times.",
    border=True,
)
k[3].metric(
    "Target",
    ui.value_text("reply_time_median", target_minutes) if target_minutes is not None else "per platform",
    border=True,
)

where = f"{ui.platform_name(platform)} · 28 days to {as_of.isoformat()}" + ui.peer_set_part(peer_set)
slug = f"finsocial-webcare-{platform}-{as_of.isoformat()}"
st.subheader(f"Answered share against median reply time · {where}")
ui.chart(
    ui.figure(charts.webcare_scatter, frame, platform, target_minutes),
    "wc_scatter",
    f"Answered share against median reply time · {where}",
    f"{slug}-answered",
    wh,
)
TARGETS_SOURCE = "15 minutes on X, 30 on Facebook, 60 elsewhere, after ABN AMRO's published webcare targets"
st.caption(
    "One point per institution, sized by its questions. Up is more questions answered; left is "
    "faster. "
    + (
        f"The dashed line is {ui.platform_name(platform)}'s target ({ui.value_text('reply_time_median', target_minutes)}; "
        f"{TARGETS_SOURCE})."
        if target_minutes is not None
        else f"Each platform has its own target ({TARGETS_SOURCE}), so all platforms together have no "
        "line: choose a platform to see its target."
    )
)

left, right = st.columns([1.3, 1])
with left:
    st.subheader("Reply times against peers")
    answering = [i for i in frame.dropna(subset=["reply_time_median"])["institution_id"] if i in names]
    if answering:
        # the page's institution ("my institution", kept in the address) when it answered any
        mine = ui.my_institution(names)
        if mine in answering:
            st.session_state["wc_institution"] = mine
        chosen = ui.choose(
            "Institution",
            answering,
            "wc_institution",
            default=mine,
            format_func=names.get,
            on_change=ui.set_my_institution_from,
            args=("wc_institution",),
        )
        times = data.webcare_reply_times(platform, as_of, list(frame["institution_id"]))
        ui.chart(
            ui.figure(charts.reply_time_distribution, times, chosen, names[chosen], target_minutes),
            "wc_distribution",
            f"Reply times of {names[chosen]} against peers · {where}",
            f"{slug}-reply-times-{chosen}",
            wh,
        )
        st.caption(
            "Minutes from each answered question to the institution's first reply; peers are the "
            "other institutions of this selection. Boxes: the middle half; the line: the median."
        )
    else:
        ui.explain("No institution of this selection answered a question in these 28 days.")
with right:
    st.subheader("Most questions left unanswered")
    ui.chart(
        ui.figure(charts.unanswered_bars, frame),
        "wc_unanswered",
        f"Most questions left unanswered · {where}",
        f"{slug}-unanswered",
        wh,
    )

# drawn only when opened: a closed expander's table is otherwise sent and drawn on every visit
everyone = st.expander("Every institution", key="wc_everyone", on_change="rerun")
if everyone.open:
    with everyone:
        shown = frame.sort_values(["answered_pct", "name"], ascending=[False, True], na_position="last")
        columns = [
            "answered_pct",
            "reply_time_median",
            "reply_time_p90",
            "within_target_pct",
            "replies_per_week",
        ]
        ui.table(
            pd.DataFrame(
                {
                    "Institution": shown["name"],
                    "Questions": shown["questions"].map(lambda v: ui.value_text("questions", v)),
                    **ui.value_columns(shown, {m: METRICS[m].label for m in columns}),
                }
            ),
            hide_index=True,
            width="stretch",
            placeholder=ui.MISSING,
        )
        st.caption(
            "; ".join(
                f"{METRICS[m].label}: {'lower' if METRICS[m].lower_is_better else 'higher'} is better"
                for m in columns
            )
            + ". A dash: no questions (no share) or none answered (no reply time)."
        )
ui.footer(wh)
