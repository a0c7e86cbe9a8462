-- account_metrics_stored keeps only what cannot be computed cheaply from the row when read (issue 25;
-- 012 did this for the ratios): the growths follow from the counts and baselines, interactions per
-- post from the 28-day sums, posts per week from the posts count and the day posts were first
-- fetched, the expected interactions from the platform's fit of the day, the presence index from
-- the two ranks and how many accounts were ranked that day. The power score stays stored: the
-- formula's list of terms, evaluated per row when read, made a full scan 30 times slower. Doubles
-- DuckDB barely compresses become integers that change slowly from one day to the next, and the
-- rows go a month at a time, each account's days together (10_account_metrics.sql), so that they
-- do. Readers see the same columns, types, order and values.
DROP VIEW account_metrics;
DROP TABLE account_metrics_stored;

CREATE TABLE account_metrics_stored (
    account_id VARCHAR NOT NULL,
    institution_id VARCHAR NOT NULL,
    platform VARCHAR NOT NULL,
    day DATE NOT NULL,
    followers BIGINT,
    following BIGINT,
    posts_total BIGINT,
    likes_total BIGINT,
    views_total BIGINT,
    followers_date DATE,                 -- the snapshot the value comes from
    followers_flagged BOOLEAN,
    trusted_followers BIGINT,            -- where followers is flagged: the latest count growth may start from
    precision VARCHAR,
    baseline_followers BIGINT,           -- followers(t-30), as-of within 7 days
    baseline_90d_followers BIGINT,       -- followers(t-90), as-of within 14 days
    baseline_365d_followers BIGINT,      -- followers(t-365), as-of within 31 days
    posts_28d BIGINT,
    posts_since DATE,                    -- the first snapshot of a run that fetched the posts
    interactions_28d BIGINT,             -- of the 28 days' posts with a count
    counted_28d BIGINT,                  -- those posts
    engagement_rank INTEGER,             -- rank() by engagement_rate among the platform's accounts that day
    growth_rank INTEGER,                 -- rank() by growth_30d_pct
    power_score DOUBLE
);

-- Per platform and day: the log-log fit of interactions per post on followers (NULL with fewer
-- than 3 accounts to fit), and how many accounts were ranked by each measure.
CREATE TABLE account_metric_days (
    platform VARCHAR NOT NULL,
    day DATE NOT NULL,
    intercept DOUBLE,
    slope DOUBLE,
    engagement_ranked INTEGER NOT NULL,
    growth_ranked INTEGER NOT NULL
);

-- The expressions are 10_account_metrics.sql's (before 016), so the values are the same to the bit;
-- a percent rank is DuckDB's percent_rank(): (rank - 1) / (ranked - 1), 0 when one is ranked.
CREATE VIEW account_metrics AS
SELECT
    account_id, institution_id, platform, day, followers, followers_date, precision,
    baseline_followers, growth_30d,
    CAST(CASE WHEN baseline_followers > 0 THEN growth_30d * 100.0 / baseline_followers END AS DOUBLE)
        AS growth_30d_pct,
    posts_28d, posts_per_week, interactions_per_post, engagement_rate, expected_interactions,
    CAST(
        CASE
            WHEN expected_interactions > 0 AND interactions_per_post IS NOT NULL
            THEN interactions_per_post / expected_interactions
        END AS DOUBLE
    ) AS overperformance,
    presence_index,
    power_score,
    followers_flagged, following, posts_total, likes_total, views_total,
    baseline_90d_followers, growth_90d,
    CAST(CASE WHEN baseline_90d_followers > 0 THEN growth_90d * 100.0 / baseline_90d_followers END AS DOUBLE)
        AS growth_90d_pct,
    baseline_365d_followers, growth_365d,
    CAST(CASE WHEN baseline_365d_followers > 0 THEN growth_365d * 100.0 / baseline_365d_followers END AS DOUBLE)
        AS growth_365d_pct
FROM (
    SELECT
        m.*,
        d.intercept,
        d.slope,
        -- growth skips a count flagged as an anomaly: it starts from the latest trusted one
        CASE WHEN m.followers_flagged THEN m.trusted_followers ELSE m.followers END AS growth_from,
        growth_from - m.baseline_followers AS growth_30d,
        growth_from - m.baseline_90d_followers AS growth_90d,
        growth_from - m.baseline_365d_followers AS growth_365d,
        CASE WHEN m.day >= m.posts_since THEN m.posts_28d / 4.0 END AS posts_per_week,
        CASE WHEN m.counted_28d > 0 THEN m.interactions_28d / m.counted_28d END AS interactions_per_post,
        CAST(
            CASE
                WHEN m.followers > 0 AND interactions_per_post IS NOT NULL
                THEN interactions_per_post * 100.0 / m.followers
            END AS DOUBLE
        ) AS engagement_rate,
        CASE
            WHEN m.followers > 0 AND d.slope IS NOT NULL
            THEN exp(d.intercept + d.slope * ln(m.followers))
        END AS expected_interactions,
        100 * sqrt(
            CASE
                WHEN d.engagement_ranked > 1 THEN (m.engagement_rank - 1) / (d.engagement_ranked - 1)
                WHEN m.engagement_rank IS NOT NULL THEN 0
            END
            * CASE
                WHEN d.growth_ranked > 1 THEN (m.growth_rank - 1) / (d.growth_ranked - 1)
                WHEN m.growth_rank IS NOT NULL THEN 0
            END
        ) AS presence_index
    FROM account_metrics_stored AS m
    LEFT JOIN account_metric_days AS d USING (platform, day)
) AS m;
