-- institution_metrics_pooled keeps the growths' pooled baselines instead of their percentages
-- (issue 25, as 012 did for account_metrics): a percentage follows from the row's growth and
-- baseline and is computed when read, by 20_institution_metrics.sql's expression. Readers of the
-- view institution_metrics see the same columns, types, order and values.
ALTER TABLE institution_metrics_pooled DROP COLUMN growth_30d_pct;
ALTER TABLE institution_metrics_pooled DROP COLUMN growth_90d_pct;
ALTER TABLE institution_metrics_pooled DROP COLUMN growth_365d_pct;
ALTER TABLE institution_metrics_pooled ADD COLUMN growth_30d_base BIGINT;   -- the baselines of the accounts with a growth
ALTER TABLE institution_metrics_pooled ADD COLUMN growth_90d_base BIGINT;
ALTER TABLE institution_metrics_pooled ADD COLUMN growth_365d_base BIGINT;

CREATE OR REPLACE VIEW institution_metrics AS
SELECT
    institution_id, platform, day, accounts, followers, rounded, growth_30d,
    CAST(CASE WHEN growth_30d_base > 0 THEN growth_30d * 100.0 / growth_30d_base END AS DOUBLE)
        AS growth_30d_pct,
    posts_per_week, interactions_per_post, engagement_rate, overperformance, presence_index,
    power_score, following, posts_total, likes_total, views_total, growth_90d,
    CAST(CASE WHEN growth_90d_base > 0 THEN growth_90d * 100.0 / growth_90d_base END AS DOUBLE)
        AS growth_90d_pct,
    growth_365d,
    CAST(CASE WHEN growth_365d_base > 0 THEN growth_365d * 100.0 / growth_365d_base END AS DOUBLE)
        AS growth_365d_pct
FROM institution_metrics_pooled
UNION ALL
-- what the pooled aggregates give for a group of one account: its own values, a rate only where
-- its audience weighs (followers > 0)
SELECT
    m.institution_id,
    m.platform,
    m.day,
    CAST(1 AS INTEGER) AS accounts,
    m.followers,
    coalesce(m.precision = 'rounded', false) AS rounded,
    m.growth_30d,
    m.growth_30d_pct,
    m.posts_per_week,
    CASE WHEN m.followers > 0 THEN m.interactions_per_post END AS interactions_per_post,
    CASE WHEN m.followers > 0 THEN m.engagement_rate END AS engagement_rate,
    CASE WHEN m.followers > 0 THEN m.overperformance END AS overperformance,
    CASE WHEN m.followers > 0 THEN m.presence_index END AS presence_index,
    m.power_score,
    m.following,
    m.posts_total,
    m.likes_total,
    m.views_total,
    m.growth_90d,
    m.growth_90d_pct,
    m.growth_365d,
    m.growth_365d_pct
FROM account_metrics AS m
ANTI JOIN institution_metrics_pooled AS p
    ON p.institution_id = m.institution_id AND p.platform = m.platform AND p.day = m.day;
