-- Per institution: its accounts on each platform, and on 'all' platforms together.
-- Counts are summed; rates are weighted by each account's audience. On 'all', only sums that mean
-- one thing on every platform: followers, posts_total and growth; not likes_total (Facebook page
-- likes), views_total (video views) or following (warehouse.metrics.ALL_PLATFORMS_REFUSED).
-- Only the rows that pool several accounts are stored (institution_metrics_pooled): every 'all' row,
-- and a platform's row where two or more of the institution's accounts on it have metrics that day.
-- A platform with one account that day is that account's own row, read through the view
-- institution_metrics (migration 010), which gives what these aggregates give for a group of one.
-- The growth percentages follow from the stored growths and baselines: the view computes them
-- (migration 018).
DELETE FROM institution_metrics_pooled
WHERE day BETWEEN getvariable('metrics_from') AND getvariable('metrics_to');

INSERT INTO institution_metrics_pooled BY NAME
WITH
shared AS (
    -- the platforms where an institution has several accounts (only these can pool two on a day)
    SELECT institution_id, platform
    FROM accounts
    GROUP BY ALL
    HAVING count(*) > 1
),
weighted AS (
    SELECT
        m.*,
        CASE WHEN s.platform IS NOT NULL THEN m.platform END AS shared_platform,
        CASE WHEN m.growth_30d IS NOT NULL THEN m.baseline_followers END AS growth_base,
        CASE WHEN m.growth_90d IS NOT NULL THEN m.baseline_90d_followers END AS growth_90d_base,
        CASE WHEN m.growth_365d IS NOT NULL THEN m.baseline_365d_followers END AS growth_365d_base,
        CASE WHEN m.interactions_per_post IS NOT NULL THEN m.followers END AS ipp_weight,
        CASE WHEN m.engagement_rate IS NOT NULL THEN m.followers END AS er_weight,
        CASE WHEN m.overperformance IS NOT NULL THEN m.followers END AS op_weight,
        CASE WHEN m.presence_index IS NOT NULL THEN m.followers END AS pi_weight
    FROM account_metrics AS m
    LEFT JOIN shared AS s USING (institution_id, platform)
    -- the days 10_account_metrics.sql has just computed; the others are kept
    WHERE m.day BETWEEN getvariable('metrics_from') AND getvariable('metrics_to')
),
rolled AS (
    SELECT
        institution_id,
        coalesce(shared_platform, 'all') AS platform,
        day,
        -- the accounts of platforms with one account all fall in one (institution, NULL) group: left out
        grouping(shared_platform) = 0 AND shared_platform IS NULL AS single_accounts,
        count(*) AS accounts,
        sum(followers) AS followers,
        CASE WHEN grouping(shared_platform) = 0 THEN sum(following) END AS following,
        sum(posts_total) AS posts_total,
        CASE WHEN grouping(shared_platform) = 0 THEN sum(likes_total) END AS likes_total,
        CASE WHEN grouping(shared_platform) = 0 THEN sum(views_total) END AS views_total,
        coalesce(bool_or(precision = 'rounded'), false) AS rounded,
        sum(growth_30d) AS growth_30d,
        sum(growth_base) AS growth_30d_base,
        sum(growth_90d) AS growth_90d,
        sum(growth_90d_base) AS growth_90d_base,
        sum(growth_365d) AS growth_365d,
        sum(growth_365d_base) AS growth_365d_base,
        sum(posts_per_week) AS posts_per_week,
        CASE WHEN sum(ipp_weight) > 0 THEN sum(interactions_per_post * ipp_weight) / sum(ipp_weight) END
            AS interactions_per_post,
        CASE WHEN sum(er_weight) > 0 THEN sum(engagement_rate * er_weight) / sum(er_weight) END
            AS engagement_rate,
        CASE WHEN sum(op_weight) > 0 THEN sum(overperformance * op_weight) / sum(op_weight) END
            AS overperformance,
        CASE WHEN sum(pi_weight) > 0 THEN sum(presence_index * pi_weight) / sum(pi_weight) END
            AS presence_index,
        sum(power_score) AS power_score
    FROM weighted
    GROUP BY GROUPING SETS ((institution_id, shared_platform, day), (institution_id, day))
)
SELECT * EXCLUDE (single_accounts)
FROM rolled
-- 'all', and a shared platform on the days two or more of its accounts have metrics (one is the
-- account's own row, in the view)
WHERE NOT single_accounts AND (platform = 'all' OR accounts > 1)
ORDER BY day, platform, institution_id
