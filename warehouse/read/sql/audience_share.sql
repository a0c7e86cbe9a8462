-- Share of a platform's audience within a population (country, kind, group) per day: the $top
-- largest institutions on $end by name, the rest together as one row with no institution_id.
WITH
population AS (
    SELECT m.day, m.institution_id, i.name, m.followers
    FROM institution_metrics AS m
    JOIN institutions AS i USING (institution_id)
    WHERE m.platform = $platform
      AND m.day BETWEEN $start AND $end
      AND date_diff('day', m.day, $end) % $step = 0
      AND m.followers IS NOT NULL
      AND ($country IS NULL OR i.country = $country)
      AND ($kind IS NULL OR i.kind = $kind)
      AND ($group IS NULL OR list_contains(i.groups, $group))
      AND ($institutions IS NULL OR list_contains($institutions, i.institution_id))
),
leaders AS (
    SELECT institution_id
    FROM population
    WHERE day = (SELECT max(day) FROM population)
    ORDER BY followers DESC, institution_id
    LIMIT $top
),
labelled AS (
    SELECT
        p.day,
        l.institution_id,
        CASE WHEN l.institution_id IS NULL THEN NULL ELSE p.name END AS name,
        p.followers
    FROM population AS p
    LEFT JOIN leaders AS l USING (institution_id)
)
SELECT
    day,
    institution_id,
    any_value(name) AS name,
    sum(followers) AS followers,
    100.0 * sum(followers) / sum(sum(followers)) OVER (PARTITION BY day) AS share
FROM labelled
GROUP BY day, institution_id
ORDER BY day, institution_id NULLS LAST
