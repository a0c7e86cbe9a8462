-- Follower counts that jumped or dropped beyond the plausible bound overnight, newest first:
-- flagged ones are kept out of growth metrics; confirmed ones became the account's new level.
SELECT
    a.snapshot_date,
    a.institution_id,
    i.name,
    a.platform,
    a.account_id,
    a.previous_date,
    a.previous_followers,
    a.followers,
    a.change,
    a.change_pct,
    a.status,
    a.next_date,
    a.next_followers,
    a.run_id
FROM snapshot_anomalies AS a
LEFT JOIN institutions AS i USING (institution_id)
WHERE $since IS NULL OR a.snapshot_date >= $since
ORDER BY a.snapshot_date DESC, a.account_id
LIMIT $limit
