-- Practices: each read of a thread by the new runs (its root row, one per run), and each post's
-- highest comment count among the new runs' observations.
CREATE OR REPLACE TEMP VIEW stg_thread_reads AS
SELECT DISTINCT ON (account_id, post_id, run_id)
    institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
    post_id,
    collected_at AS read_at,
    thread_complete AS complete,
    run_id
FROM landed.comments
WHERE parent_id IS NULL AND comment_id = post_id
ORDER BY account_id, post_id, run_id, collected_at DESC;

CREATE OR REPLACE TEMP VIEW stg_post_peaks AS
SELECT
    institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
    post_id,
    max(comments) AS peak_comments,
    -- the first time the highest count was seen
    min(collected_at) FILTER (WHERE comments = top) AS peak_at
FROM (
    SELECT *, max(comments) OVER (PARTITION BY institution_id, platform, handle, post_id) AS top
    FROM landed.posts
    WHERE comments IS NOT NULL
)
GROUP BY account_id, post_id;
