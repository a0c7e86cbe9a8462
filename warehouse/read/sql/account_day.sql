-- Every account of one platform on one day with its institution: the engagement-against-audience view.
SELECT
    m.account_id,
    m.institution_id,
    i.name,
    i.country,
    i.kind,
    a.handle,
    a.url,
    m.platform,
    m.followers,
    m.precision,
    m.growth_30d_pct,
    m.posts_per_week,
    m.interactions_per_post,
    m.engagement_rate,
    m.expected_interactions,
    m.overperformance
FROM account_metrics AS m
JOIN institutions AS i USING (institution_id)
JOIN accounts AS a USING (account_id)
WHERE m.platform = $platform
  AND m.day = $as_of
ORDER BY m.followers DESC NULLS LAST, m.account_id
