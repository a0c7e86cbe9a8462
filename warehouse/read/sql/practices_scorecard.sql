-- Each institution's practices on one platform (or 'all') over the window of $window_days days
-- ending on $as_of (60_practices.sql), in name order; the states come from the thresholds
-- (warehouse/domain/practices.toml), applied when reading.
SELECT
    i.institution_id,
    i.name,
    i.country,
    i.kind,
    p.platform,
    p.day,
    p.window_days,
    p.* EXCLUDE (institution_id, platform, day, window_days)
FROM institution_practices AS p
JOIN institutions AS i USING (institution_id)
WHERE p.day = $as_of
  AND p.window_days = $window_days
  AND p.platform = $platform
  AND ($country IS NULL OR i.country = $country)
  AND ($kind IS NULL OR i.kind = $kind)
  AND ($group IS NULL OR list_contains(i.groups, $group))
  AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
  AND ($institution_id IS NULL OR p.institution_id = $institution_id)
ORDER BY i.name, i.institution_id
