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
resolved AS NOT MATERIALIZED (
    SELECT
        s.* EXCLUDE (handle),
        coalesce(s.handle, p.handle) AS handle
    FROM landed.snapshots AS s
    LEFT JOIN stg_import_handles AS p
        ON s.handle IS NULL AND p.institution_id = s.institution_id AND p.platform = s.platform
),
repeated AS (
    -- the keys observed more than once (a night collected again): a hash aggregate over the keys
    -- alone finds them, so that only their rows go through the window that picks the latest
    SELECT institution_id, platform, handle, snapshot_date
    FROM resolved
    GROUP BY ALL
    HAVING count(*) > 1
),
latest AS (
    SELECT r.*
    FROM resolved AS r
    ANTI JOIN repeated AS d
        ON r.institution_id = d.institution_id AND r.platform = d.platform
        AND r.handle IS NOT DISTINCT FROM d.handle AND r.snapshot_date = d.snapshot_date
    UNION ALL
    SELECT * EXCLUDE (version)
    FROM (
        -- partitioning by the key's columns sorts faster than by one concatenated key
        SELECT
            r.*,
            row_number() OVER (
                PARTITION BY r.institution_id, r.platform, r.handle, r.snapshot_date
                ORDER BY r.collected_at DESC, r.run_id DESC
            ) AS version
        FROM resolved AS r
        SEMI JOIN repeated AS d
            ON r.institution_id = d.institution_id AND r.platform = d.platform
            AND r.handle IS NOT DISTINCT FROM d.handle AND r.snapshot_date = d.snapshot_date
    )
    WHERE version = 1
)
SELECT
    institution_id || '/' || platform || '/' || coalesce(handle, '-') AS account_id,
    institution_id, platform, handle, snapshot_date, followers, following, posts_total, likes_total,
    views_total, precision, method, coalesce(posts_observed, false) AS posts_observed, source, run_id,
    collected_at
FROM latest
