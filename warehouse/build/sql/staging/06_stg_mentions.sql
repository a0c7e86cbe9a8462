-- The new runs' mentions, each once per institution, platform and post as last observed.
CREATE OR REPLACE TEMP VIEW stg_mentions AS
WITH
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY institution_id, platform, post_id ORDER BY collected_at DESC, run_id DESC
        ) AS version
    FROM landed.mentions
)
SELECT
    institution_id,
    platform,
    post_id,
    posted_at,
    author_key,
    language,
    tone,
    tone_score,
    CASE WHEN coalesce(themes, '') = '' THEN []::VARCHAR[] ELSE string_split(themes, ',') END AS themes,
    collected_at,
    run_id
FROM ranked
WHERE version = 1;

-- The days the new runs' searches covered whole (from the first midnight after `since`) and the
-- day of the search itself (searched so far): on those days no mention means none.
CREATE OR REPLACE TEMP VIEW stg_mention_searches AS
WITH
spans AS (
    SELECT
        institution_id,
        platform,
        CASE
            WHEN since = CAST(CAST(since AS DATE) AS TIMESTAMPTZ) THEN CAST(since AS DATE)
            ELSE CAST(since AS DATE) + 1
        END AS first_day,
        CAST(searched_at AS DATE) AS last_day
    FROM landed.mention_searches
)
SELECT DISTINCT institution_id, platform, CAST(d.day AS DATE) AS day
FROM spans
CROSS JOIN LATERAL (
    SELECT unnest(generate_series(least(first_day, last_day), last_day, INTERVAL 1 DAY)) AS day
) AS d;
