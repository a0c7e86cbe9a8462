-- The latest sighting of each account among the runs being built (discovery's are not sightings).
CREATE OR REPLACE TEMP VIEW stg_sightings AS
WITH
ranked AS (
    SELECT
        institution_id || '/' || platform || '/' || handle AS account_id,
        *,
        row_number() OVER (
            PARTITION BY institution_id, platform, handle ORDER BY observed_at DESC, run_id DESC
        ) AS version
    FROM landed.accounts
    WHERE found_via <> 'discovered'
)
SELECT account_id, institution_id, platform, handle, url, platform_id, display_name, status, observed_at, run_id
FROM ranked
WHERE version = 1
