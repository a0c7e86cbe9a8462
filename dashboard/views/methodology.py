"""Methodology: each metric's definition as computed, and where each platform's numbers come from."""

import pandas as pd
import streamlit as st

from dashboard import data, ui
from synth.calibration import (
    LARGE_ACCOUNT,
    LARGE_ACCOUNT_RATE,
    PUBLISHED_RANGE,
    RANGE_SOURCE,
    RANGE_SOURCE_URL,
    REFERENCE_ENGAGEMENT,
    REFERENCE_POSTS_PER_WEEK,
    SOURCE,
    SOURCE_URL,
    TOLERANCE,
)
from warehouse.domain.audience import DEFAULT_SAMPLE_SIZE, INACTIVE_DAYS, INFLUENCER_MIN, SMALL_MAX
from warehouse.domain.metrics import METRICS
from warehouse.domain.posts import BACKLASH_MIN_COMMENTS, BACKLASH_MULTIPLE
from warehouse.domain.power import PowerTerm, preset
from warehouse.domain.webcare import DEFAULT_TARGET_MINUTES, TARGETS_SOURCE

wh = ui.page(
    "Methodology",
    "What each number means, exactly as the warehouse computes it, and where each platform's "
    "numbers come from.",
    needs="nothing",
)

st.subheader("Metrics")
st.markdown(
    "For an account on day *t*, over the trailing 28 days of its own posts. A count the platform "
    "did not give is missing, never 0. Platform **All platforms** sums an institution's accounts "
    "(followers, growth, posts) or weights their rates by each account's audience."
)
st.markdown("\n".join(f"- **{m.label}** (`{m.name}`): {m.definition}" for m in METRICS.values()))
st.caption(
    "The definitions are computed in one place, warehouse/build/sql/marts/10_account_metrics.sql "
    "and 20_institution_metrics.sql (webcare: 30_webcare.sql), and used alike by the dashboard "
    "and `finsocial top`. "
    + "Lower is better for "
    + ", ".join(m.label.lower() for m in METRICS.values() if m.lower_is_better)
    + ": there the smallest value ranks first; for every other metric the largest does."
)

st.subheader("League tables")
st.markdown(
    "A league table ranks institutions by one metric on one platform, as of a day, among those "
    "that pass the filters (country, kind, peer group). Ties share a rank; an institution without "
    "a value ranks last. The movement arrow compares with the rank 30 days earlier in the same "
    "population; *new* means it had no value then. ≈ marks counts the platform rounds."
)

st.subheader("Audience quality from follower samples")
st.markdown(
    "Once a week, for each Bluesky and Mastodon account (the platforms whose follower lists and "
    f"their counts are public), finsocial reads the first pages of its follower list, up to "
    f"{DEFAULT_SAMPLE_SIZE:,} followers or all of them when fewer: Bluesky's getFollowers (100 a "
    "page) and then getProfiles (25 at a time) for each follower's own follower count; Mastodon's "
    "accounts/:id/followers (80 a page), whose entries carry their own counts and the day of their "
    "last post.\n\n"
    "**The sample is biased towards recent followers.** Both platforms list the newest followers "
    "first, so the sample is of who followed lately, not a random sample of all followers. The "
    "margins measure only the chance in who happened to follow lately, not that bias.\n\n"
    f"- Influencer followers: with at least {INFLUENCER_MIN:,} followers of their own; small "
    f"accounts: with at most {SMALL_MAX}; inactive: no post in the {INACTIVE_DAYS} days before the "
    "sample (Mastodon's last_status_at; Bluesky profiles show no last post, so it is missing "
    "there, not 0).\n"
    "- Each share is shown with its sample size and a 95% margin of error: 1.96 × √(p(1 − p)/n), "
    "times the finite-population correction √((N − n)/(N − 1)) when the account's follower count "
    "N is known (a sample of every follower has no margin).\n"
    "- The median follower's followers comes with a distribution-free 95% interval: the sampled "
    "counts of ranks ⌊(n − 1.96√n)/2⌋ and ⌈1 + (n + 1.96√n)/2⌉.\n"
    "- Only the counts are stored, never who follows whom."
)

st.subheader("Top posts and unusual reactions")
st.markdown(
    "Top posts rank the industry's posts of a week, month or quarter by likes, comments, shares, "
    "interactions, engagement rate (the post's interactions ÷ the account's followers that day × "
    "100), engagement against audience (its interactions ÷ what the platform's log-log fit of that "
    "day expects for an account of that size) or reaction against usual. Ties share a rank.\n\n"
    "A post's reaction ratio is its comments (and quotes, where the platform reports them) per "
    "like; its account's usual ratio is the median over the account's posts of the 90 days before. "
    f"A post at least {BACKLASH_MULTIPLE:g}× its usual ratio, with at least "
    f"{BACKLASH_MIN_COMMENTS} comments, is flagged **unusual reaction**. It is a signal to read the "
    "thread, not a sentiment verdict: finsocial counts replies, it does not read them, and a "
    "giveaway or a question draws many comments too."
)

