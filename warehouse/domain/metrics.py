"""The metrics finsocial computes: names, labels, formats and definitions."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.domain.platforms import DEFAULT_POWER_WEIGHTS  # noqa: F401 (one point per this many units, per platform)

MENTIONS_SOURCE = "institution_mentions"
# The themes of mentions (the keys of warehouse.domain.text's lists) and how a page names them.
MENTION_THEMES = {
    "outage": "Outages and app problems",
    "fees": "Fees and rates",
    "fraud": "Fraud and scams",
    "service": "Customer service",
    "loans": "Mortgages and loans",
    "payments": "Cards and payments",
    "sustainability": "Sustainability and ethics",
    "closures": "Closures and jobs",
}
# Themes a bank would rather be talked about less for: their league tables rank the least first.
NEGATIVE_THEMES = frozenset({"outage", "fees", "fraud", "closures"})


@dataclass(frozen=True)
class Metric:
    """A column of the metrics marts that a league table can rank by, and which way it ranks.

    `lower_is_better` is the one statement of a metric's direction: league tables, `top`, rank
    histories and the dashboard all follow it (reply times: the fastest ranks first).
    """

    name: str
    label: str
    kind: str  # count | percent | ratio | score | rate | minutes
    definition: str
    # or "audience_samples": weekly, with a sample size and margin; or "institution_mentions"
    source: str = "institution_metrics"
    lower_is_better: bool = False

    @property
    def sql_order(self) -> str:
        """The ORDER BY direction that puts the best value first."""
        return "ASC" if self.lower_is_better else "DESC"


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("followers", "Followers", "count", "Followers in the latest snapshot on or before the day."),
        Metric(
            "growth_30d",
            "Growth, 30 days",
            "count",
            "followers(t) − followers(t−30); t−30 taken as-of: the nearest earlier snapshot, "
            "at most 7 days older. NULL without such a baseline.",
        ),
        Metric("growth_30d_pct", "Growth, 30 days (%)", "percent", "growth_30d ÷ followers(t−30) × 100."),
        Metric(
            "growth_90d",
            "Growth, 90 days",
            "count",
            "followers(t) − followers(t−90); t−90 taken as-of: the nearest earlier snapshot, "
            "at most 14 days older (a quarter's counts a few days apart still meet). NULL without one.",
        ),
        Metric("growth_90d_pct", "Growth, 90 days (%)", "percent", "growth_90d ÷ followers(t−90) × 100."),
        Metric(
            "growth_365d",
            "Growth, 365 days",
            "count",
            "followers(t) − followers(t−365); t−365 taken as-of: the nearest earlier snapshot, "
            "at most 31 days older. NULL without one.",
        ),
        Metric("growth_365d_pct", "Growth, 365 days (%)", "percent", "growth_365d ÷ followers(t−365) × 100."),
        Metric(
            "posts_per_week",
            "Posts per week",
            "rate",
            "The account's own posts in (t−28, t] ÷ 4. NULL where posts are not collected.",
        ),
        Metric(
            "interactions_per_post",
            "Interactions per post",
            "rate",
            "Mean of likes + comments + shares (+ quotes), those the platform reports, over the "
            "posts of (t−28, t]. NULL without posts.",
        ),
        Metric(
            "engagement_rate",
            "Engagement rate (%)",
            "percent",
            "interactions_per_post ÷ followers × 100: per post, by followers.",
        ),
        Metric(
            "overperformance",
            "Engagement vs audience",
            "ratio",
            "interactions_per_post ÷ expected, where expected comes from a log-log fit of "
            "interactions per post on followers across the platform's accounts that day "
            "(at least 3 accounts with both).",
        ),
        Metric(
            "presence_index",
            "Presence index",
            "score",
            "100 × √(E × G), E and G the percentile ranks (0–1) of engagement_rate and "
            "growth_30d_pct among the platform's accounts that day.",
        ),
        Metric(
            "likes_total",
            "Likes",
            "count",
            "Likes in the latest snapshot: page likes on Facebook (fan_count), likes received "
            "where a platform publishes them (TikTok), or as published. Not summed over platforms.",
        ),
        Metric(
            "views_total",
            "Views",
            "count",
            "Total views in the latest snapshot (YouTube's channel views), or as published. "
            "Not summed over platforms.",
        ),
        Metric(
            "posts_total",
            "Posts, all time",
            "count",
            "The account's total posts (tweets, videos, statuses) in the latest snapshot, as the "
            "platform counts them; summed over platforms for 'all'.",
        ),
        Metric(
            "following",
            "Following",
            "count",
            "Accounts the account follows, in the latest snapshot. Not summed over platforms.",
        ),
        Metric(
            "power_score",
            "Power score",
            "score",
            "The sum of the formula's terms for the platform, each a count or metric ÷ its units per "
            "point (or × its weight), those the account has a value for; summed across platforms "
            "for 'all'. The formula in force is named with the table (presets: default, and The "
            "Financial Brand's Power 100 of 2013–2016).",
        ),
        # Audience quality, from a weekly sample of the newest followers (Bluesky, Mastodon).
        Metric(
            "influencer_share",
            "Influencer followers (%)",
            "percent",
            "Sampled followers with at least 1,000 followers of their own ÷ sampled followers "
            "with a public count × 100, ± a 95% margin.",
            "audience_samples",
        ),
        Metric(
            "small_share",
            "Small-account followers (%)",
            "percent",
            "Sampled followers with at most 50 followers of their own ÷ sampled followers × 100, "
            "± a 95% margin.",
            "audience_samples",
            lower_is_better=True,
        ),
        Metric(
            "inactive_share",
            "Inactive followers (%)",
            "percent",
            "Sampled followers whose profile shows no post in the 90 days before the sample ÷ "
            "those whose profile shows a last post (Mastodon only; NULL on Bluesky) × 100.",
            "audience_samples",
            lower_is_better=True,
        ),
        Metric(
            "median_follower_followers",
            "Median follower's followers",
            "count",
            "The median follower count of the sampled followers, with a 95% interval from "
            "order statistics (one account only).",
            "audience_samples",
        ),
        # Webcare (warehouse/build/sql/marts/30_webcare.sql), over questions asked in (t−28, t].
        Metric(
            "questions",
            "Questions (28 days)",
            "count",
            "Comments by others replying directly to the account's own posts in (t−28, t] (a reply "
            "to a reply is not a new question). NULL where the platform's threads are not observed.",
        ),
        Metric(
            "answered_pct",
            "Questions answered (%)",
            "percent",
            "Share of those questions the institution replied to directly (from the account or "
            "another of its official accounts). NULL with no questions: neither 0 nor 100.",
        ),
        Metric(
            "reply_time_median",
            "Median reply time",
            "minutes",
            "Median minutes from a question to the institution's first reply, over the answered "
            "questions (linear interpolation). Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "reply_time_p90",
            "Reply time, 90th percentile",
            "minutes",
            "90th percentile of those minutes (linear interpolation): the slow tail. Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "within_target_pct",
            "Answered within target (%)",
            "percent",
            "Share of all questions answered within the platform's target: 15 minutes on X, 30 on "
            "Facebook, 60 elsewhere (after ABN AMRO's published webcare targets; configurable).",
        ),
        Metric(
            "replies_per_week",
            "Replies per week",
            "rate",
            "The institution's own public replies to others in (t−28, t] ÷ 4: its visible webcare.",
        ),
        # Mentions (warehouse/build/sql/marts/50_mentions.sql), over posts by others in (t−28, t].
        Metric(
            "mentions",
            "Mentions (28 days)",
            "count",
            "Posts by others in (t−28, t] that name the institution by one of its search terms as "
            "whole words (its own posts excluded), on the days a search ran. NULL where no search "
            "ran; 0 where it ran and found none.",
            MENTIONS_SOURCE,
        ),
        Metric(
            "mention_authors",
            "Mention authors (28 days)",
            "count",
            "Distinct authors of those mentions (counted by a keyed hash, never stored by name).",
            MENTIONS_SOURCE,
        ),
        Metric(
            "share_of_voice",
            "Share of voice (%)",
            "percent",
            "The institution's mentions ÷ the mentions of every institution in the selection "
            "(platform, country, kind, peer group) × 100, on the same day: it follows the filters.",
            MENTIONS_SOURCE,
        ),
        Metric(
            "negative_share",
            "Negative mentions (%)",
            "percent",
            "Mentions whose tone is negative ÷ mentions with a tone × 100 (a language without a "
            "lexicon gives no tone). NULL without toned mentions. Lower is better.",
            MENTIONS_SOURCE,
            lower_is_better=True,
        ),
        Metric(
            "positive_share",
            "Positive mentions (%)",
            "percent",
            "Mentions whose tone is positive ÷ mentions with a tone × 100.",
            MENTIONS_SOURCE,
        ),
        Metric(
            "net_tone",
            "Net tone (points)",
            "score",
            "positive_share − negative_share, in percentage points (−100 to +100).",
            MENTIONS_SOURCE,
        ),
        *(
            Metric(
                f"theme_{key}_share",
                f"{label} in mentions (%)",
                "percent",
                f"Mentions about {label.lower()} (the theme's keyword lists) ÷ mentions × 100; "
                "a mention can have several themes.",
                MENTIONS_SOURCE,
                lower_is_better=key in NEGATIVE_THEMES,
            )
            for key, label in MENTION_THEMES.items()
        ),
        # Practices (warehouse/build/sql/marts/60_practices.sql), over the posts and questions of
        # (t−28, t]; thresholds and states in warehouse/domain/practices.toml.
        Metric(
            "removed_comments",
            "Comments removed (28 days)",
            "count",
            "Comments by others seen under the posts of (t−28, t] and later gone while the post "
            "stayed: missing from a complete later read of the thread, or the post's comment count "
            "fallen below its peak (the larger of the two per post). Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "removed_share",
            "Comments removed (%)",
            "percent",
            "removed_comments ÷ comments seen (per post the larger of its peak comment count and "
            "the comments by others seen in its threads) × 100. Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "closed_share",
            "Posts closed to replies (%)",
            "percent",
            "Own posts of (t−28, t] whose replies the platform shows as off or restricted (Bluesky "
            "threadgate, X reply settings, YouTube comments disabled) ÷ posts whose platform says "
            "× 100. NULL where no platform says. Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "bait_share",
            "Bait posts (%)",
            "percent",
            "Own posts of (t−28, t] that ask for comments, tags or likes for their own sake (the "
            "phrase lists, extendable) ÷ posts with text × 100. Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "empty_reply_share",
            "Empty replies (%)",
            "percent",
            "The institution's replies under its posts of (t−28, t] that say nothing (a generic "
            "phrase from the lists and little else) ÷ its replies read × 100. Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "negative_comment_share",
            "Negative comments (%)",
            "percent",
            "Comments by others under the posts of (t−28, t] the offline classifier calls negative "
            "÷ those it could judge × 100 (no lexicon for the language: not judged). Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "reply_target_ratio",
            "Median reply ÷ target",
            "ratio",
            "The median over answered questions of (t−28, t] of minutes to the first reply ÷ the "
            "platform's webcare target: 1 is on target. Lower is better.",
            lower_is_better=True,
        ),
        Metric(
            "reply_median_business",
            "Median reply time, business hours",
            "minutes",
            "Median minutes to the first reply counted only inside the business hours of the "
            "institution's country (09:00–17:00 local, weekdays, public holidays off; configurable). "
            "Lower is better.",
            lower_is_better=True,
        ),
    )
}

# Counts whose sum across platforms would add different things. No 'all' league table for them;
# followers, posts_total and growth are summed (README "Metrics").
ALL_PLATFORMS_REFUSED: dict[str, str] = {
    "likes_total": "likes_total is an audience on Facebook (page likes) but likes received elsewhere "
    "(TikTok), so their sum means nothing",
    "views_total": "each platform counts a view differently (a YouTube view is not a Facebook or "
    "TikTok view), so their sum means nothing",
    "following": "following counts accounts followed, not an audience, so its sum means nothing",
}


def check_platform_metric(platform: str, metric: str) -> None:
    """ValueError when `metric` has no meaningful sum over all platforms and platform is 'all'."""
    if platform == "all" and metric in ALL_PLATFORMS_REFUSED:
        raise ValueError(
            f"no league table by {metric} on all platforms: {ALL_PLATFORMS_REFUSED[metric]}; "
            "choose a platform"
        )


def check_metric(name: str) -> str:
    """The metric's name if it is known (it becomes a column name in SQL), else ValueError."""
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}")
    return name


