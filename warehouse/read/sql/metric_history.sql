-- Institutions' metrics per platform over a span of days; every $step-th day (counted back from
-- $end) so that years of history stay a few hundred points per line.
SELECT
    m.day,
    m.institution_id,
    i.name,
    m.platform,
    m.followers,
    m.rounded,
    m.growth_30d,
    m.growth_30d_pct,
    m.posts_per_week,
    m.interactions_per_post,
    m.engagement_rate
FROM institution_metrics AS m
JOIN institutions AS i USING (institution_id)
WHERE list_contains($institutions, m.institution_id)
  AND list_contains($platforms, m.platform)
  AND m.day BETWEEN $start AND $end
  AND date_diff('day', m.day, $end) % $step = 0
ORDER BY m.day, m.platform, i.name
