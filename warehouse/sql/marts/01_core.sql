-- The public core tables, filled from staging (snapshots first: stg_accounts reads them).
INSERT INTO account_snapshots BY NAME
SELECT
    account_id, institution_id, platform, handle, snapshot_date, followers, following, posts_total,
    likes_total, views_total, precision, method, coalesce(posts_observed, false) AS posts_observed,
    source, run_id, collected_at
FROM stg_snapshots;

INSERT INTO accounts BY NAME
SELECT * FROM stg_accounts;

INSERT INTO posts BY NAME
SELECT
    account_id, institution_id, platform, post_id, posted_at, url, text, likes, comments, shares,
    quotes, views, interactions, collected_at, run_id
FROM stg_posts;

INSERT INTO run_errors BY NAME
SELECT run_id, institution_id, platform, handle, kind, message, http_status, occurred_at
FROM landed.errors;

INSERT INTO runs BY NAME
WITH
counts AS (
    SELECT run_id, count(*) AS n FROM landed.snapshots GROUP BY run_id
),
post_counts AS (
    SELECT run_id, count(*) AS n FROM landed.posts GROUP BY run_id
),
error_counts AS (
    SELECT run_id, count(*) AS n FROM landed.errors GROUP BY run_id
)
SELECT
    r.run_id, r.kind, r.run_date, r.status, r.demo, r.started_at, r.finished_at,
    epoch(r.finished_at) - epoch(r.started_at) AS duration_s,
    coalesce(c.n, 0) AS snapshots,
    coalesce(p.n, 0) AS posts,
    coalesce(e.n, 0) AS errors,
    r.requests,
    r.stats
FROM landed.runs AS r
LEFT JOIN counts AS c USING (run_id)
LEFT JOIN post_counts AS p USING (run_id)
LEFT JOIN error_counts AS e USING (run_id);
