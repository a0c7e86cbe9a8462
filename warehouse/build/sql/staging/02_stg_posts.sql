-- The new runs' posts, each once with its counts as last observed (merged like snapshots).
CREATE OR REPLACE TEMP VIEW stg_posts AS
WITH
keyed AS NOT MATERIALIZED (
    SELECT
        institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
        *,
        -- the sum of the counts the platform reported; NULL when it reported none of them
        CASE
            WHEN coalesce(likes, comments, shares, quotes) IS NOT NULL
            THEN coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(quotes, 0)
        END AS interactions
    FROM landed.posts
),
repeated AS (
    -- the posts observed more than once (seen again with later counts): only their rows go
    -- through the window that picks the latest (as in stg_snapshots)
    SELECT account_id, post_id FROM keyed GROUP BY ALL HAVING count(*) > 1
),
latest AS (
    SELECT k.* FROM keyed AS k ANTI JOIN repeated AS d
        ON k.account_id = d.account_id AND k.post_id IS NOT DISTINCT FROM d.post_id
    UNION ALL
    SELECT * EXCLUDE (version)
    FROM (
        SELECT
            k.*,
            row_number() OVER (
                PARTITION BY k.account_id, k.post_id ORDER BY k.collected_at DESC, k.run_id DESC
            ) AS version
        FROM keyed AS k
        SEMI JOIN repeated AS d
            ON k.account_id = d.account_id AND k.post_id IS NOT DISTINCT FROM d.post_id
    )
    WHERE version = 1
)
SELECT
    account_id, institution_id, platform, post_id, posted_at, url, text, likes, comments, shares,
    quotes, views, interactions, comments_closed, reactions_angry, collected_at, run_id
FROM latest
