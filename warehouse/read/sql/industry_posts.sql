-- The industry's posts of a period ranked by one measure ({by}, a checked column name), with the
-- institution, a link, and the post's signals. Ties share a rank; the earlier post is listed first.
-- "unusual_reaction": reactions (comments + quotes per like) at least $multiple times the
-- account's usual ratio, with at least $min_comments comments.
WITH
population AS (
    SELECT
        p.post_id,
        p.institution_id,
        i.name,
        i.country,
        i.kind,
        p.platform,
        a.handle,
        p.posted_at,
        p.url,
        p.text,
        p.likes,
        p.comments,
        p.shares,
        p.quotes,
        p.views,
        p.interactions,
        s.followers,
        s.engagement_rate,
        s.overperformance,
        s.reaction_ratio,
        s.usual_ratio,
        s.usual_posts,
        s.reaction_multiple,
        coalesce(s.reaction_multiple >= $multiple AND p.comments >= $min_comments, false)
            AS unusual_reaction
    FROM posts AS p
    JOIN institutions AS i USING (institution_id)
    LEFT JOIN accounts AS a USING (account_id)
    LEFT JOIN post_signals AS s USING (account_id, post_id)
    WHERE CAST(p.posted_at AS DATE) BETWEEN $start AND $end
      AND ($platform IS NULL OR p.platform = $platform)
      AND ($country IS NULL OR i.country = $country)
      AND ($kind IS NULL OR i.kind = $kind)
      AND ($group IS NULL OR list_contains(i.groups, $group))
      AND ($institution_id IS NULL OR p.institution_id = $institution_id)
)
SELECT
    rank() OVER (ORDER BY {by} DESC) AS rank,
    {by} AS value,
    *
FROM population
WHERE {by} IS NOT NULL
  AND (NOT $flagged OR unusual_reaction)
ORDER BY rank, posted_at, post_id
LIMIT $limit
