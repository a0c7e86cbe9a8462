-- The population of a league of a daily metric ({metric}, a checked column name) on one platform
-- (or 'all'), ranked by league_rank.sql: each institution's metrics on the day and a period
-- earlier; every filter value is a bound parameter. Webcare metrics come from
-- institution_webcare, practices from institution_practices (28 days), joined on the same
-- institution, platform and day. A ranking with a minimum
-- ($min_followers for rates by audience, $min_questions for reply times; NULL for none) leaves out
-- the institutions under it (league_left_out.sql counts them). $institutions (a saved peer set's
-- ids, or NULL) narrows the population before league_rank.sql ranks it: ranks among the set.
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
-- the practices (60_practices.sql) over the same 28 days
LEFT JOIN institution_practices AS pr
    ON pr.institution_id = m.institution_id AND pr.platform = m.platform AND pr.day = m.day
    AND pr.window_days = 28
JOIN institutions AS i USING (institution_id)
WHERE m.platform = $platform
  AND m.day IN ($as_of, $previous)
  AND ($country IS NULL OR i.country = $country)
  AND ($kind IS NULL OR i.kind = $kind)
  AND ($group IS NULL OR list_contains(i.groups, $group))
  AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
  AND ($min_followers IS NULL OR m.followers >= $min_followers)
  AND ($min_questions IS NULL OR w.questions >= $min_questions)
