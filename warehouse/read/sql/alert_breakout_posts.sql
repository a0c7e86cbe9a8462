-- Posts of the watched institutions made in ($as_of - $days, $as_of] whose interactions are at
-- least $multiple times their account's usual: its interactions per post (the mean over its posts
-- of the 28 days up to the day before this post, account_metrics' definition), with at least
-- $min_interactions interactions. An account without posts in those 28 days has no usual.
WITH
recent AS (
    SELECT p.*
    FROM posts AS p
    WHERE CAST(p.posted_at AS DATE) > CAST($as_of AS DATE) - CAST($days AS INTEGER)
      AND CAST(p.posted_at AS DATE) <= $as_of
      AND list_contains($institutions, p.institution_id)
      AND p.interactions >= $min_interactions
),
usual AS (
    SELECT
        r.post_id,
        r.account_id,
        (
            SELECT arg_max(m.interactions_per_post, m.day)
            FROM account_metrics AS m
            WHERE m.account_id = r.account_id AND m.day < CAST(r.posted_at AS DATE)
              AND m.day >= CAST(r.posted_at AS DATE) - 7
        ) AS usual_interactions
    FROM recent AS r
)
SELECT
    r.post_id,
    r.institution_id,
    i.name,
    r.platform,
    r.posted_at,
    r.url,
    r.interactions,
    u.usual_interactions,
    r.interactions / u.usual_interactions AS multiple
FROM recent AS r
JOIN usual AS u USING (post_id, account_id)
JOIN institutions AS i USING (institution_id)
WHERE u.usual_interactions > 0
  AND r.interactions >= $multiple * u.usual_interactions
ORDER BY multiple DESC, r.posted_at, r.post_id