st.subheader("Where the numbers come from")
SOURCES = [
    ("Bluesky", "Public AppView API: app.bsky.actor.getProfiles, getAuthorFeed", "nothing"),
    ("Mastodon", "The account's home instance: accounts/lookup, accounts/:id/statuses", "nothing"),
    (
        "YouTube",
        "Data API v3: channels.list, uploads playlist, videos.list; subscribers are "
        "rounded to 3 significant figures by YouTube",
        "API key",
    ),
    ("X", "API v2: users/by, users/:id/tweets public_metrics", "bearer token"),
    ("Facebook", "Graph API: page fan_count, followers_count, posts", "page or system-user token"),
    (
        "Instagram",
        "Graph API business_discovery: followers_count, media_count, media",
        "token of a linked professional account",
    ),
    (
        "LinkedIn, TikTok, Threads",
        "Manual counts import (CSV) of published figures; no scraping, "
        "their terms forbid it; no posts, so no engagement",
        "nothing",
    ),
]
st.table(pd.DataFrame(SOURCES, columns=["Platform", "How", "Needs"]).set_index("Platform"))
st.markdown(
    "Collectors run every night and land each run's raw payloads and normalized records before the "
    "warehouse is rebuilt, so a parser fix can rebuild history. Accounts come from the registry "
    "(a CSV the user owns) and from the institution's own website (links and JSON-LD `sameAs`)."
)

st.subheader("Webcare: do institutions answer, and how fast")
st.markdown(
    "A **question** is a comment by someone else that replies directly to an institution's own post "
    "in the 28 days to the day; a reply to a reply (a customer answering the bank's answer) is no "
    "new question, nor is a comment whose parent was deleted. It is **answered** when the "
    "institution replies to it directly, from the account or another of its official accounts; "
    "the **reply time** is the minutes to that first reply, however late it was seen. An "
    "institution's figures pool the questions of all its accounts (weighted by questions, not "
    "averaged). With no questions the shares are missing, not 0 and not 100. **Targets**: "
    f"{TARGETS_SOURCE}; {DEFAULT_TARGET_MINUTES:.0f} minutes on every other platform. The "
    "operator may set others (FINSOCIAL_WEBCARE_TARGETS); the Webcare page shows the one in force."
)
st.table(
    pd.DataFrame(
        [
            ("Bluesky", "getPostThread on recent posts, the account's feed with replies", "nothing"),
            ("Mastodon", "statuses/:id/context on recent posts, statuses with replies", "nothing"),
            ("Facebook", "the comments edge of recent posts, with their replies", "the page token"),
            ("YouTube", "commentThreads on recent videos (1 quota unit a call)", "API key"),
            (
                "X",
                "recent search by conversation (7 days back); X bills every post read",
                "operator's opt-in",
            ),
            ("Instagram", "none: business_discovery gives comments_count only, not the comments", "–"),
        ],
        columns=["Platform", "Threads read through", "Needs"],
    ).set_index("Platform")
)
st.caption(
    "Privacy: no comment text and no commenter is stored in the warehouse, only ids, times and "
    "whether the institution wrote the comment."
)

st.subheader("Power score formula")
weights = None
if wh is not None:
    weights = data.power_weights()
if weights is None or weights.empty:
    weights = pd.DataFrame(preset("default").rows())
st.markdown(
    f"In force: **{weights['formula'].iloc[0]}**. An institution's score sums these terms over its accounts."
)
terms = [
    PowerTerm(
        r["platform"],
        r["measure"],
        *(None if pd.isna(r[k]) else float(r[k]) for k in ("units_per_point", "weight")),
    )
    for r in weights.to_dict("records")
]
ui.table(
    pd.DataFrame(
        {
            "Platform": [ui.platform_name(t.platform) for t in terms],
            "Points": [t.describe() for t in terms],
        }
    ),
    hide_index=True,
    width="content",
    placeholder=ui.MISSING,
)
st.caption(
    "Presets: `default`, and `power100`, The Financial Brand's Power 100 formula as published for "
    "2013–2016 (its Facebook talking-about × engagement term is not reproducible from public counts "
    "and is left out). Set another with `finsocial build --weights FILE` (TOML, CSV or JSON) or "
    "FINSOCIAL_POWER_WEIGHTS."
)

st.subheader("Demo calibration")
st.markdown(
    "The demo's institutions are fictional and its numbers generated, calibrated to look like the "
    f"industry: on Facebook, Instagram and X, each platform's median engagement rate per post "
    f"(interactions per post by followers, median across accounts) and posts a week stay within "
    f"{TOLERANCE}× of [{SOURCE}]({SOURCE_URL}): "
    + ", ".join(f"{ui.platform_name(p)} {v:.3f}%" for p, v in REFERENCE_ENGAGEMENT.items())
    + f", about {REFERENCE_POSTS_PER_WEEK} posts a week on each. Engagement falls with audience as "
    "it does in real accounts. TikTok counts come in by import without posts, so the demo has no "
    "TikTok engagement to compare. No industry report covers Bluesky or Mastodon: there the median "
    f"sits inside the range published for the platform as a whole ([{RANGE_SOURCE}]({RANGE_SOURCE_URL}): "
    + ", ".join(f"{ui.platform_name(p)} {lo:g}% to {hi:g}%" for p, (lo, hi) in PUBLISHED_RANGE.items())
    + f"), and no account above {LARGE_ACCOUNT:,} followers has a median engagement rate over "
    f"{LARGE_ACCOUNT_RATE:g}%. Comments per like vary from post to post, and a few posts draw a heated thread."
)
ui.footer(wh)
