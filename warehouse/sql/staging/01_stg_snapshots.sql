-- One snapshot per account per day: the latest collected wins, so a second run the same day replaces.
CREATE OR REPLACE TEMP VIEW stg_snapshots AS
WITH
primary_handles AS (
    -- a counts import may leave the handle out: it then belongs to the institution's first account there
    SELECT institution_id, platform, min(handle) AS handle
    FROM landed.targets
    GROUP BY ALL
),
resolved AS (
    SELECT
        s.* EXCLUDE (handle),
        coalesce(s.handle, p.handle) AS handle
    FROM landed.snapshots AS s
    LEFT JOIN primary_handles AS p
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
    r.institution_id || '/' || r.platform || '/' || coalesce(r.handle, '-') AS account_id,
    r.* EXCLUDE (version)
FROM ranked AS r
WHERE r.version = 1
