"""League tables: who leads on a platform by a metric, with the movement against a month earlier."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, data, defaults, ui
from warehouse.domain.metrics import ALL_PLATFORMS_REFUSED, METRICS, left_out_phrase, minimum_of
from warehouse.domain.posts import previous_day
from warehouse.read.formatting import (
    MISSING,
    NEW_IN_TABLE,
    WITHOUT_DATA_NOTE,
    movement,
    value_cell,
    without_data,
)
from warehouse.read.queries import default_minimum
from warehouse.read.report import (
    GROWTH_HEADINGS,
    growth_headings,
    growth_movers,
    growth_rows,
    league_markdown,
    league_title,
)
from warehouse.read.report import movers as find_movers

wh = ui.page(
    "League tables",
    "Who leads? Institutions ranked by one metric on one platform, with their movement against "
    "30 days earlier. The page's address holds the selection: copy it to share this table.",
)
options = wh.options
PLATFORMS = ["all", *options["platforms"]]
LIMITS = [5, 10, 20, 25, 50, 100]
MINE_BACKGROUND = "#FBE3E4"  # a light tint of charts.HIGHLIGHT
url = st.query_params
saved: dict = st.session_state.setdefault("league_saved", {})


def start(name: str, allowed: list, default: object) -> object:
    """The URL's value when it is a valid one, else this session's last, else the default."""
    value = url.get(name)
    if name == "n" and value is not None and value.isdigit():
        value = int(value)
    if value in allowed:
        return value
    return saved.get(name, default) if saved.get(name, default) in allowed else default


def start_day() -> dt.date:
    try:
        day = dt.date.fromisoformat(url.get("as_of", ""))
    except ValueError:
        day = saved.get("as_of")
    if day is None or not (wh.first_day <= day <= wh.last_day):
        return wh.last_day
    return day


# A new build moves a table that showed "the latest day" to the new latest day.
latest_before = st.session_state.get("lt_latest")
if latest_before not in (None, wh.last_day) and st.session_state.get("lt_as_of") == latest_before:
    st.session_state["lt_as_of"] = wh.last_day
st.session_state["lt_latest"] = wh.last_day

ui.seed("lt_platform", start("platform", PLATFORMS, "all"))
ui.seed("lt_metric", start("metric", list(METRICS), "followers"))
ui.seed("lt_country", start("country", options["countries"], ui.ANY))
ui.seed("lt_kind", start("kind", options["kinds"], ui.ANY))
ui.seed("lt_group", start("group", options["groups"], ui.ANY))
ui.seed("lt_n", start("n", LIMITS, defaults.LEAGUE_LIMIT))
ui.seed("lt_as_of", start_day())

with st.container(border=True):
    c = st.columns([1.1, 1.5, 1, 1, 1.1, 1.25, 0.7])
    platform = c[0].selectbox("Platform", PLATFORMS, key="lt_platform", format_func=ui.platform_name)
    metric = c[1].selectbox("Metric", list(METRICS), key="lt_metric", format_func=ui.metric_name)
    country, kind, group = ui.population_filters(c[2:5], options, "lt")
    as_of = c[5].date_input(
        "As of", key="lt_as_of", min_value=wh.first_day, max_value=wh.last_day, format="YYYY-MM-DD"
    )
    limit = c[6].selectbox("Top", LIMITS, key="lt_n")
    # a rate by audience ranks only institutions with an audience, a reply time only those asked
    # enough: the minimum is the address's ?min= when given, else the metric's default
    what = minimum_of(metric)
    minimum = None
    second = st.columns([1.4, 4.6, 1])
    # "my institution and my peers": a saved peer set (`finsocial peers`), kept in the address
    peer_set = ui.peer_set_picker(second[1], "lt_peers")
    chosen_set = ui.members(peer_set)
    if what is not None:
        asked = url.get("min", "")
        ui.seed(f"lt_min_{what}", int(asked) if asked.isdigit() else default_minimum(metric))
        minimum = second[0].number_input(
            f"Minimum {what}",
            min_value=0,
            step=1000 if what == "followers" else 5,
            key=f"lt_min_{what}",
            help=f"Leave out institutions with fewer {what} on the day; 0 ranks them all.",
        )

state = {
    "platform": platform,
    "metric": metric,
    "country": country,
    "kind": kind,
    "group": group,
    "n": limit,
    "as_of": as_of if as_of != wh.last_day else None,
    "institution": ui.my_institution(data.institution_names()),
    "min": minimum if what is not None and minimum != default_minimum(metric) else None,
    "peers": peer_set.name if peer_set is not None else None,
}
saved.update(state)
st.query_params.from_dict({k: str(v) for k, v in state.items() if v is not None})

label = METRICS[metric].label
where = ui.platform_name(platform)
if platform == "all" and metric in ALL_PLATFORMS_REFUSED:
    ui.explain(f"No league table by {label} on {where}: {ALL_PLATFORMS_REFUSED[metric]}. Choose a platform.")
    ui.footer(wh)
    st.stop()
# a peer set's institutions are ranked among themselves, now and a period earlier (the query's)
frame = data.league_table(platform, metric, as_of, country, kind, group, limit, minimum or None, chosen_set)
left_out = left_out_phrase(frame.attrs.get("left_out") or 0, what, minimum) + "." if minimum else ""
if frame.empty or frame["value"].notna().sum() == 0:
    ui.explain(
        f"No institution has a value for {label} on {where} as of {as_of.isoformat()} with these "
        "filters. Try another platform or metric, or clear a filter. Engagement needs posts, which "
        "finsocial collects through the platforms' APIs only (manual imports carry counts only); "
        f"growth needs a count from 30 days earlier. Data runs from {ui.iso(wh.first_day)} to "
        f"{ui.iso(wh.last_day)}." + (f" {left_out} Lower the minimum to rank them." if left_out else "")
    )
    ui.footer(wh)
    st.stop()

ranked = frame[frame["value"].notna()]
leader = ranked.iloc[0]
moves = ranked.assign(change=ranked["previous_rank"] - ranked["rank"]).dropna(subset=["change"])
k = st.columns(4)
leader_name, leader_full = ui.card_text(str(leader["name"]))
k[0].metric(
    "Leader",
    ui.value_text(metric, leader["value"], leader["rounded"]),
    leader_name,
    help=leader_full,
    delta_color="off",
    delta_arrow="off",
    border=True,
)
k[1].metric(
    "Median",
    ui.value_text(metric, ranked["value"].median()),
    f"of the top {len(ranked)}",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
if not moves.empty and moves["change"].max() > 0:
    climber = moves.loc[moves["change"].idxmax()]
    climber_name, climber_full = ui.card_text(str(climber["name"]))
    k[2].metric(
        "Biggest climber",
        f"▲{int(climber['change'])}",
        climber_name,
        help=climber_full,
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
elif moves.empty:
    k[2].metric(
        "Biggest climber",
        MISSING,
        f"no ranks on {previous_day(as_of).isoformat()}",
        delta_color="off",
        delta_arrow="off",
        border=True,
    )
else:
    k[2].metric("Biggest climber", "=", "no rank changed", delta_color="off", delta_arrow="off", border=True)
k[3].metric(
    "As of",
    as_of.isoformat(),
    f"against {previous_day(as_of).isoformat()}",
    delta_color="off",
    delta_arrow="off",
    border=True,
)

# the heading carries every filter and the day, so a screenshot or a pasted image says what it shows
heading = league_title(
    metric,
    platform,
    as_of,
    len(frame),
    country or None,
    kind or None,
    group or None,
    minimum or None,
    peer_set.name if peer_set is not None else None,
)
st.subheader(heading)
# honest totals: a row whose total misses some of its accounts' counts of the day says so, in a
# Note column that needs the room
notes = [without_data(row) for row in frame.to_dict("records")]
left, right = st.columns([1.7, 1] if any(notes) else [1.15, 1])
mine = state["institution"]
table = pd.DataFrame(
    {
        "Rank": frame["rank"],
        "Move": [movement(r, p) for r, p in zip(frame["rank"], frame["previous_rank"], strict=True)],
        "Institution": frame["name"],
        "Country": frame["country"],
        "Kind": frame["kind"].map(ui.kind_name),
        label: [value_cell(metric, row) for row in frame.to_dict("records")],
    }
)
if any(notes):
    table["Note"] = notes
names = data.institution_names()
mine_rows = set(frame.index[frame["institution_id"] == mine]) if mine else set()
with left:
    picked = ui.table(
        # the reader's own institution ("my institution", chosen on any page) stands out
        table.style.apply(
            lambda row: [f"background-color: {MINE_BACKGROUND}" if row.name in mine_rows else ""] * len(row),
            axis=1,
        ),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="lt_table",
        height=min(38 + 35 * len(table), 740),
        placeholder=ui.MISSING,
    )
    rows = picked.selection.rows if picked is not None else []
    if rows:
        chosen = frame.iloc[rows[0]]
        st.page_link(
            "views/profile.py",
            label=f"Open the profile of {ui.plain(chosen['name'])}",
            icon=":material/account_balance:",
            query_params={"institution": chosen["institution_id"]},
        )
    else:
        if mine and not mine_rows:
            st.caption(f"{ui.plain(names[mine])} is not in this table.")
        st.caption(
            "Select a row to open the institution's profile. "
            + (f"{left_out} " if left_out else "")
            + ("≈ marks counts the platform rounds. " if frame["rounded"].any() else "")
            + (f"{NEW_IN_TABLE}. " if frame["previous_rank"].isna().any() else "")
            + (f"{WITHOUT_DATA_NOTE} " if any(notes) else "")
            + ui.in_words(metric)
        )
slug = f"finsocial-{platform}-{metric}-{as_of.isoformat()}"
with right:
    ui.chart(
        ui.figure(charts.league_bar, frame, metric, platform, highlight=mine),
        "lt_chart",
        heading,
        slug,
        wh,
        below=12,
    )

# the whole league's movers (not only the rows shown), as `finsocial top --movers` prints them
whole = data.league_table(platform, metric, as_of, country, kind, group, None, minimum or None, chosen_set)
climbers, fallers = find_movers(whole.to_dict("records"))
# and by growth: the same league on the comparison day, the largest rises and falls of the value
before = data.league_table(
    platform, metric, previous_day(as_of), country, kind, group, None, minimum or None, chosen_set
)
rises, falls = growth_movers(whole.to_dict("records"), before.to_dict("records"), metric)
since = previous_day(as_of).isoformat()
counted = ", ".join(
    f"{len(moved)} {noun}{'s' if len(moved) != 1 else ''}"
    for moved, noun in ((climbers, "climber"), (fallers, "faller"), (rises, "rise"), (falls, "fall"))
)
with st.expander(f"Movers since {since}: {counted}", key="lt_movers"):
    for column, title, moved in zip(
        st.columns(2), ("Biggest climbers", "Biggest fallers"), (climbers, fallers), strict=True
    ):
        column.markdown(f"**{title} since {since}**")
        if not moved:
            column.caption(f"No institution {'climbed' if title.endswith('climbers') else 'fell'} in rank.")
            continue
        column.dataframe(
            pd.DataFrame(
                {
                    "Institution": [r["name"] for r in moved],
                    "Rank then": [int(r["previous_rank"]) for r in moved],
                    "Rank now": [int(r["rank"]) for r in moved],
                    "Move": [movement(r["rank"], r["previous_rank"]) for r in moved],
                    label: [value_cell(metric, r) for r in moved],
                }
            ),
            hide_index=True,
            width="stretch",
            placeholder=ui.MISSING,
        )
    for column, title, moved in zip(st.columns(2), GROWTH_HEADINGS, (rises, falls), strict=True):
        column.markdown(f"**{title} in {label} since {since}**")
        if not moved:
            column.caption(f"No institution's {label} {'rose' if moved is rises else 'fell'}.")
            continue
        column.dataframe(
            pd.DataFrame(growth_rows(moved, metric), columns=growth_headings(metric)),
            hide_index=True,
            width="stretch",
            placeholder=ui.MISSING,
        )

download = frame.assign(as_of=as_of.isoformat())
d = st.columns([1.1, 1.4, 4])
d[0].download_button(
    "Download CSV",
    download.to_csv(index=False),
    f"{slug}.csv",
    "text/csv",
    icon=":material/download:",
    width="stretch",
)
markdown = league_markdown(
    frame,
    metric,
    platform,
    country,
    kind,
    group,
    wh.demo,
    minimum=minimum or None,
    peer_set=peer_set.name if peer_set is not None else None,
)
d[1].download_button(
    "Download Markdown",
    markdown,
    f"{slug}.md",
    "text/markdown",
    icon=":material/description:",
    width="stretch",
)
# drawn only when opened: a code block loads and runs the browser's syntax highlighter (1.5 MB of
# JavaScript and the page's slowest element), which a closed expander would pay for on every visit
blog = d[2].expander("Markdown for a blog post", key="lt_markdown", on_change="rerun")
if blog.open:
    blog.code(markdown, language="markdown")
ui.footer(wh)
