-- An institution's median reply time per platform and day in ($as_of - $days, $as_of] against the
-- platform's target; days without answered questions have no median.
SELECT w.platform, w.day, w.questions, w.reply_time_median, t.target_minutes
FROM institution_webcare AS w
JOIN webcare_targets AS t ON t.platform = w.platform
WHERE w.institution_id = $institution_id
  AND w.platform <> 'all'
  AND w.day > CAST($as_of AS DATE) - CAST($days AS INTEGER)
  AND w.day <= $as_of
ORDER BY w.platform, w.day
