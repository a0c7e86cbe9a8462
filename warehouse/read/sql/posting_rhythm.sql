-- An institution's own posts per platform and weekday (1 Monday … 7 Sunday) in (as_of − days, as_of].
SELECT
    platform,
    isodow(posted_at) AS weekday,
    count(*) AS posts,
    avg(interactions) AS interactions_per_post
FROM posts
WHERE institution_id = $institution_id
  AND CAST(posted_at AS DATE) > $as_of - CAST($days AS INTEGER)
  AND CAST(posted_at AS DATE) <= $as_of
GROUP BY ALL
ORDER BY platform, weekday
