"""Institution profile: its accounts, audience history, posting rhythm and top posts."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, data, defaults, tables, ui
from warehouse.domain import practices
from warehouse.domain.metrics import MENTION_THEMES
from warehouse.read.formatting import flag, human_count, is_missing, why_missing

wh = ui.page(
    "Institution profile",
    "One institution on every platform: its official accounts, how its audience grew, when it "
    "posts and which posts drew the most interactions.",
    needs="institutions",
)
institutions = data.institutions()
names = dict(zip(institutions["institution_id"], institutions["name"], strict=True))


def accounts_table(me: str, as_of: dt.date | None) -> None:
    """The institution's accounts: every one known (found or not), with its metrics on the day."""
    st.subheader("Accounts")
    accounts = data.institution_accounts(me, as_of)
    if accounts.empty:
        ui.explain(
            "No accounts are known for this institution. Add handles to the registry, or run "
            "`finsocial discover` to find them on its website."
        )
    else:
        safe_url = accounts["url"].where(accounts["url"].fillna("").str.match(r"https?://"))
        ui.table(
            pd.DataFrame(
                {
                    "Platform": accounts["platform"].map(ui.platform_name),
                    "Handle": accounts["handle"],
                    "Link": safe_url,
                    "Status, found via": [
                        f"{ui.missing_text(s)} · {ui.missing_text(f)}"
                        for s, f in zip(accounts["status"], accounts["found_via"], strict=True)
                    ],
                    "Followers": [
                        ui.value_text("followers", v, p == "rounded")
                        for v, p in zip(accounts["followers"], accounts["precision"], strict=True)
                    ],
                    "Growth 30d": accounts["growth_30d_pct"].map(
                        lambda v: ui.value_text("growth_30d_pct", v)
                    ),
                    "Posts / week": accounts["posts_per_week"].map(
                        lambda v: ui.value_text("posts_per_week", v)
                    ),
                    "Engagement": accounts["engagement_rate"].map(
                        lambda v: ui.value_text("engagement_rate", v)
                    ),
                    "vs expected": accounts["overperformance"].map(
                        lambda v: ui.value_text("overperformance", v)
                    ),
                    "Last count": accounts["last_snapshot"].map(ui.iso),
                }
            ),
            hide_index=True,
            width="stretch",
            placeholder=ui.MISSING,
            column_config={
                "Link": st.column_config.LinkColumn("Link", display_text="open ↗"),
                "Growth 30d": st.column_config.TextColumn(help=ui.metric_name("growth_30d_pct")),
                "Engagement": st.column_config.TextColumn(help=ui.metric_name("engagement_rate")),
                "vs expected": st.column_config.TextColumn(
                    help="Interactions per post against what the platform's fit expects for the "
                    "account's followers (2.00× is twice)"
                ),
            },
        )


c = st.columns([2, 1, 1])
me = ui.institution_picker(c[0], names, "ip_institution")
if not wh.has_metrics:
    # a registry without counts yet: still the institutions and their accounts, found or not
    span, as_of = 0, None
else:
    span = c[1].selectbox(
        "History",
        [90, 365, 730, 0],
        index=1,
        key="ip_span",
        format_func=lambda d: "All" if d == 0 else f"Last {d} days",
    )
    as_of = ui.as_of_picker(c[2], wh, "ip_as_of")
row = institutions.set_index("institution_id").loc[me]

st.header(ui.plain(row["name"]), divider="blue")
groups = ", ".join(row["groups"]) or "no peer group"
st.caption(ui.plain(f"{ui.kind_name(row['kind'])} · {row['country']} · {row['website']} · {groups}"))
if wh.has_metrics:
    # one click to "us against our peers on every metric": its saved peer set when it has one
    # (the first by name), else the suggested peers (same kind, same country first, nearest audience)
    own_sets = sorted(n for n, s in data.peer_sets().items() if s.institution_id == me)
    st.page_link(
        "views/peers.py",
        label=f"Peer benchmark of {ui.plain(row['name'])}",
        icon=":material/balance:",
        query_params={"institution": me, "mode": "saved", "peers": own_sets[0]}
        if own_sets
        else {"institution": me, "mode": "suggested"},
        help="Against its saved peer set, or its suggested peers: every metric side by side.",
    )
