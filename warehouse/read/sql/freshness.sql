-- Per platform: accounts known and with data, the newest snapshot, how old it is, and whether that
-- is fresh for the platform's cadence: $api_hours for platforms collected nightly through an API,
-- $import_hours for platforms whose counts are imported ($import_platforms). A platform is 'off',
-- never stale, when the operator switched it off ($off_platforms) or the latest collect run left it
-- off (its stats' platforms_off: switched off or without its credential when the run was made).
WITH
last_collect AS (
    SELECT stats
    FROM runs
    WHERE kind = 'collect'
    ORDER BY started_at DESC NULLS LAST, run_id DESC
    LIMIT 1
),
off_in_run AS (
    SELECT
        unnest(json_keys(stats -> '$.platforms_off')) AS platform
    FROM last_collect
    WHERE json_type(stats -> '$.platforms_off') = 'OBJECT'
),
off_reasons AS (
    SELECT o.platform, (l.stats -> '$.platforms_off') ->> o.platform AS off_reason
    FROM off_in_run AS o, last_collect AS l
    UNION ALL
    SELECT unnest($off_platforms::VARCHAR[]) AS platform, 'switched off' AS off_reason
),
off AS (
    SELECT platform, min(off_reason) AS off_reason
    FROM off_reasons
    GROUP BY platform
),
known AS (
    SELECT platform, count(*) AS accounts_known
    FROM accounts
    GROUP BY platform
),
latest AS (
    SELECT
        platform,
        count(*) AS accounts_with_data,
        max(last_snapshot) AS last_snapshot,
        max(last_collected_at) AS last_collected_at
    FROM {account_latest} AS account_latest
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
    aged.*,
    CASE
        WHEN off.platform IS NOT NULL THEN 'off'
        WHEN age_hours IS NULL THEN 'no data'
        WHEN age_hours > limit_hours THEN 'stale'
        ELSE 'fresh'
    END AS state,
    off.off_reason
FROM aged
LEFT JOIN off USING (platform)
ORDER BY platform
