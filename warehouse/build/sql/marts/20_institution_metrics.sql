-- Per institution: its accounts on each platform, and on 'all' platforms together.
-- Counts are summed; rates are weighted by each account's audience. On 'all', only sums that mean
-- one thing on every platform: followers, posts_total and growth; not likes_total (Facebook page
-- likes), views_total (video views) or following (warehouse.metrics.ALL_PLATFORMS_REFUSED).
-- Most institutions have one account on a platform: those rows are the account's own values, so
-- only platforms with several accounts, and 'all', are aggregated (far fewer groups to hash).
CREATE OR REPLACE TEMP MACRO growth_pct(change, baseline) AS
    CASE WHEN baseline > 0 THEN change * 100.0 / baseline END;

DELETE FROM institution_metrics WHERE day BETWEEN getvariable('metrics_from') AND getvariable('metrics_to');

INSERT INTO institution_metrics BY NAME
WITH
shared AS (
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
single AS (
    -- what the aggregates below give for a group of one account
    SELECT
        institution_id,
        platform,
        day,
        1 AS accounts,
        followers,
        following,
        posts_total,
        likes_total,
        views_total,
        coalesce(precision = 'rounded', false) AS rounded,
        growth_30d,
        growth_pct(growth_30d, growth_base) AS growth_30d_pct,
        growth_90d,
        growth_pct(growth_90d, growth_90d_base) AS growth_90d_pct,
        growth_365d,
        growth_pct(growth_365d, growth_365d_base) AS growth_365d_pct,
        posts_per_week,
        CASE WHEN ipp_weight > 0 THEN interactions_per_post END AS interactions_per_post,
        CASE WHEN er_weight > 0 THEN engagement_rate END AS engagement_rate,
        CASE WHEN op_weight > 0 THEN overperformance END AS overperformance,
        CASE WHEN pi_weight > 0 THEN presence_index END AS presence_index,
        power_score
    FROM weighted
    WHERE shared_platform IS NULL
),
rolled AS (
    SELECT
        institution_id,
        coalesce(shared_platform, 'all') AS platform,
        day,
        grouping(shared_platform) = 0 AND shared_platform IS NULL AS single_accounts,
        count(*) AS accounts,
        sum(followers) AS followers,
        CASE WHEN grouping(shared_platform) = 0 THEN sum(following) END AS following,
        sum(posts_total) AS posts_total,
        CASE WHEN grouping(shared_platform) = 0 THEN sum(likes_total) END AS likes_total,
        CASE WHEN grouping(shared_platform) = 0 THEN sum(views_total) END AS views_total,
        coalesce(bool_or(precision = 'rounded'), false) AS rounded,
        sum(growth_30d) AS growth_30d,
        growth_pct(sum(growth_30d), sum(growth_base)) AS growth_30d_pct,
        sum(growth_90d) AS growth_90d,
        growth_pct(sum(growth_90d), sum(growth_90d_base)) AS growth_90d_pct,
        sum(growth_365d) AS growth_365d,
        growth_pct(sum(growth_365d), sum(growth_365d_base)) AS growth_365d_pct,
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
SELECT * FROM single
UNION ALL
-- the (institution, no shared platform) groups are the single accounts' rows again: left out
SELECT * EXCLUDE (single_accounts) FROM rolled WHERE NOT single_accounts
ORDER BY day, platform, institution_id
