-- Every metric of every account for every day from its first snapshot to the last day with data.
-- The definitions are the README's "Metrics" section; this file is the one place they are computed.
INSERT INTO account_metrics BY NAME
WITH
bounds AS (
    SELECT max(snapshot_date) AS last_day FROM account_snapshots
),
spans AS (
    SELECT account_id, min(snapshot_date) AS first_day
    FROM account_snapshots
    GROUP BY account_id
),
grid AS (
    SELECT a.account_id, a.institution_id, a.platform, CAST(d.day AS DATE) AS day
    FROM spans AS s
    JOIN accounts AS a USING (account_id)
    CROSS JOIN bounds AS b
    CROSS JOIN LATERAL (
        SELECT unnest(generate_series(s.first_day, b.last_day, INTERVAL 1 DAY)) AS day
    ) AS d
),
trusted AS (
    -- growth skips a count flagged as an anomaly until the next snapshot confirms it
    SELECT * FROM account_snapshots WHERE anomaly IS DISTINCT FROM 'flagged'
),
posts_observed_since AS (
    -- posts_per_week is only known from the first run that fetched the account's posts
    SELECT account_id, min(snapshot_date) AS since
    FROM account_snapshots
    WHERE posts_observed
    GROUP BY account_id
),
post_days AS (
    SELECT
        account_id,
        CAST(posted_at AS DATE) AS day,
        count(*) AS n_posts,
        count(interactions) AS n_counted,
        sum(interactions) AS interactions
    FROM posts
    GROUP BY ALL
),
post_running AS (
    -- running totals, so that a 28-day window is the difference of two as-of lookups
    SELECT
        account_id,
        day,
        sum(n_posts) OVER w AS cum_posts,
        sum(n_counted) OVER w AS cum_counted,
        sum(coalesce(interactions, 0)) OVER w AS cum_interactions
    FROM post_days
    WINDOW w AS (PARTITION BY account_id ORDER BY day ROWS UNBOUNDED PRECEDING)
),
as_of AS (
    SELECT
        g.*,
        cur.followers,
        cur.snapshot_date AS followers_date,
        cur.precision,
        cur.views_total,
        cur.likes_total,
        coalesce(cur.anomaly = 'flagged', false) AS followers_flagged,
        cur_ok.followers AS trusted_followers,
        -- followers(t-30): the nearest snapshot on or before t-30, at most 7 days older
        CASE WHEN base.snapshot_date >= g.day - 37 THEN base.followers END AS baseline_followers,
        coalesce(p_now.cum_posts, 0) - coalesce(p_then.cum_posts, 0) AS posts_28d,
        coalesce(p_now.cum_counted, 0) - coalesce(p_then.cum_counted, 0) AS counted_28d,
        coalesce(p_now.cum_interactions, 0) - coalesce(p_then.cum_interactions, 0) AS interactions_28d,
        g.day >= o.since AS posts_known
    FROM grid AS g
    ASOF LEFT JOIN account_snapshots AS cur
        ON cur.account_id = g.account_id AND cur.snapshot_date <= g.day
    ASOF LEFT JOIN trusted AS cur_ok
        ON cur_ok.account_id = g.account_id AND cur_ok.snapshot_date <= g.day
    ASOF LEFT JOIN trusted AS base
        ON base.account_id = g.account_id AND base.snapshot_date <= g.day - 30
    ASOF LEFT JOIN post_running AS p_now
        ON p_now.account_id = g.account_id AND p_now.day <= g.day
    ASOF LEFT JOIN post_running AS p_then
        ON p_then.account_id = g.account_id AND p_then.day <= g.day - 28
    LEFT JOIN posts_observed_since AS o
        ON o.account_id = g.account_id
),
rates AS (
    SELECT
        *,
        trusted_followers - baseline_followers AS growth_30d,
        CASE
            WHEN baseline_followers > 0
            THEN (trusted_followers - baseline_followers) * 100.0 / baseline_followers
        END AS growth_30d_pct,
        CASE WHEN posts_known THEN posts_28d / 4.0 END AS posts_per_week,
        CASE WHEN counted_28d > 0 THEN interactions_28d / counted_28d END AS interactions_per_post
    FROM as_of
),
engagement AS (
    SELECT
        *,
        CASE
            WHEN followers > 0 AND interactions_per_post IS NOT NULL
            THEN interactions_per_post * 100.0 / followers
        END AS engagement_rate
    FROM rates
),
fits AS (
    -- log-log fit of interactions per post on followers, per platform and day
    SELECT
        platform,
        day,
        regr_intercept(ln(interactions_per_post), ln(followers)) AS intercept,
        regr_slope(ln(interactions_per_post), ln(followers)) AS slope
    FROM engagement
    WHERE interactions_per_post > 0 AND followers > 0
    GROUP BY ALL
    HAVING count(*) >= 3
),
ranked AS (
    -- percentile ranks (0-1) among the platform's accounts with a value that day
    SELECT
        e.*,
        CASE
            WHEN e.followers > 0 AND f.slope IS NOT NULL
            THEN exp(f.intercept + f.slope * ln(e.followers))
        END AS expected_interactions,
        CASE WHEN e.engagement_rate IS NOT NULL THEN percent_rank() OVER (
            PARTITION BY e.platform, e.day, e.engagement_rate IS NULL ORDER BY e.engagement_rate
        ) END AS engagement_pct_rank,
        CASE WHEN e.growth_30d_pct IS NOT NULL THEN percent_rank() OVER (
            PARTITION BY e.platform, e.day, e.growth_30d_pct IS NULL ORDER BY e.growth_30d_pct
        ) END AS growth_pct_rank
    FROM engagement AS e
    LEFT JOIN fits AS f USING (platform, day)
)
SELECT
    r.account_id,
    r.institution_id,
    r.platform,
    r.day,
    r.followers,
    r.followers_date,
    r.followers_flagged,
    r.precision,
    r.baseline_followers,
    r.growth_30d,
    r.growth_30d_pct,
    r.posts_28d,
    r.posts_per_week,
    r.interactions_per_post,
    r.engagement_rate,
    r.expected_interactions,
    CASE
        WHEN r.expected_interactions > 0 AND r.interactions_per_post IS NOT NULL
        THEN r.interactions_per_post / r.expected_interactions
    END AS overperformance,
    100 * sqrt(r.engagement_pct_rank * r.growth_pct_rank) AS presence_index,
    CASE w.measure
        WHEN 'followers' THEN r.followers
        WHEN 'likes_total' THEN r.likes_total
        WHEN 'views_total' THEN r.views_total
    END / w.units_per_point AS power_score
FROM ranked AS r
LEFT JOIN power_weights AS w USING (platform)
ORDER BY r.day, r.platform, r.account_id
