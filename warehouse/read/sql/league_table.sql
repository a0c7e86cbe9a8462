-- Institutions ranked by one metric on one platform (or 'all') as of a day, with their rank a
-- period earlier. {metric} is a checked column name and {order} its direction (ASC or DESC, from
-- warehouse/metrics.py); every filter value is a bound parameter. Webcare metrics come from
-- institution_webcare, joined on the same institution, platform and day.
WITH
population AS (
    SELECT
        i.institution_id,
        i.name,
        i.country,
        i.kind,
        m.day,
        {metric} AS value,
        m.followers,
        m.rounded,
        m.accounts
    FROM institution_metrics AS m
    LEFT JOIN institution_webcare AS w USING (institution_id, platform, day)
    JOIN institutions AS i USING (institution_id)
    WHERE m.platform = $platform
      AND m.day IN ($as_of, $previous)
      AND ($country IS NULL OR i.country = $country)
      AND ($kind IS NULL OR i.kind = $kind)
      AND ($group IS NULL OR list_contains(i.groups, $group))
),
ranked AS (
    SELECT
        *,
        -- ties share a rank; a value that cannot be computed ranks after every value
        rank() OVER (PARTITION BY day ORDER BY value {order} NULLS LAST) AS rank
    FROM population
)
SELECT
    cur.rank,
    CASE WHEN prev.value IS NOT NULL THEN prev.rank END AS previous_rank,
    cur.institution_id,
    cur.name,
    cur.country,
    cur.kind,
    cur.value,
    cur.followers,
    cur.rounded,
    cur.accounts
FROM ranked AS cur
LEFT JOIN ranked AS prev
    ON prev.institution_id = cur.institution_id AND prev.day = $previous
WHERE cur.day = $as_of
ORDER BY cur.rank, cur.name, cur.institution_id
LIMIT $limit
