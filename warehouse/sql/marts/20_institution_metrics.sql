-- Per institution: its accounts on each platform, and on 'all' platforms together.
-- Counts are summed; rates are weighted by each account's audience.
INSERT INTO institution_metrics BY NAME
WITH
weighted AS (
    SELECT
        *,
        CASE WHEN growth_30d IS NOT NULL THEN baseline_followers END AS growth_base,
        CASE WHEN interactions_per_post IS NOT NULL THEN followers END AS ipp_weight,
        CASE WHEN engagement_rate IS NOT NULL THEN followers END AS er_weight,
        CASE WHEN overperformance IS NOT NULL THEN followers END AS op_weight,
        CASE WHEN presence_index IS NOT NULL THEN followers END AS pi_weight
    FROM account_metrics
    WHERE day >= (SELECT day FROM metrics_from)  -- earlier days were copied, as for accounts
),
rolled AS (
    SELECT
        institution_id,
        coalesce(platform, 'all') AS platform,
        day,
        count(*) AS accounts,
        sum(followers) AS followers,
        coalesce(bool_or(precision = 'rounded'), false) AS rounded,
        sum(growth_30d) AS growth_30d,
        CASE WHEN sum(growth_base) > 0 THEN sum(growth_30d) * 100.0 / sum(growth_base) END AS growth_30d_pct,
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
    GROUP BY GROUPING SETS ((institution_id, platform, day), (institution_id, day))
)
SELECT * FROM rolled
ORDER BY day, platform, institution_id
