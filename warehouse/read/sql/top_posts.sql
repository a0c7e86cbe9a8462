-- An institution's posts in (as_of − days, as_of] with the most {order_by} (a checked column name).
SELECT
    platform,
    posted_at,
    url,
    text,
    likes,
    comments,
    shares,
    quotes,
    views,
    interactions
FROM posts
WHERE institution_id = $institution_id
  AND CAST(posted_at AS DATE) > $as_of - CAST($days AS INTEGER)
  AND CAST(posted_at AS DATE) <= $as_of
ORDER BY {order_by} DESC NULLS LAST, posted_at DESC
LIMIT $limit
