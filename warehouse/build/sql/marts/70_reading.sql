-- What the pages' headlines, Data health and `finsocial status` read (summary.sql, freshness.sql,
-- coverage.sql), kept small so that a reader never scans the history for them.
--
-- account_latest: each account's newest snapshot. Only the snapshots from metrics_from on are read:
-- every row a build adds or replaces is dated on or after it (a new snapshot moves metrics_from to
-- at most its day), rows are never removed but by a full build, and a replaced row was collected
-- later than the row it replaced; so the newest snapshot of a changed account is among them, and
-- its latest collection time is the later of those rows' and the one kept.
CREATE OR REPLACE TEMP TABLE changed_latest AS
SELECT
    account_id,
    any_value(platform) AS platform,
    max(snapshot_date) AS last_snapshot,
    max(collected_at) AS last_collected_at,
    arg_max(precision, snapshot_date) AS precision,
    arg_max(method, snapshot_date) AS method
FROM account_snapshots
WHERE snapshot_date >= getvariable('metrics_from')
GROUP BY account_id;

CREATE OR REPLACE TEMP TABLE merged_latest AS
SELECT
    c.account_id,
    c.platform,
    c.last_snapshot,
    greatest(c.last_collected_at, k.last_collected_at) AS last_collected_at,
    c.precision,
    c.method
FROM changed_latest AS c
LEFT JOIN account_latest AS k USING (account_id);

DELETE FROM account_latest WHERE account_id IN (SELECT account_id FROM changed_latest);

INSERT INTO account_latest BY NAME
SELECT * FROM merged_latest
ORDER BY account_id;

DELETE FROM warehouse_counts;

INSERT INTO warehouse_counts
SELECT
    (SELECT count(*) FROM posts) AS posts,
    -- every day with metrics has its 'all' rows, which are stored (institution_metrics is a view
    -- whose other rows come from account_metrics: migration 010)
    (SELECT max(day) FROM institution_metrics_pooled) AS last_day;
