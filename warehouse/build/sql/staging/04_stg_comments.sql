-- The new runs' thread items, each once per account as last observed (merged like snapshots).
CREATE OR REPLACE TEMP VIEW stg_comments AS
WITH
keyed AS (
    SELECT
        institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
        *,
        row_number() OVER (
            PARTITION BY institution_id, platform, handle, comment_id
            ORDER BY collected_at DESC, run_id DESC
        ) AS version
    FROM landed.comments
)
SELECT
    account_id, institution_id, platform, post_id, comment_id, parent_id, created_at,
    coalesce(is_institution, false) AS is_institution, thread_complete, tone, tone_score, language,
    empty_reply, collected_at, run_id
FROM keyed
WHERE version = 1;

-- The days the new runs opened each account's threads: a day's webcare is known after one of them.
CREATE OR REPLACE TEMP VIEW stg_comment_observations AS
SELECT DISTINCT
    institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
    CAST(collected_at AS DATE) AS observed_day
FROM landed.comments;
