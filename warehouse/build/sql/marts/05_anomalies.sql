-- Overnight jumps and drops beyond a plausible bound (a platform cleaning out fake accounts, a
-- wrong account): listed in snapshot_anomalies and flagged on account_snapshots, never deleted.
-- A change is beyond the bound when it is more than max_change_pct of the previous count AND more
-- than min_change followers: small accounts swing in percent, large ones in absolute numbers.
-- A flagged count stays out of growth metrics until the next snapshot, within bound of it,
-- confirms it as the account's new level. A count that only returns to the level before a
-- flagged one is not itself an anomaly. Snapshots more than 7 days apart are not compared.
-- Only snapshots on or after metrics_from are judged again (a judgement reads the two snapshots
-- within 14 days before and the one within 7 days after, so a new snapshot changes the judgements
-- of its own day and the 7 days before, which the build's metrics_from includes).
-- Each platform's bounds are on its row (warehouse/domain/platforms.py, `anomaly`); the build
-- writes them to anomaly_bounds. A platform without a row gets 20% and 1,000.
CREATE OR REPLACE TEMP MACRO beyond_bound(before, after, max_change_pct, min_change) AS
    abs(after - before) > min_change AND abs(after - before) > max_change_pct / 100.0 * before;

DELETE FROM snapshot_anomalies WHERE snapshot_date >= getvariable('metrics_from');

INSERT INTO snapshot_anomalies BY NAME
WITH
series AS (
    SELECT
        s.account_id,
        s.institution_id,
        s.platform,
        s.snapshot_date,
        s.followers,
        s.run_id,
        coalesce(b.max_change_pct, 20.0) AS max_change_pct,
        coalesce(b.min_change, 1000) AS min_change,
        lag(s.snapshot_date) OVER w AS previous_date,
        lag(s.followers) OVER w AS previous_followers,
        lag(s.snapshot_date, 2) OVER w AS earlier_date,
        lag(s.followers, 2) OVER w AS earlier_followers,
        lead(s.snapshot_date) OVER w AS next_date,
        lead(s.followers) OVER w AS next_followers
    FROM account_snapshots AS s
    LEFT JOIN anomaly_bounds AS b USING (platform)
    WHERE s.followers IS NOT NULL AND s.snapshot_date >= getvariable('metrics_from') - 16
    WINDOW w AS (PARTITION BY s.account_id ORDER BY s.snapshot_date)
),
judged AS (
    SELECT
        *,
        coalesce(
            previous_date >= snapshot_date - 7
            AND beyond_bound(previous_followers, followers, max_change_pct, min_change),
            false
        ) AS jump,
        -- the previous count was itself out of line and this one is back at the level before it
        coalesce(
            earlier_date >= previous_date - 7
            AND beyond_bound(earlier_followers, previous_followers, max_change_pct, min_change)
            AND NOT beyond_bound(earlier_followers, followers, max_change_pct, min_change),
            false
        ) AS back_to_level,
        coalesce(
            next_date <= snapshot_date + 7
            AND NOT beyond_bound(followers, next_followers, max_change_pct, min_change),
            false
        ) AS next_agrees
    FROM series
)
SELECT
    account_id,
    institution_id,
    platform,
    snapshot_date,
    followers,
    previous_date,
    previous_followers,
    followers - previous_followers AS change,
    CASE
        WHEN previous_followers > 0 THEN (followers - previous_followers) * 100.0 / previous_followers
    END AS change_pct,
    next_date,
    next_followers,
    CASE WHEN next_agrees THEN 'confirmed' ELSE 'flagged' END AS status,
    run_id
FROM judged
WHERE jump AND NOT back_to_level AND snapshot_date >= getvariable('metrics_from');

UPDATE account_snapshots
SET anomaly = NULL
WHERE snapshot_date >= getvariable('metrics_from') AND anomaly IS NOT NULL;

UPDATE account_snapshots AS s
SET anomaly = a.status
FROM snapshot_anomalies AS a
WHERE s.account_id = a.account_id AND s.snapshot_date = a.snapshot_date
    AND a.snapshot_date >= getvariable('metrics_from') AND s.snapshot_date >= getvariable('metrics_from');
