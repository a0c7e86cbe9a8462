-- The core tables besides the merged ones: the build has already merged the new runs' snapshots,
-- posts, sightings, thread items and follower samples into their tables (the latest observation
-- of each wins, see warehouse/build/builder.py), so what is read here is the whole history.

-- Each account's span of snapshots and its first post (account_spans), read by accounts below and
-- by 10_account_metrics.sql: grown by the new runs' rows (new_account_snapshots, new_posts), or
-- counted again from all its rows, snapshots and posts both, for an account where a merge replaced
-- a row that counts for it (a post seen again with another posted_at, a same-day snapshot with
-- another method): a recount reads the whole history, never the night's rows alone.
CREATE OR REPLACE TEMP TABLE recounted_accounts AS
SELECT account_id FROM replaced_account_snapshots
UNION
SELECT account_id FROM replaced_posts;

CREATE OR REPLACE TEMP TABLE changed_spans AS
WITH
snapshot_rows AS (
    SELECT account_id, institution_id, platform, handle, method, snapshot_date, posts_observed
    FROM new_account_snapshots
    WHERE account_id NOT IN (SELECT account_id FROM recounted_accounts)
    UNION ALL
    SELECT account_id, institution_id, platform, handle, method, snapshot_date, posts_observed
    FROM account_snapshots
    WHERE account_id IN (SELECT account_id FROM recounted_accounts)
),
post_rows AS (
    SELECT account_id, posted_at FROM new_posts
    WHERE account_id NOT IN (SELECT account_id FROM recounted_accounts)
    UNION ALL
    SELECT account_id, posted_at FROM posts
    WHERE account_id IN (SELECT account_id FROM recounted_accounts)
),
snapshot_spans AS (
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
    FROM snapshot_rows
    GROUP BY account_id
),
post_spans AS (
    SELECT account_id, CAST(min(posted_at) AS DATE) AS first_post FROM post_rows GROUP BY account_id
)
SELECT
    account_id,
    s.institution_id,
    s.platform,
    s.handle,
    s.manual_only,
    s.first_snapshot,
    s.last_snapshot,
    s.posts_since,
    p.first_post,
    account_id IN (SELECT account_id FROM recounted_accounts) AS recounted
FROM snapshot_spans AS s
FULL JOIN post_spans AS p USING (account_id);

-- a recounted account's spans replace its old ones
DELETE FROM account_spans
WHERE account_id IN (SELECT account_id FROM changed_spans WHERE recounted);

-- the others grow (least and greatest pass over NULL)
UPDATE account_spans AS a
SET
    handle = coalesce(a.handle, c.handle),
    manual_only = CASE
        WHEN c.first_snapshot IS NULL THEN a.manual_only
        WHEN a.first_snapshot IS NULL THEN c.manual_only
        ELSE a.manual_only AND c.manual_only
    END,
    first_snapshot = least(a.first_snapshot, c.first_snapshot),
    last_snapshot = greatest(a.last_snapshot, c.last_snapshot),
    posts_since = least(a.posts_since, c.posts_since),
    first_post = least(a.first_post, c.first_post)
FROM changed_spans AS c
WHERE a.account_id = c.account_id;

INSERT INTO account_spans BY NAME
SELECT
    c.account_id,
    coalesce(c.institution_id, split_part(c.account_id, '/', 1)) AS institution_id,
    coalesce(c.platform, split_part(c.account_id, '/', 2)) AS platform,
    c.handle,
    c.manual_only,
    c.first_snapshot,
    c.last_snapshot,
    c.posts_since,
    c.first_post
FROM changed_spans AS c
ANTI JOIN account_spans AS a USING (account_id);

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
    WHERE first_snapshot IS NOT NULL
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
