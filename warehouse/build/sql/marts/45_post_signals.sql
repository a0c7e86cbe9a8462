-- Per post: how it engaged against its account's size that day, and how people reacted against
-- the account's usual reaction. The "unusual reaction" flag itself is a threshold on
-- reaction_multiple applied when reading (warehouse/domain/posts.py), so it can be tuned without a build.
-- Only posts on or after metrics_from are computed again: an earlier post's signals read its own
-- counts, the posts of the 90 days before it and its day's account metrics, none of which changed.
DELETE FROM post_signals_stored WHERE posted_at >= CAST(getvariable('metrics_from') AS TIMESTAMPTZ);

-- what follows from the counts stored beside it is computed when read: the view post_signals, by the
-- same expressions (migration 017)
INSERT INTO post_signals_stored BY NAME
WITH
ratios AS (
    SELECT
        p.account_id,
        p.institution_id,
        p.platform,
        p.post_id,
        p.posted_at,
        p.interactions,
        -- comments, and quotes where the platform reports them
        CASE WHEN p.comments IS NOT NULL THEN p.comments + coalesce(p.quotes, 0) END AS replies,
        p.likes,
        -- replies per like; NULL without likes
        CASE WHEN p.likes > 0 THEN replies / p.likes END AS reaction_ratio
    FROM posts AS p
    WHERE p.posted_at >= CAST(getvariable('metrics_from') AS TIMESTAMPTZ) - INTERVAL 91 DAYS
),
usual AS (
    -- the account's own usual ratio: the median over its posts of the 90 days before this one
    SELECT
        *,
        median(reaction_ratio) OVER before_post AS usual_ratio,
        count(reaction_ratio) OVER before_post AS usual_posts
    FROM ratios
    WINDOW before_post AS (
        PARTITION BY account_id ORDER BY posted_at
        RANGE BETWEEN INTERVAL 90 DAYS PRECEDING AND INTERVAL 1 MICROSECOND PRECEDING
    )
)
SELECT
    u.account_id,
    u.institution_id,
    u.platform,
    u.post_id,
    u.posted_at,
    m.followers,
    m.expected_interactions,
    u.interactions,
    u.replies,
    u.likes,
    u.usual_ratio,
    u.usual_posts
FROM usual AS u
LEFT JOIN account_metrics AS m
    ON m.account_id = u.account_id AND m.day = CAST(u.posted_at AS DATE)
WHERE u.posted_at >= CAST(getvariable('metrics_from') AS TIMESTAMPTZ)
ORDER BY u.posted_at, u.account_id
