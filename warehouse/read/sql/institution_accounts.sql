-- An institution's accounts with their metrics on one day.
SELECT
    a.platform,
    a.handle,
    a.url,
    a.display_name,
    a.status,
    a.found_via,
    a.first_snapshot,
    a.last_snapshot,
    m.followers,
    m.precision,
    m.growth_30d,
    m.growth_30d_pct,
    m.posts_per_week,
    m.interactions_per_post,
    m.engagement_rate,
    m.overperformance
FROM accounts AS a
LEFT JOIN account_metrics AS m
    ON m.account_id = a.account_id AND m.day = $as_of
WHERE a.institution_id = $institution_id
ORDER BY m.followers DESC NULLS LAST, a.platform, a.handle
