"""Trends: follower history of chosen institutions, share of audience, rank over time."""

import streamlit as st

from dashboard import charts, data, defaults, ui
from warehouse.domain.metrics import ALL_PLATFORMS_REFUSED, METRICS

wh = ui.page(
    "Trends",
    "How the field moves: audiences of chosen institutions over time, each one's share of the "
    "population's audience, and how their rank changed.",
)
options = wh.options
names = data.institution_names()
PLATFORMS = ["all", *options["platforms"]]

with st.container(border=True):
    c = st.columns([1, 1, 1, 1.2, 1.6])
    platform = c[0].selectbox("Platform", PLATFORMS, key="tr_platform", format_func=ui.platform_name)
    country, kind, group = ui.population_filters(c[1:4], options, "tr")
    default_start = defaults.trend_start(wh)
    span = c[4].date_input(
        "Period",
        value=(default_start, wh.last_day),
        min_value=wh.first_day,
        max_value=wh.last_day,
        key="tr_span",
        format="YYYY-MM-DD",
    )
    # a saved peer set: its institutions compared, shared and ranked among themselves
    peer_set = ui.peer_set_picker(st.columns([3, 2])[0], "tr_peers", names)
chosen_set = ui.members(peer_set)
start, end = (span[0], span[-1]) if isinstance(span, tuple | list) and span else (default_start, wh.last_day)
if start >= end:
    ui.explain("Pick a period of at least two days.")
    st.stop()

leaders = data.league_table(
    platform,
    "followers",
    end,
    country,
    kind,
    group,
    # the whole set (as many as the picker takes), else the population's five largest
    12 if peer_set else defaults.TREND_LEADERS,
    institutions=chosen_set,
)
mine = ui.my_institution(names)
chosen = st.multiselect(
    "Institutions",
    list(names),
    # the five largest of the population, and the reader's own institution beside them
    default=[i for i in leaders["institution_id"] if i in names]
    + ([mine] if mine and mine not in set(leaders["institution_id"]) else []),
    format_func=names.get,
    key=f"tr_chosen_{platform}_{country}_{kind}_{group}_{peer_set.name if peer_set else ''}",
    placeholder="Choose institutions to compare",
    max_selections=12,
)
if leaders.empty:
    ui.explain(
        f"No institution in this population has followers on {ui.platform_name(platform)}. "
        "Clear a filter or pick another platform."
    )
    ui.footer(wh)
    st.stop()

span = f"{ui.platform_name(platform)} · {start.isoformat()} to {end.isoformat()}" + ui.peer_set_part(peer_set)
slug = f"finsocial-trends-{platform}-{start.isoformat()}-{end.isoformat()}"
st.subheader(f"Followers · {span}")
if chosen:
    history = data.metric_history(chosen, [platform], start, end)
    # audiences far apart in size (a country's largest bank and its smallest) share a log axis
    # by default, so that no line sits flat on zero; a new selection decides afresh
    log_y = st.toggle(
        "Logarithmic scale",
        value=charts.wide_spread(history, "followers", "institution_id"),
        key=f"tr_log_{platform}_{country}_{kind}_{group}_{'_'.join(sorted(chosen))}",
    )
    ui.chart(
        ui.figure(charts.history_lines, history, "followers", "institution_id", log_y, highlight=mine),
        "tr_history",
        f"Followers · {span}",
        f"{slug}-followers",
        wh,
    )
else:
    st.caption("Choose institutions above to compare their audiences.")

left, right = st.columns(2)
with left:
    st.subheader("Share of audience")
    share = data.audience_share(
        platform, start, end, country, kind, group, defaults.SHARE_TOP, institutions=chosen_set
    )
    ui.chart(
        ui.figure(charts.audience_share, share),
        "tr_share",
        f"Share of audience · {span}",
        f"{slug}-share",
        wh,
    )
    st.caption(
        "The eight largest institutions of the population at the period's end; the rest together in grey."
    )
with right:
    st.subheader("Rank over time")
    metric = st.selectbox("Rank by", list(METRICS), key="tr_metric", format_func=ui.metric_name)
    if platform == "all" and metric in ALL_PLATFORMS_REFUSED:
        st.caption(f"No ranks by {ui.metric_name(metric)} on all platforms: {ALL_PLATFORMS_REFUSED[metric]}.")
    else:
        ranks = data.rank_history(platform, metric, chosen, start, end, country, kind, group, chosen_set)
        ui.chart(
            ui.figure(charts.rank_lines, ranks, metric),
            "tr_ranks",
            f"Rank by {ui.metric_name(metric)} · {span}",
            f"{slug}-rank-{metric}",
            wh,
        )
ui.footer(wh)
