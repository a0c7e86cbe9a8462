-- The new runs' posts, each once with its counts as last observed (merged like snapshots).
CREATE OR REPLACE TEMP VIEW stg_posts AS
WITH
keyed AS (
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
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY account_id, post_id ORDER BY collected_at DESC, run_id DESC
        ) AS version
    FROM keyed
)
SELECT
    account_id, institution_id, platform, post_id, posted_at, url, text, likes, comments, shares,
    quotes, views, interactions, comments_closed, reactions_angry, collected_at, run_id
FROM ranked
WHERE version = 1
