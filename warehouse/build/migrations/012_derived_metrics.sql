-- account_metrics is a view since 012: the ratios that follow from other columns of the same row
-- (the growth percentages, the engagement rate, overperformance) are computed when read, by the
-- expressions 10_account_metrics.sql computes them with, instead of stored: doubles DuckDB barely
-- compresses, they were 45 % of the table. The table underneath is account_metrics_stored.
-- Readers see the same columns, types, order and values as before.
ALTER TABLE account_metrics RENAME TO account_metrics_stored;
ALTER TABLE account_metrics_stored DROP COLUMN growth_30d_pct;
ALTER TABLE account_metrics_stored DROP COLUMN growth_90d_pct;
ALTER TABLE account_metrics_stored DROP COLUMN growth_365d_pct;
ALTER TABLE account_metrics_stored DROP COLUMN engagement_rate;
ALTER TABLE account_metrics_stored DROP COLUMN overperformance;

CREATE VIEW account_metrics AS
SELECT
    account_id, institution_id, platform, day, followers, followers_date, precision,
    baseline_followers, growth_30d,
    CAST(CASE WHEN baseline_followers > 0 THEN growth_30d * 100.0 / baseline_followers END AS DOUBLE)
        AS growth_30d_pct,
    posts_28d, posts_per_week, interactions_per_post,
    CAST(
        CASE
            WHEN followers > 0 AND interactions_per_post IS NOT NULL
            THEN interactions_per_post * 100.0 / followers
        END AS DOUBLE
    ) AS engagement_rate,
    expected_interactions,
    CAST(
        CASE
            WHEN expected_interactions > 0 AND interactions_per_post IS NOT NULL
            THEN interactions_per_post / expected_interactions
        END AS DOUBLE
    ) AS overperformance,
    presence_index, power_score, followers_flagged, following, posts_total, likes_total, views_total,
    baseline_90d_followers, growth_90d,
    CAST(CASE WHEN baseline_90d_followers > 0 THEN growth_90d * 100.0 / baseline_90d_followers END AS DOUBLE)
        AS growth_90d_pct,
    baseline_365d_followers, growth_365d,
    CAST(CASE WHEN baseline_365d_followers > 0 THEN growth_365d * 100.0 / baseline_365d_followers END AS DOUBLE)
        AS growth_365d_pct
FROM account_metrics_stored;
