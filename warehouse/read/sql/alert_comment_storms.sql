-- Storms of negative comments: days on which the comments by others under an institution's own
-- posts on a platform that the tone classifier (warehouse.domain.text, judged when collected) calls
-- negative are at least $multiple times the median day of the known days among the 28 before, and
-- at least $minimum. Comments count on the day they were written (UTC). A day is known when a run
-- read the account's threads in the 7 days after it (a read sees the comments under its recent
-- posts); a known day without a negative comment counts 0. Days with fewer than $baseline_days
-- known days before them have no usual to judge by (as mention storms, storms.sql).
-- Filters are bound parameters: $institutions (ids), $platform (a platform or NULL for each one).
WITH
accounts_seen AS (
    SELECT DISTINCT account_id, institution_id, platform
    FROM comments
    WHERE list_contains($institutions, institution_id)
      AND ($platform IS NULL OR platform = $platform)
),
known AS (
    SELECT DISTINCT a.institution_id, a.platform, CAST(o.observed_day - CAST(k.lag AS INTEGER) AS DATE) AS day
    FROM comment_observations AS o
    JOIN accounts_seen AS a USING (account_id)
    CROSS JOIN range(1, 8) AS k(lag)
    WHERE o.observed_day > CAST($start AS DATE) - 29
      AND o.observed_day <= CAST($end AS DATE) + 7
),
written AS (
    SELECT
        c.institution_id,
        c.platform,
        CAST(c.created_at AS DATE) AS day,
        c.post_id,
        count(c.tone) AS toned,
        count(*) FILTER (WHERE c.tone = 'negative') AS negative
    FROM comments AS c
    JOIN accounts_seen AS a USING (account_id)
    WHERE NOT c.is_institution
      AND c.parent_id IS NOT NULL
      AND c.created_at >= CAST(CAST($start AS DATE) - 28 AS TIMESTAMPTZ)
      AND c.created_at < CAST(CAST($end AS DATE) + 1 AS TIMESTAMPTZ)
    GROUP BY ALL
),
daily AS (
    SELECT
        institution_id,
        platform,
        day,
        sum(toned) AS toned,
        sum(negative) AS negative,
        -- the post that drew the most of the day's negative comments (ties: the first by id)
        first(post_id ORDER BY negative DESC, post_id) FILTER (WHERE negative > 0) AS top_post_id,
        max(negative) AS top_post_negative
    FROM written
    GROUP BY ALL
),
days AS (
    SELECT
        k.institution_id,
        k.platform,
        k.day,
        coalesce(d.negative, 0) AS negative,
        coalesce(d.toned, 0) AS toned,
        d.top_post_id,
        d.top_post_negative
    FROM known AS k
    LEFT JOIN daily AS d USING (institution_id, platform, day)
),
judged AS (
    SELECT
        d.institution_id,
        d.platform,
        d.day,
        d.negative,
        d.toned,
        d.top_post_id,
        d.top_post_negative,
        count(b.day) AS baseline_days,
        median(b.negative) AS baseline_median,
        CASE WHEN sum(b.toned) > 0 THEN sum(b.negative) * 100.0 / sum(b.toned) END AS baseline_negative_share
    FROM days AS d
    LEFT JOIN days AS b
        ON b.institution_id = d.institution_id AND b.platform = d.platform
        AND b.day BETWEEN d.day - 28 AND d.day - 1
    WHERE d.day BETWEEN $start AND $end
    GROUP BY ALL
)
SELECT
    j.day,
    j.institution_id,
    i.name,
    j.platform,
    j.negative,
    j.toned,
    CASE WHEN j.toned > 0 THEN j.negative * 100.0 / j.toned END AS negative_share,
    j.baseline_days,
    j.baseline_median,
    CASE WHEN j.baseline_median > 0 THEN j.negative / j.baseline_median END AS multiple,
    j.baseline_negative_share,
    j.top_post_id,
    j.top_post_negative,
    p.posted_at AS top_post_at,
    p.url AS top_post_url
FROM judged AS j
JOIN institutions AS i USING (institution_id)
LEFT JOIN posts AS p ON p.institution_id = j.institution_id AND p.platform = j.platform AND p.post_id = j.top_post_id
WHERE j.baseline_days >= $baseline_days
  AND j.negative >= $minimum
  AND j.negative >= $multiple * j.baseline_median
ORDER BY j.day DESC, j.negative DESC, i.name, j.platform
