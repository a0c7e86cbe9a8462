-- Per platform, its nights of collection (days with a collect run), the latest first: whether the
-- platform failed that night (failures recorded and not one of its accounts' counts landed).
WITH
nights AS (
    SELECT run_date AS night, list(run_id) AS run_ids
    FROM runs
    WHERE kind = 'collect'
    GROUP BY run_date
),
errors AS (
    SELECT r.run_date AS night, e.platform, count(*) AS failures, arg_min(e.kind, e.kind) AS kind
    FROM run_errors AS e
    JOIN runs AS r USING (run_id)
    WHERE r.kind = 'collect'
    GROUP BY ALL
),
landed AS (
    SELECT r.run_date AS night, s.platform, count(*) AS snapshots
    FROM account_snapshots AS s
    JOIN runs AS r USING (run_id)
    WHERE r.kind = 'collect'
    GROUP BY ALL
),
platforms AS (
    SELECT DISTINCT platform FROM errors
)
SELECT
    p.platform,
    n.night,
    coalesce(e.failures, 0) AS failures,
    e.kind,
    coalesce(l.snapshots, 0) AS snapshots,
    coalesce(e.failures, 0) > 0 AND coalesce(l.snapshots, 0) = 0 AS failed
FROM platforms AS p
CROSS JOIN nights AS n
LEFT JOIN errors AS e ON e.platform = p.platform AND e.night = n.night
LEFT JOIN landed AS l ON l.platform = p.platform AND l.night = n.night
ORDER BY p.platform, n.night DESC
