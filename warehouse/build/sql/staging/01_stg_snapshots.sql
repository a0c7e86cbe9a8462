-- The new runs' snapshots, one per account per day: the latest collected wins, so a second run the
-- same day replaces (the build then merges them with the snapshots already built the same way).
-- A counts import may leave the handle out: it then belongs to the institution's first account
-- there. The build keeps this as import_handles, and builds everything when the registry moves one.
CREATE OR REPLACE TEMP VIEW stg_import_handles AS
SELECT institution_id, platform, min(handle) AS handle
FROM landed.targets
GROUP BY ALL;

CREATE OR REPLACE TEMP VIEW stg_snapshots AS
WITH
resolved AS (
    SELECT
        s.* EXCLUDE (handle),
        coalesce(s.handle, p.handle) AS handle
    FROM landed.snapshots AS s
    LEFT JOIN stg_import_handles AS p
        ON s.handle IS NULL AND p.institution_id = s.institution_id AND p.platform = s.platform
),
ranked AS (
    -- partitioning by the key's columns sorts faster than by one concatenated key
    SELECT
        *,
        row_number() OVER (
            PARTITION BY institution_id, platform, handle, snapshot_date
            ORDER BY collected_at DESC, run_id DESC
        ) AS version
    FROM resolved
)
SELECT
    institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
    institution_id, platform, handle, snapshot_date, followers, following, posts_total, likes_total,
    views_total, precision, method, coalesce(posts_observed, false) AS posts_observed, source, run_id,
    collected_at
FROM ranked
WHERE version = 1
