-- Per platform: accounts known and with data, the newest snapshot, how old it is, and whether that
-- is fresh for the platform's cadence: $api_hours for platforms collected nightly through an API,
-- $import_hours for platforms whose counts are imported ($import_platforms).
WITH
known AS (
    SELECT platform, count(*) AS accounts_known
    FROM accounts
    GROUP BY platform
),
latest AS (
    SELECT
        platform,
        count(DISTINCT account_id) AS accounts_with_data,
        max(snapshot_date) AS last_snapshot,
        max(collected_at) AS last_collected_at
    FROM account_snapshots
    GROUP BY platform
),
aged AS (
    SELECT
        k.platform,
        k.accounts_known,
        coalesce(l.accounts_with_data, 0) AS accounts_with_data,
        l.last_snapshot,
        l.last_collected_at,
        round(epoch(now() - l.last_collected_at) / 3600, 1) AS age_hours,
        CASE
            WHEN list_contains($import_platforms, k.platform) THEN 'import' ELSE 'api'
        END AS cadence,
        CASE
            WHEN list_contains($import_platforms, k.platform) THEN $import_hours ELSE $api_hours
        END::DOUBLE AS limit_hours
    FROM known AS k
    LEFT JOIN latest AS l USING (platform)
)
SELECT
    *,
    CASE
        WHEN age_hours IS NULL THEN 'no data'
        WHEN age_hours > limit_hours THEN 'stale'
        ELSE 'fresh'
    END AS state
FROM aged
ORDER BY platform
