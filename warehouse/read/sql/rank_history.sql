-- The rank of chosen institutions by {metric} (a checked column name, ranked {order}) on one platform within a
-- population (country, kind, group; $population: a saved peer set's ids, or NULL), per day;
-- every $step-th day counted back from $end.
WITH
population AS (
    SELECT m.day, m.institution_id, i.name, {metric} AS value
    FROM institution_metrics AS m
    LEFT JOIN institution_webcare AS w USING (institution_id, platform, day)
    -- the practices (60_practices.sql) over the same 28 days
    LEFT JOIN institution_practices AS pr
        ON pr.institution_id = m.institution_id AND pr.platform = m.platform AND pr.day = m.day
        AND pr.window_days = 28
    JOIN institutions AS i USING (institution_id)
    WHERE m.platform = $platform
      AND m.day BETWEEN $start AND $end
      AND date_diff('day', m.day, $end) % $step = 0
      AND {metric} IS NOT NULL
      AND ($country IS NULL OR i.country = $country)
      AND ($kind IS NULL OR i.kind = $kind)
      AND ($group IS NULL OR list_contains(i.groups, $group))
      AND ($population IS NULL OR list_contains($population, i.institution_id))  -- a peer set
),
ranked AS (
    SELECT *, rank() OVER (PARTITION BY day ORDER BY value {order}) AS rank
    FROM population
)
SELECT day, institution_id, name, value, rank
FROM ranked
WHERE list_contains($institutions, institution_id)
ORDER BY day, rank
