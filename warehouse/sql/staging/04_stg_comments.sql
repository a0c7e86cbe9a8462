-- Each thread item once per account, as last observed; and when each account's threads were observed.
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
SELECT * EXCLUDE (version)
FROM keyed
WHERE version = 1;

-- The days a run opened the account's threads: a day's webcare is known after one of them.
CREATE OR REPLACE TEMP VIEW stg_comment_observations AS
SELECT DISTINCT
    institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
    CAST(collected_at AS DATE) AS observed_day
FROM landed.comments;
