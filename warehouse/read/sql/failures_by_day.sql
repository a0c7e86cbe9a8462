-- Per-account failures per run day, platform and kind over the last $days days of runs.
SELECT r.run_date AS day, e.platform, e.kind, count(*) AS failures
FROM run_errors AS e
JOIN runs AS r USING (run_id)
WHERE r.run_date > (SELECT max(run_date) FROM runs) - CAST($days AS INTEGER)
GROUP BY ALL
ORDER BY day, e.platform, e.kind
