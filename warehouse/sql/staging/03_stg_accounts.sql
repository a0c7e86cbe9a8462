-- Every account known: from the registry and discovery, and any seen by a run.
CREATE OR REPLACE TEMP VIEW stg_accounts AS
WITH
observed AS (
    SELECT
        institution_id || '/' || platform || '/' || handle AS account_id,
        *,
        row_number() OVER (
            PARTITION BY institution_id, platform, handle ORDER BY observed_at DESC, run_id DESC
        ) AS version
    FROM landed.accounts
    WHERE found_via <> 'discovered'
),
latest_observed AS (
    SELECT * EXCLUDE (version) FROM observed WHERE version = 1
),
targets AS (
    SELECT
        institution_id || '/' || platform || '/' || handle AS account_id,
        *
    FROM landed.targets
),
snapshot_spans AS (
    SELECT
        account_id,
        any_value(institution_id) AS institution_id,
        any_value(platform) AS platform,
        any_value(handle) AS handle,
        bool_and(method = 'manual') AS manual_only,
        min(snapshot_date) AS first_snapshot,
        max(snapshot_date) AS last_snapshot
    FROM account_snapshots  -- filled from stg_snapshots first, so the dedup runs once
    GROUP BY account_id
),
all_ids AS (
    SELECT account_id, institution_id, platform, handle FROM targets
    UNION
    SELECT account_id, institution_id, platform, handle FROM latest_observed
    UNION
    SELECT account_id, institution_id, platform, handle FROM snapshot_spans
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
LEFT JOIN latest_observed AS o USING (account_id)
LEFT JOIN snapshot_spans AS s USING (account_id)
