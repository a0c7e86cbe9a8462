-- The industry's posts of a period ranked by one measure ({by}, a checked column name), with the
-- institution, a link, and the post's signals. Ties share a rank; the earlier post is listed first.
-- A post is flagged ("unusual_reaction") for any of three reasons (flag_reason says which):
--   comments per like: comments + quotes per like at least $multiple times the account's usual
--     ratio, with at least $min_comments comments;
--   negative comments: a negative share at least $negative_multiple times the account's norm, with
--     at least $min_toned comments judged;
--   angry reactions (Facebook): an angry share at least $angry_multiple times the account's own and
--     at least $angry_min_share %, with at least $min_reactions reactions.
-- A reaction multiple is given only with at least $multiple_min_comments comments (NULL: always);
-- a ranking with a minimum audience ($min_followers, NULL for none) lists only posts of accounts
-- with at least that many followers that day (posts_left_out.sql counts the others).
WITH
-- the signals and practices of the period's posts only: both tables carry the post's posted_at, and
-- are kept in its order, so the period's row groups are all that is read (post_signals is a view:
-- a filter on posted_at itself reaches its table's row groups, one on CAST(posted_at AS DATE) does
-- not; the session's days are UTC days, queries.connect)
signals AS (
    SELECT * FROM post_signals
    WHERE posted_at >= CAST($start AS TIMESTAMPTZ) AND posted_at < CAST($end + 1 AS TIMESTAMPTZ)
),
practices AS (
    SELECT * FROM post_practices WHERE CAST(posted_at AS DATE) BETWEEN $start AND $end
),
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
        CASE
            WHEN $multiple_min_comments IS NULL OR p.comments >= $multiple_min_comments
            THEN s.reaction_multiple
        END AS reaction_multiple,
        coalesce(s.reaction_multiple >= $multiple AND p.comments >= $min_comments, false)
            AS unusual_comments,
        pp.comments_toned,
        pp.negative_comments,
        pp.negative_comment_share,
        -- the account's own negative share over the 90 days before (with enough judged comments,
        -- else the default), never below the floor
        greatest(
            CASE WHEN pp.usual_toned >= $norm_min_toned THEN pp.usual_negative_share ELSE $negative_norm END,
            $negative_floor
        ) AS negative_norm,
        coalesce(
            pp.comments_toned >= $min_toned
            AND pp.negative_comment_share >= $negative_multiple * negative_norm,
            false
        ) AS negative_storm,
        pp.angry_share,
        pp.usual_angry_share,
        coalesce(
            pp.reactions >= $min_reactions
            AND pp.angry_share >= greatest($angry_min_share, $angry_multiple * coalesce(pp.usual_angry_share, 0)),
            false
        ) AS angry_storm
    FROM posts AS p
    JOIN institutions AS i USING (institution_id)
    LEFT JOIN accounts AS a USING (account_id)
    LEFT JOIN signals AS s USING (account_id, post_id)
    LEFT JOIN practices AS pp USING (account_id, post_id)
    WHERE CAST(p.posted_at AS DATE) BETWEEN $start AND $end
      AND ($platform IS NULL OR p.platform = $platform)
      AND ($country IS NULL OR i.country = $country)
      AND ($kind IS NULL OR i.kind = $kind)
      AND ($group IS NULL OR list_contains(i.groups, $group))
      AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
      AND ($institution_id IS NULL OR p.institution_id = $institution_id)
)
SELECT
    -- a flagged post without a value to rank by (no usual ratio, say) is listed last, not left out
    rank() OVER (ORDER BY {by} DESC NULLS LAST) AS rank,
    {by} AS value,
    *,
    unusual_comments OR negative_storm OR angry_storm AS unusual_reaction,
    -- why a post is flagged, each reason that holds
    nullif(concat_ws('; ',
        CASE WHEN unusual_comments THEN 'comments per like' END,
        CASE WHEN negative_storm THEN 'negative comments' END,
        CASE WHEN angry_storm THEN 'angry reactions' END
    ), '') AS flag_reason
FROM population
WHERE ({by} IS NOT NULL OR $flagged)
  AND (NOT $flagged OR unusual_comments OR negative_storm OR angry_storm)
  AND ($min_followers IS NULL OR coalesce(followers, 0) >= $min_followers)
ORDER BY rank, posted_at, post_id
LIMIT $limit
