"""Top posts: the industry's most liked, commented, shared and engaging posts of a period."""

import streamlit as st

from dashboard import charts, data, defaults, tables, ui
from warehouse.domain.metrics import MIN_FOLLOWERS
from warehouse.domain.posts import (
    BACKLASH_MIN_COMMENTS,
    BACKLASH_MULTIPLE,
    POST_MEASURES,
    last_complete,
    post_minimum_applies,
)
from warehouse.read.report import posts_markdown, posts_minimum_line, posts_minimums, posts_title

wh = ui.page(
    "Top posts",
    "The industry's posts of a week, month or quarter with the most likes, comments or shares, "
    "the highest engagement rate, and the most interactions against what the account's size "
    "predicts; and the posts that drew an unusual reaction.",
)
options = wh.options
last_post = data.latest_post_day()
if last_post is None:
    ui.explain(
        "No posts have been collected yet. Posts come only through the platforms' APIs "
        "(`finsocial collect`); manual counts imports carry no posts."
    )
    ui.footer(wh)
    st.stop()

UNITS = {"month": "Month", "week": "Week", "quarter": "Quarter"}
# two rows of four: eight boxes in one row cut their choices short at 1440 px ("All platfor…")
c = [*st.columns([1, 1.2, 1.4, 0.7]), *st.columns(4)]
unit = c[0].selectbox("Period", list(UNITS), key="tp_unit", format_func=UNITS.get)
periods = defaults.post_periods(last_post, unit)
# the last complete period first; the current one only when asked, marked as not over
complete = last_complete(last_post, unit)
period = c[1].selectbox(
    "Which",
    periods,
    index=periods.index(complete) if complete in periods else 0,
    key=f"tp_period_{unit}",
    format_func=lambda p: p.label + (" (so far)" if p.end > last_post else ""),
)
by = c[2].selectbox("Ranked by", list(POST_MEASURES), key="tp_by", format_func=POST_MEASURES.get)
limit = c[3].selectbox("Top", [10, 25, 50, 100], key="tp_n")
platform = c[4].selectbox(
    "Platform", ["all", *options["platforms"]], key="tp_platform", format_func=ui.platform_name
)
country, kind, group = ui.population_filters(c[5:8], options, "tp")
# a saved peer set: its institutions' posts only, ranked among themselves
peer_set = ui.peer_set_picker(st.columns([3, 2])[0], "tp_peers")
flagged = st.toggle(
    "Only posts that drew an unusual reaction",
    key="tp_flagged",
    help=f"Comments (and quotes) per like at least {BACKLASH_MULTIPLE:g}× the account's usual ratio "
    f"(its median over the 90 days before), with at least {BACKLASH_MIN_COMMENTS} comments.",
)

min_followers = None
if post_minimum_applies(by):
    # a ranking by a rate lists only posts of accounts with an audience to speak of
    min_followers = st.number_input(
        "Minimum followers",
        min_value=0,
        value=MIN_FOLLOWERS,
        step=1000,
        key="tp_min_followers",
        help="Leave out posts of accounts with fewer followers on the day of the post; 0 lists them all.",
    )

frame = data.industry_posts(
    period,
    by,
    platform,
    country,
    kind,
    group,
    flagged=flagged,
    limit=limit,
    institutions=ui.members(peer_set),
    min_followers=min_followers,
)
minimums = posts_minimums(frame.attrs)
left_out = posts_minimum_line(minimums)
label = POST_MEASURES[by]
where = ui.platform_name(platform)
span = f"{period.start.isoformat()} to {period.end.isoformat()}"
if frame.empty:
    ui.explain(
        f"No post of {period.label} ({span}) on {where} has a value for {label} with these filters"
        + (" and an unusual reaction" if flagged else "")
        + ". Engagement rate needs the account's followers on the day of the post; engagement "
        "against audience needs at least three accounts on the platform that day; reactions "
        "against usual need the account's earlier posts of the 90 days before."
        + (
            f" {left_out} Lower the minimum to list them."
            if minimums["left_out_followers"] or minimums["left_out_comments"]
            else ""
        )
    )
    ui.footer(wh)
    st.stop()

scope = ", ".join(
    filter(
        None,
        [
            country,
            kind and ui.kind_name(kind),
            group and f"group {group}",
            peer_set is not None and f"peer set {peer_set.name}",
        ],
    )
)
heading = posts_title(len(frame), by, platform, period, minimums, scope)
st.subheader(heading)
st.caption(f"Posts made from {span} (UTC), counts as last observed." + (f" {left_out}" if left_out else ""))
shown = tables.post_table(frame)
ui.table(
    shown,
    shorten="Text",
    labels=tables.post_labels(shown),
    hide_index=True,
    width="stretch",
    column_config=tables.POST_COLUMNS,
    height=min(38 + 35 * len(frame), 740),
    placeholder=ui.MISSING,
)
ui.chart(
    ui.figure(charts.top_posts_bar, frame, by, label),
    "tp_chart",
    heading,
    f"finsocial-top-posts-{period.label}-{by}",
    wh,
)
if frame["unusual_reaction"].any():
    st.caption(tables.UNUSUAL_NOTE)
st.caption(tables.SIGNALS_NOTE)
d = st.columns([1.1, 1.4, 4])
d[0].download_button(
    "Download CSV",
    # the minimums applied, in every row: a CSV read on its own still says what was left out
    frame.drop(columns=["text"]).assign(**minimums).to_csv(index=False),
    f"finsocial-top-posts-{period.label}-{by}.csv",
    "text/csv",
    icon=":material/download:",
    width="stretch",
)
# the same Markdown as `finsocial posts --format markdown`, ready for a blog post
posted = frame.astype(object).where(frame.notna(), None).to_dict("records")
markdown = posts_markdown(
    [{**r, "posted_at": str(r["posted_at"])} for r in posted],
    period,
    by,
    platform,
    country or None,
    kind or None,
    group or None,
    wh.demo,
    peer_set=peer_set.name if peer_set is not None else None,
    minimums=minimums,
)
d[1].download_button(
    "Download Markdown",
    markdown,
    f"finsocial-top-posts-{period.label}-{by}.md",
    "text/markdown",
    icon=":material/description:",
    width="stretch",
)
ui.footer(wh)
