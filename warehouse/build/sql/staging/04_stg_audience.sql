-- The new runs' follower samples, one per account per day: the latest collected wins.
CREATE OR REPLACE TEMP VIEW stg_audience AS
WITH
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY institution_id, platform, handle, sample_date
            ORDER BY collected_at DESC, run_id DESC
        ) AS version
    FROM landed.audience
)
SELECT
    institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
    institution_id, platform, handle, sample_date, drawn, sample_size, influencers, small,
    median_followers, median_low, median_high, activity_known, inactive, followers_total, requests,
    run_id, collected_at
FROM ranked
WHERE version = 1
