-- For a warehouse built before migration 015, which has no account_latest nor warehouse_counts:
-- the same columns from the history (the next build writes the tables). Queries read these
-- through {account_latest} and {warehouse_counts} (queries.reading_sql).
--- account_latest
(
    SELECT
        account_id,
        any_value(platform) AS platform,
        max(snapshot_date) AS last_snapshot,
        max(collected_at) AS last_collected_at,
        arg_max(precision, snapshot_date) AS precision,
        arg_max(method, snapshot_date) AS method
    FROM account_snapshots
    GROUP BY account_id
)
--- warehouse_counts
(SELECT (SELECT count(*) FROM posts) AS posts, (SELECT max(day) FROM institution_metrics) AS last_day)
