-- institution_metrics is a view since 010: most institutions have one account on a platform, and
-- that platform's row of a day is the account's own row of account_metrics (a copy took a quarter of
-- the warehouse). The table underneath, institution_metrics_pooled, keeps the rows that pool several
-- accounts: a platform where two or more accounts have metrics that day, and every 'all' row
-- (20_institution_metrics.sql). Readers see the same columns, names and values as before.
ALTER TABLE institution_metrics RENAME TO institution_metrics_pooled;

CREATE VIEW institution_metrics AS
SELECT
    institution_id, platform, day, accounts, followers, rounded, growth_30d, growth_30d_pct,
    posts_per_week, interactions_per_post, engagement_rate, overperformance, presence_index,
    power_score, following, posts_total, likes_total, views_total, growth_90d, growth_90d_pct,
    growth_365d, growth_365d_pct
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
