-- How many institutions a league with a minimum leaves out on $as_of: those with a value of
-- {metric} (a checked column name) under the minimum of followers ($min_followers) or answered
-- questions ($min_questions), or without the count the minimum is judged on.
SELECT count(*) AS left_out
FROM institution_metrics AS m
LEFT JOIN institution_webcare AS w USING (institution_id, platform, day)
JOIN institutions AS i USING (institution_id)
WHERE m.platform = $platform
  AND m.day = $as_of
  AND ($country IS NULL OR i.country = $country)
  AND ($kind IS NULL OR i.kind = $kind)
  AND ($group IS NULL OR list_contains(i.groups, $group))
  AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
  AND {metric} IS NOT NULL
  AND (
      ($min_followers IS NOT NULL AND coalesce(m.followers, 0) < $min_followers)
      OR ($min_questions IS NOT NULL AND coalesce(w.questions, 0) < $min_questions)
  )
