-- Per platform: accounts known, active, with a snapshot in the last 7 days of data, and how many
-- of those counts are rounded by the platform or typed in by hand.
WITH
last_day AS (
    SELECT max(last_snapshot) AS day FROM {account_latest} AS account_latest
),
latest AS (
    SELECT account_id, last_snapshot, precision, method FROM {account_latest} AS account_latest
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
