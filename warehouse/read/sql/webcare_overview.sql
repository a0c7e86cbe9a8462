-- Every institution's webcare on one platform (or 'all') as of a day, within a population
-- (country, kind, group), with the platform's reply-time target.
SELECT
    i.institution_id,
    i.name,
    i.country,
    i.kind,
    w.webcare_accounts,
    w.questions,
    w.answered,
    w.questions - w.answered AS unanswered,
    w.answered_pct,
    w.reply_time_median,
    w.reply_time_p90,
    w.within_target_pct,
    w.replies_per_week,
    t.target_minutes
FROM institution_webcare AS w
JOIN institutions AS i USING (institution_id)
LEFT JOIN webcare_targets AS t ON t.platform = w.platform
WHERE w.platform = $platform
  AND w.day = $as_of
  AND ($country IS NULL OR i.country = $country)
  AND ($kind IS NULL OR i.kind = $kind)
  AND ($group IS NULL OR list_contains(i.groups, $group))
  AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
ORDER BY i.name
