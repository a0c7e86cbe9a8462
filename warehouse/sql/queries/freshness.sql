-- Per platform: accounts known and with data, the newest snapshot and how old it is.
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
)
SELECT
    k.platform,
    k.accounts_known,
    coalesce(l.accounts_with_data, 0) AS accounts_with_data,
    l.last_snapshot,
    l.last_collected_at,
    round(epoch(now() - l.last_collected_at) / 3600, 1) AS age_hours
FROM known AS k
LEFT JOIN latest AS l USING (platform)
ORDER BY k.platform
