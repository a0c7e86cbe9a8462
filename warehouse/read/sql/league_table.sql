-- The population of a league of a daily metric ({metric}, a checked column name) on one platform
-- (or 'all'), ranked by league_rank.sql: each institution's metrics on the day and a period
-- earlier; every filter value is a bound parameter. Webcare metrics come from
-- institution_webcare, joined on the same institution, platform and day.
SELECT
    i.institution_id,
    i.name,
    i.country,
    i.kind,
    m.day,
    {metric} AS value,
    m.followers,
    m.rounded,
    m.accounts
FROM institution_metrics AS m
LEFT JOIN institution_webcare AS w USING (institution_id, platform, day)
JOIN institutions AS i USING (institution_id)
WHERE m.platform = $platform
  AND m.day IN ($as_of, $previous)
  AND ($country IS NULL OR i.country = $country)
  AND ($kind IS NULL OR i.kind = $kind)
  AND ($group IS NULL OR list_contains(i.groups, $group))
