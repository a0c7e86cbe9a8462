-- The latest runs, newest first.
SELECT
    run_id, kind, run_date, status, started_at, finished_at, duration_s, snapshots, posts, errors,
    requests
FROM runs
ORDER BY started_at DESC NULLS LAST, run_id DESC
LIMIT $limit