# Rankings that mean something: a rate by audience ranks only accounts with an audience to speak
# of (a 35-follower account's 113.9 % engagement is two friends' likes), and a reply time only
# institutions that answered enough questions. Each ranking states its minimum and how many it
# left out; `top`, `posts` and the pages take another with --min-followers / --min-questions.
MIN_FOLLOWERS = 1_000
MIN_QUESTIONS = 10
# The metrics ranked per follower (they need an audience), and those of answered questions.
FOLLOWER_MINIMUM_METRICS = (
    "growth_30d_pct",
    "growth_90d_pct",
    "growth_365d_pct",
    "engagement_rate",
    "overperformance",
    "presence_index",
)
QUESTION_MINIMUM_METRICS = ("answered_pct", "reply_time_median", "reply_time_p90", "within_target_pct")


def minimum_of(metric: str) -> str | None:
    """What a ranking by `metric` needs a minimum of: 'followers', 'questions' or nothing."""
    if metric in FOLLOWER_MINIMUM_METRICS:
        return "followers"
    if metric in QUESTION_MINIMUM_METRICS:
        return "questions"
    return None


def minimum_phrase(what: str, minimum: int) -> str:
    """'at least 1,000 followers', 'at least 10 questions'."""
    return f"at least {minimum:,} {what if minimum != 1 else what.removesuffix('s')}"


def left_out_phrase(count: int, what: str, minimum: int) -> str:
    """'12 institutions under 1,000 followers left out', '3 institutions asked fewer than 10
    questions left out' ('1 institution ...')."""
    noun = "institution" if count == 1 else "institutions"
    if what == "questions":
        return f"{count:,} {noun} asked fewer than {minimum:,} questions left out"
    return f"{count:,} {noun} under {minimum:,} {what} left out"
