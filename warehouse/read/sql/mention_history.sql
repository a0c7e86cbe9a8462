-- The selection's mentions over a span of days on one platform (or 'all'): per institution and
-- day its 28-day mentions, tone and share of voice among the institutions of the selection that
-- day. $institutions is the selection (the filters already applied by the caller).
SELECT
    n.day,
    n.institution_id,
    i.name,
    n.mentions,
    n.mention_authors,
    n.negative_share,
    n.positive_share,
    n.net_tone,
    n.toned,
    n.mentions * 100.0 / nullif(sum(n.mentions) OVER (PARTITION BY n.day), 0) AS share_of_voice,
    d.mentions AS mentions_day
FROM institution_mentions AS n
JOIN institutions AS i USING (institution_id)
LEFT JOIN mention_days AS d USING (institution_id, platform, day)
WHERE n.platform = $platform
  AND list_contains($institutions, n.institution_id)
  AND n.day BETWEEN $start AND $end
ORDER BY n.day, i.name
