-- The reply time of every answered question asked in (as_of - 28, as_of] to the chosen
-- institutions, on one platform or on 'all'.
SELECT q.institution_id, i.name, q.platform, q.reply_minutes
FROM webcare_questions AS q
JOIN institutions AS i USING (institution_id)
WHERE list_contains($institutions, q.institution_id)
  AND ($platform = 'all' OR q.platform = $platform)
  AND CAST(q.asked_at AS DATE) BETWEEN $as_of - 27 AND $as_of
  AND q.reply_minutes IS NOT NULL
ORDER BY q.institution_id, q.reply_minutes
