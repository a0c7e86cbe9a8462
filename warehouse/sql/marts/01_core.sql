-- The core tables besides the merged ones: the build has already merged the new runs' snapshots,
-- posts, sightings, thread items and follower samples into their tables (the latest observation
-- of each wins, see warehouse/build.py), so what is read here is the whole history.

-- Each account's span of snapshots, and whether they were all typed in: read by accounts below and
-- by 10_account_metrics.sql.
CREATE OR REPLACE TEMP TABLE account_spans AS
SELECT
    account_id,
    any_value(institution_id) AS institution_id,
    any_value(platform) AS platform,
    any_value(handle) AS handle,
    bool_and(method = 'manual') AS manual_only,
    min(snapshot_date) AS first_snapshot,
    max(snapshot_date) AS last_snapshot,
    -- posts_per_week is only known from the first run that fetched the account's posts
    min(snapshot_date) FILTER (WHERE posts_observed) AS posts_since
FROM account_snapshots
GROUP BY account_id;

-- Every account known: from the registry and discovery, any a run saw, any with snapshots.
DELETE FROM accounts;

INSERT INTO accounts BY NAME
WITH
targets AS (
    SELECT
        institution_id || '/' || platform || '/' || handle AS account_id,
        *
    FROM landed.targets
),
all_ids AS (
    SELECT account_id, institution_id, platform, handle FROM targets
    UNION
    SELECT account_id, institution_id, platform, handle FROM account_sightings
    UNION
    SELECT account_id, institution_id, platform, handle FROM account_spans
)
SELECT
    a.account_id,
    a.institution_id,
    a.platform,
    a.handle,
    coalesce(t.url, o.url) AS url,
    o.platform_id,
    o.display_name,
    coalesce(
        t.found_via,
        CASE WHEN s.manual_only THEN 'manual' ELSE 'collected' END
    ) AS found_via,
    t.found_on,
    coalesce(o.status, 'active') AS status,
    s.first_snapshot,
    s.last_snapshot
FROM all_ids AS a
LEFT JOIN targets AS t USING (account_id)
LEFT JOIN account_sightings AS o USING (account_id)
LEFT JOIN account_spans AS s USING (account_id);

INSERT INTO run_errors BY NAME
SELECT run_id, institution_id, platform, handle, kind, message, http_status, occurred_at
FROM landed.errors;

-- the new runs (landed.runs holds only those), with what each landed
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
