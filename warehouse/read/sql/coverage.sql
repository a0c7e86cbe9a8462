-- Per platform: accounts known, active, with a snapshot in the last 7 days of data, and how many
-- of those counts are rounded by the platform or typed in by hand.
WITH
last_day AS (
    SELECT max(snapshot_date) AS day FROM account_snapshots
),
latest AS (
    SELECT
        account_id,
        max(snapshot_date) AS last_snapshot,
        arg_max(precision, snapshot_date) AS precision,
        arg_max(method, snapshot_date) AS method
    FROM account_snapshots
    GROUP BY account_id
)
SELECT
    a.platform,
    count(*) AS accounts_known,
    count(*) FILTER (WHERE a.status = 'active') AS active,
    count(*) FILTER (WHERE l.last_snapshot > (SELECT day FROM last_day) - 7) AS fresh_7d,
    count(*) FILTER (WHERE l.precision = 'rounded') AS rounded,
    count(*) FILTER (WHERE l.method = 'manual') AS manual
FROM accounts AS a
LEFT JOIN latest AS l USING (account_id)
GROUP BY a.platform
ORDER BY a.platform