else:
    ui.no_counts_yet()
    accounts_table(me, None)
    st.subheader("Institutions in the registry")
    ui.table(
        pd.DataFrame(
            {
                "Institution": institutions["name"],
                "Kind": institutions["kind"].map(ui.kind_name),
                "Country": institutions["country"],
                "Website": institutions["website"],
                "Accounts known": ui.whole(institutions["accounts"]),
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=ui.MISSING,
        column_config=ui.right_aligned("Accounts known"),
    )
    ui.footer(wh)
    st.stop()

start = defaults.profile_start(wh, as_of, span)
history = data.metric_history([me], ["all", *wh.options["platforms"]], start, as_of)
overall = history[history["platform"] == "all"].sort_values("day")
now = overall[overall["day"] == pd.Timestamp(as_of)]
if now.empty:
    ui.explain(
        f"{ui.plain(row['name'])} has no counts on or before {as_of.isoformat()}. Its accounts "
        "are listed below; run `finsocial collect` to fetch their counts."
    )
else:
    now = now.iloc[0]
    trail = overall["followers"].dropna().tolist()
    grown = not is_missing(now["growth_30d"])
    k = st.columns(4)
    ui.metric_card(
        k[0],
        "Followers, all platforms",
        ("≈" if flag(now["rounded"]) else "") + human_count(now["followers"]),
        ui.value_text("growth_30d", now["growth_30d"]) + " in 30 days"
        if grown
        else why_missing("growth_30d"),
        trail,
        delta_color="normal" if grown else "off",
        delta_arrow="auto" if grown else "off",
    )
    for card, metric, note in (
        (k[1], "growth_30d_pct", "followers gained in 30 days"),
        (k[2], "posts_per_week", "own posts, last 28 days"),
        (k[3], "engagement_rate", "per post, by followers"),
    ):
        ui.metric_card(
            card,
            ui.metric_name(metric),
            ui.value_text(metric, now[metric]),
            note if not is_missing(now[metric]) else why_missing(metric),
            overall[metric].dropna().tolist(),
            delta_color="off",
            delta_arrow="off",
        )

accounts_table(me, as_of)

left, right = st.columns([1.6, 1])
with left:
    st.subheader("Followers per platform")
    log_y = st.toggle(
        "Logarithmic scale", value=True, key="ip_log", help="Shows small and large platforms together."
    )
    per_platform = history[history["platform"] != "all"]
    ui.chart(
        ui.figure(charts.history_lines, per_platform, "followers", "platform", log_y),
        "ip_history",
        f"{names[me]} · followers per platform · to {as_of.isoformat()}",
        f"finsocial-{me}-followers-{as_of.isoformat()}",
        wh,
    )
with right:
    st.subheader("Posting rhythm")
    rhythm = data.posting_rhythm(me, as_of, defaults.RECENT_DAYS)
    ui.chart(
        ui.figure(charts.posting_rhythm, rhythm),
        "ip_rhythm",
        f"{names[me]} · own posts by weekday (UTC) · 13 weeks to {as_of.isoformat()}",
        f"finsocial-{me}-rhythm-{as_of.isoformat()}",
        wh,
    )
    total = int(rhythm["posts"].sum()) if not rhythm.empty else 0
    st.caption(f"{total} own posts in the 13 weeks to {as_of.isoformat()}, by weekday (UTC).")

st.subheader("Top posts of the last 13 weeks")
# only the open tab is read and drawn (three grids at once were a third of the page's tables)
tabs = st.tabs(["Most interactions", "Most liked", "Most commented"], key="ip_top_posts", on_change="rerun")
for tab, order in zip(tabs, ["interactions", "likes", "comments"], strict=True):
    if not tab.open:
        continue
    posts = data.top_posts(me, as_of, order, defaults.RECENT_DAYS, 10)
    with tab:
        if posts.empty:
            st.caption("No posts collected in this period (posts come only through platform APIs).")
            continue
        shown = pd.DataFrame(
            {
                "Platform": posts["platform"].map(ui.platform_name),
                "Posted": posts["posted_at"].map(ui.iso),
                "Text": posts["text"],
                "Likes": posts["likes"],
                "Comments": posts["comments"],
                "Shares": posts["shares"],
                "Interactions": posts["interactions"],
                "Link": posts["url"].where(posts["url"].fillna("").str.match(r"https?://")),
            }
        ).dropna(axis="columns", how="all")
        counts = [c for c in ("Likes", "Comments", "Shares", "Interactions") if c in shown]
        shown[counts] = shown[counts].apply(ui.whole)
        ui.table(
            shown,
            shorten="Text",
            labels=[f"{where}, {day}" for where, day in zip(shown["Platform"], shown["Posted"], strict=True)],
            hide_index=True,
            width="stretch",
            column_config={
                "Link": st.column_config.LinkColumn("Link", display_text="open ↗"),
                **ui.right_aligned("Likes", "Comments", "Shares", "Interactions"),
            },
            placeholder=ui.MISSING,
        )

st.subheader("Posts that drew an unusual reaction, last 13 weeks")
recent = defaults.last_13_weeks(as_of)
flagged = data.industry_posts(recent, "reaction_multiple", institution_id=me, flagged=True, limit=20)
if flagged.empty:
    st.caption(
        "No post was flagged: none drew far more comments per like than its account usually gets, "
        "a share of negative comments twice its norm, or a storm of angry reactions."
    )
else:
    shown = tables.post_table(flagged)
    ui.table(
        shown,
        shorten="Text",
        labels=tables.post_labels(shown),
        hide_index=True,
        width="stretch",
        column_config=tables.POST_COLUMNS,
        placeholder=ui.MISSING,
    )
    st.caption(tables.UNUSUAL_NOTE)

st.subheader("Audience quality, from a weekly follower sample")
audience = data.audience_accounts(me, as_of)
if audience.empty:
    st.caption(
        "No follower sample yet. `finsocial collect --audience` samples the followers of Bluesky and "
        "Mastodon accounts (weekly); other platforms do not make follower lists public."
    )
else:
    ui.table(tables.audience_table(audience), hide_index=True, width="stretch", placeholder=ui.MISSING)
    st.caption(tables.AUDIENCE_NOTE)


WEBCARE_HEADERS = {
    "questions": "Questions",
    "answered_pct": "Answered",
    "reply_time_median": "Median reply",
    "reply_time_p90": "P90 reply",
    "within_target_pct": "In target",
    "replies_per_week": "Replies/week",
}
st.subheader("Webcare")
webcare = data.institution_webcare(me, as_of)
if webcare.empty:
    st.caption(
        "No threads observed under this institution's posts in the 28 days to this day (Instagram "
        "lists no comments; X threads are read only when the operator opts in)."
    )
else:
    ui.table(
        pd.DataFrame(
            {
                "Platform": webcare["platform"].map(ui.platform_name),
                # short headers: eight columns have to fit the page at 1440 px
                **ui.value_columns(webcare, WEBCARE_HEADERS),
                "Target": webcare["target_minutes"].map(lambda v: ui.value_text("reply_time_median", v)),
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=ui.MISSING,
    )
    st.caption(
        "Questions: others' direct replies to the institution's posts in the 28 days to this day; "
        "answered by any of its official accounts. All platforms: its questions pooled (not its "
        "accounts' rates averaged), each against its own platform's target. "
        "[Compare on the Webcare page](/webcare)."
    )

MENTION_HEADERS = {
    "mentions": "Mentions",
    "mention_authors": "Authors",
    "negative_share": "Negative",
    "positive_share": "Positive",
    "net_tone": "Net tone",
}
st.subheader("Conversation")
conversation = data.institution_mentions(me, as_of)
if conversation.empty:
    st.caption(
        "No mention search covered this day for this institution: `finsocial collect` searches "
        "Bluesky, Mastodon and (opt-in) X for posts that name it where a source is on."
    )
else:
    ui.table(
        pd.DataFrame(
            {
                "Platform": conversation["platform"].map(ui.platform_name),
                **ui.value_columns(conversation, MENTION_HEADERS),
                "Top theme": [
                    MENTION_THEMES[row.idxmax()[6:-6]] if row.notna().any() and row.max() > 0 else ui.MISSING
                    for _, row in conversation[[f"theme_{t}_share" for t in MENTION_THEMES]].iterrows()
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=ui.MISSING,
    )
    recent = data.storms(as_of - dt.timedelta(days=89), as_of, "all", institution_id=me)
    st.caption(
        "Posts by others that name the institution in the 28 days to this day; tone of those with "
        "a lexicon for their language. "
        + (
            f"Storms in the 90 days to this day: {', '.join(ui.iso(d) for d in recent['day'])}. "
            if not recent.empty
            else "No storm in the 90 days to this day. "
        )
        + "[Compare on the Conversation page](/conversation)."
    )

st.subheader("Practices")
rules = practices.load().measures
cards = {w: data.practices_scorecard(as_of, w, institution_id=me) for w in practices.WINDOWS}
if all(card.empty or not card["posts_seen"].fillna(0).sum() for card in cards.values()):
    st.caption(
        "No own posts of this institution collected in the 90 days to this day: the practices need "
        "its posts and their threads (counts imports have none)."
    )
else:
    ui.table(
        pd.DataFrame(
            {
                "Measure": [rule.label for rule in rules.values()],
                **{
                    f"{w} days": [
                        ui.MISSING
                        if card.empty
                        else ui.practice_text(name, card.iloc[0][name], card.iloc[0][f"{name}_state"])
                        for name in rules
                    ]
                    for w, card in cards.items()
                },
                "Threshold": [rule.rule for rule in rules.values()],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder=ui.MISSING,
    )
    st.caption(
        "🟢 green, 🟡 amber, 🔴 red against the documented threshold; no dot: too few behind it to "
        "judge. [Compare on the Practices page](/practices)."
    )
ui.footer(wh)
